/* Dashboards: sparklines, bar chart per target, indicator line chart, month form, print.
   Data come from <script type="application/json"> blocks written by json_script. */
(function () {
  "use strict";

  function readJSON(id) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }

  var lang = document.documentElement.lang || "vi";
  var numberFormat = new Intl.NumberFormat(lang === "vi" ? "vi-VN" : lang, { maximumFractionDigits: 1 });
  function fmt(value, unit) {
    if (value === null || value === undefined) { return "—"; }
    var text = numberFormat.format(value);
    if (!unit) { return text; }
    return unit === "%" ? text + "%" : text + " " + unit;
  }

  var STATUS_COLOURS = {
    achieved: "#198754", on_track: "#0d6efd", needs_acceleration: "#ffc107",
    off_track: "#dc3545", deteriorating: "#212529", no_data: "#adb5bd",
    met: "#198754", not_met: "#dc3545"
  };

  function drawSparklines() {
    var sparks = readJSON("dash-sparks");
    if (!sparks || typeof Chart === "undefined") { return; }
    sparks.forEach(function (spark) {
      var canvas = document.getElementById(spark.id);
      if (!canvas) { return; }
      new Chart(canvas, {
        type: "line",
        data: {
          labels: spark.values.map(function (_, i) { return i; }),
          datasets: [{ data: spark.values, borderColor: "#0d6efd", borderWidth: 2,
                       pointRadius: 1.5, spanGaps: true, fill: false, tension: 0.2 }]
        },
        plugins: spark.merger ? [mergerLine(spark.merger)] : [],
        options: {
          responsive: false, animation: false, events: [],
          plugins: { legend: { display: false }, tooltip: { enabled: false } },
          scales: { x: { display: false }, y: { display: false } }
        }
      });
    });
  }

  function drawBars() {
    var data = readJSON("dash-bar-data");
    var canvas = document.getElementById("dash-bar-chart");
    var select = document.getElementById("dash-bar-select");
    if (!data || !canvas || !data.series.length || typeof Chart === "undefined") { return; }
    var chart = null;
    function show(index) {
      var series = data.series[index];
      var datasets = [{
        type: "bar", label: series.label, data: series.values,
        backgroundColor: series.statuses.map(function (s) { return STATUS_COLOURS[s] || "#6c757d"; })
      }];
      if (series.target !== null) {
        datasets.push({
          type: "line", label: (data.target_label || "") + " " + fmt(series.target, series.unit),
          data: data.units.map(function () { return series.target; }),
          borderColor: "#6f42c1", borderDash: [6, 4], pointRadius: 0, fill: false
        });
      }
      if (chart) { chart.destroy(); }
      chart = new Chart(canvas, {
        data: { labels: data.units, datasets: datasets },
        options: {
          responsive: true, maintainAspectRatio: false, animation: false,
          plugins: { tooltip: { callbacks: { label: function (ctx) { return fmt(ctx.parsed.y, series.unit); } } } },
          scales: { y: { beginAtZero: true, ticks: { callback: function (v) { return fmt(v, series.unit); } } } }
        }
      });
    }
    show(0);
    if (select) { select.addEventListener("change", function () { show(parseInt(select.value, 10) || 0); }); }
  }

  /* A vertical line with its label at the month of the 2025 merger (index into the labels). */
  function mergerLine(merger) {
    return {
      id: "dashMerger",
      afterDatasetsDraw: function (chart) {
        var x = chart.scales.x.getPixelForValue(merger.index);
        var area = chart.chartArea;
        var ctx = chart.ctx;
        ctx.save();
        ctx.strokeStyle = "#6c757d";
        ctx.setLineDash([3, 3]);
        ctx.beginPath();
        ctx.moveTo(x, area.top);
        ctx.lineTo(x, area.bottom);
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.fillStyle = "#495057";
        ctx.font = "11px sans-serif";
        ctx.textAlign = x > (area.left + area.right) / 2 ? "right" : "left";
        ctx.fillText(merger.label, x + (ctx.textAlign === "left" ? 4 : -4), area.top + 12);
        ctx.restore();
      }
    };
  }

  function drawIndicator() {
    var data = readJSON("dash-indicator-data");
    var canvas = document.getElementById("dash-indicator-chart");
    if (!data || !canvas || !data.labels.length || typeof Chart === "undefined") { return; }
    var names = data.names || {};
    var datasets = [
      { label: names.actual, data: data.actual, borderColor: "#0d6efd", backgroundColor: "#0d6efd",
        spanGaps: true, pointRadius: 2 },
      { label: names.target, data: data.target, borderColor: "#6f42c1", borderDash: [6, 4],
        spanGaps: true, pointRadius: 3 },
      { label: names.projection, data: data.projection, borderColor: "#fd7e14", borderDash: [2, 3],
        spanGaps: true, pointRadius: 3 }
    ];
    if (data.former) {
      datasets.push({ label: names.former, data: data.former, borderColor: "#198754",
                      backgroundColor: "#198754", borderDash: [4, 2], spanGaps: true, pointRadius: 2 });
    }
    new Chart(canvas, {
      type: "line",
      data: { labels: data.labels, datasets: datasets },
      plugins: data.merger ? [mergerLine(data.merger)] : [],
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        plugins: { tooltip: { callbacks: { label: function (ctx) {
          return ctx.dataset.label + ": " + fmt(ctx.parsed.y, data.unit); } } } },
        scales: { y: { ticks: { callback: function (v) { return fmt(v, data.unit); } } } }
      }
    });
  }

  function wireForms() {
    document.querySelectorAll("form[data-dash-autosubmit]").forEach(function (form) {
      form.querySelectorAll("select, input[type=checkbox]").forEach(function (input) {
        input.addEventListener("change", function () { form.submit(); });
      });
    });
    document.querySelectorAll("[data-dash-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    wireForms();
    drawSparklines();
    drawBars();
    drawIndicator();
  });
})();
