// Reports app: the number rule of core/numbers.py, and the entry grid's live preview of
// how each typed number is read (the server stores what the preview shows).
(function () {
  "use strict";
  var COMMA = "comma", DOT = "dot";
  var MAX_LENGTH = 40, MAX_RAW_LENGTH = 1000;
  var SEPARATORS = { comma: [",", "."], dot: [".", ","] };

  function pattern(decimal, group) {
    var d = "\\" + decimal, g = "\\" + group;
    var grouped = "[1-9]\\d{0,2}(?:" + g + "\\d{3})+|[1-9]\\d{0,2}(?: \\d{3})+";
    return new RegExp("^([+-]?)(?:(\\d+|" + grouped + ")(?:" + d + "(\\d+))?|" + d + "(\\d+))$");
  }
  var PATTERNS = { comma: pattern(",", "."), dot: pattern(".", ",") };

  function normalise(raw) {
    // Same folding as the server: NFKC, U+2212 as minus, the spaces that group thousands.
    var text = raw.length > MAX_RAW_LENGTH ? raw : raw.normalize("NFKC");
    text = text.replace(/\u2212/g, "-").replace(/[\t\n\r\f\v\u00a0\u2007\u2009\u202f]/g, " ");
    text = text.replace(/^ +| +$/g, "");
    if (text.length > MAX_LENGTH || /[^0-9+\-., ]/.test(text)) { return null; }
    return text;
  }

  function canonical(sign, whole, frac) {
    whole = whole.replace(/^0+(?=\d)/, "");
    frac = frac.replace(/0+$/, "");
    var text = frac ? whole + "." + frac : whole;
    return text === "0" ? "0" : sign.replace("+", "") + text;
  }

  function read(text, convention) {
    var m = PATTERNS[convention].exec(text);
    if (!m) { return null; }
    var group = SEPARATORS[convention][1];
    var whole = (m[2] || "0").split(" ").join("").split(group).join("");
    return canonical(m[1], whole, m[3] || m[4] || "0");
  }

  // {value: "1500"} (a plain decimal with a dot), {error: "ambiguous" | "invalid"}, or null.
  function parse(raw, convention) {
    var text = normalise(raw || "");
    if (text === "") { return null; }
    if (text === null || !/\d/.test(text)) { return { error: "invalid" }; }
    var found = { comma: read(text, COMMA), dot: read(text, DOT) };
    if (!convention) {
      if (found.comma !== null && found.dot !== null && found.comma !== found.dot) {
        return { error: "ambiguous" };
      }
      var only = found.comma !== null ? found.comma : found.dot;
      return only === null ? { error: "invalid" } : { value: only };
    }
    if (found[convention] !== null) { return { value: found[convention] }; }
    var other = convention === COMMA ? DOT : COMMA;
    var decimal = SEPARATORS[convention][0], group = SEPARATORS[convention][1];
    // A lone separator that cannot group thousands has only the decimal reading left.
    if (found[other] !== null && text.split(group).length === 2 && text.indexOf(decimal) < 0) {
      return { value: found[other] };
    }
    return { error: "invalid" };
  }

  function shown(value) {
    var mark = (document.documentElement.lang || "vi").indexOf("vi") === 0 ? "," : ".";
    return value.replace(".", mark);
  }

  window.CdsNumbers = { parse: parse, shown: shown, COMMA: COMMA, DOT: DOT };

  function readingOf(input) {
    var result = parse(input.value, COMMA);
    if (result === null) { return { text: "", ok: true }; }
    if (result.error) {
      var form = input.closest("form");
      var why = (form && form.dataset.numberInvalid) || "?";
      return { text: "«" + input.value.trim() + "» " + why, ok: false };
    }
    return { text: shown(result.value), ok: true, value: result.value };
  }

  function preview(input) {
    var anchor = input.closest(".ratio-cell") || input;
    var out = anchor.nextElementSibling;
    if (!out || !out.classList.contains("num-reading")) {
      out = document.createElement("output");
      out.className = "num-reading small d-block";
      anchor.after(out);
    }
    var inputs = anchor.classList.contains("ratio-cell")
      ? anchor.querySelectorAll("input.num") : [input];
    var parts = [], errors = [], values = [];
    inputs.forEach(function (each) {
      var r = readingOf(each);
      values.push(r.value);
      parts.push(r.text || "…");
      if (!r.ok) { errors.push(r.text); }
    });
    var ok = errors.length === 0;
    var blank = Array.prototype.every.call(inputs, function (each) { return !each.value.trim(); });
    out.textContent = blank ? "" : (ok ? "= " + parts.join(" / ") : errors.join("; "));
    out.classList.toggle("text-danger", !ok);
    out.classList.toggle("text-muted", ok);
    return values;
  }

  function updatePct(cell, values) {
    var out = cell.parentElement.querySelector("output.computed-pct");
    if (!out) { return; }
    var num = Number(values[0]), den = Number(values[1]);
    if (values[0] === undefined || values[1] === undefined || den === 0) {
      out.textContent = "";
      return;
    }
    out.textContent = shown(String(Math.round(num / den * 10000) / 100)) + "%";
  }

  // Buttons that send a report or lock it ask first: these steps cannot be undone by the
  // person who takes them (data-confirm holds the question, in the page's language).
  document.addEventListener("submit", function (event) {
    var button = event.submitter || event.target.querySelector("[data-confirm]");
    var question = button && button.dataset ? button.dataset.confirm : "";
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });

  // An htmx save swaps the whole one-unit form (or a table row): the keyboard stays where it
  // was, or goes to the first refused number, instead of falling back to the page's top.
  var restore = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail && event.detail.target;
    var active = document.activeElement;
    restore = target && target.id ? { box: target.id, focus: active && active.id } : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!restore) { return; }
    var box = document.getElementById(restore.box);
    var goal = box && (box.querySelector("input.is-invalid") ||
      (restore.focus && document.getElementById(restore.focus)));
    restore = null;
    if (goal && goal !== document.activeElement) { goal.focus(); }
  });

  document.addEventListener("input", function (event) {
    if (!event.target.matches || !event.target.matches("input.num")) { return; }
    var values = preview(event.target);
    var cell = event.target.closest(".ratio-cell");
    if (cell) { updatePct(cell, values); }
  });
})();
