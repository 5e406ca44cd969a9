// Reports app: live percentage preview of ratio cells (the server computes the stored value).
(function () {
  "use strict";
  function parse(text) {
    // Vietnamese input: comma is the decimal separator, a dot groups thousands.
    var t = (text || "").trim().replace(/\s/g, "");
    if (t === "") { return null; }
    if (t.indexOf(",") >= 0) { t = t.replace(/\./g, "").replace(",", "."); }
    else if (/^\d{1,3}(\.\d{3})+$/.test(t)) { t = t.replace(/\./g, ""); }
    var n = Number(t);
    return isNaN(n) ? null : n;
  }
  function update(cell) {
    var inputs = cell.querySelectorAll("input.num");
    var out = cell.parentElement.querySelector("output.computed-pct");
    if (inputs.length !== 2 || !out) { return; }
    var num = parse(inputs[0].value), den = parse(inputs[1].value);
    if (num === null || den === null || den === 0) { out.textContent = ""; return; }
    out.textContent = (Math.round(num / den * 10000) / 100).toLocaleString("vi-VN") + "%";
  }
  document.addEventListener("input", function (event) {
    var cell = event.target.closest(".ratio-cell");
    if (cell) { update(cell); }
  });
})();
