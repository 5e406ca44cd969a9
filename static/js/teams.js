// Tổ CNSCĐ pages: confirm destructive actions (no inline scripts: Content-Security-Policy).
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.classList && form.classList.contains("teams-confirm")) {
    if (!window.confirm(form.dataset.confirm || "?")) {
      event.preventDefault();
    }
  }
});
