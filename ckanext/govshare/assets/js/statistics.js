/* Statistics pages (templates/govshare/statistics/charts.html): draw each section's chart with
 * Chart.js (assets/vendor/chart.umd.min.js, installed from npm by scripts/common.sh) from the
 * figures of its data-govshare-chart attribute, and switch between the chart and its table.
 * Without JavaScript (or Chart.js) the table alone is shown. */
(function () {
  "use strict";

  var PALETTE = ["#2f6db5", "#e07b39", "#3a9d5d", "#c0392b", "#8e6bbf", "#7f8c8d",
                 "#d4ac0d", "#16a085", "#b03a7a", "#34495e"];

  function color(i) { return PALETTE[i % PALETTE.length]; }

  function config(chart) {
    var labels = chart.rows.map(function (r) { return r.label; });
    var datasets = [];
    chart.series.forEach(function (s, i) {
      if (!s.drawn) { return; }
      var ds = {
        label: s.label,
        data: chart.rows.map(function (r) { return r.values[i]; })
      };
      if (chart.type === "doughnut") {
        ds.backgroundColor = chart.rows.map(function (r, j) { return color(j); });
      } else {
        ds.backgroundColor = color(datasets.length);
        ds.borderColor = color(datasets.length);
        ds.spanGaps = true;
      }
      datasets.push(ds);
    });
    var options = {responsive: true, maintainAspectRatio: false, animation: false};
    if (chart.type !== "doughnut") {
      options.scales = {
        x: {stacked: !!chart.stacked},
        y: {stacked: !!chart.stacked, beginAtZero: true, ticks: {precision: 0}}
      };
      if (chart.series.some(function (s) { return s.drawn && s.unit === "percent"; })) {
        options.scales.y.max = 100;
      }
    }
    return {type: chart.type, data: {labels: labels, datasets: datasets}, options: options};
  }

  function show(section, view) {
    section.querySelector(".govshare-chart-canvas").hidden = view !== "chart";
    section.querySelector(".govshare-chart-table").hidden = view !== "table";
    section.querySelectorAll("[data-view]").forEach(function (b) {
      var on = b.getAttribute("data-view") === view;
      b.classList.toggle("active", on);
      b.setAttribute("aria-pressed", on ? "true" : "false");
    });
  }

  function init(section) {
    var canvas = section.querySelector("canvas");
    if (!canvas || typeof window.Chart === "undefined") { return; }
    var chart = JSON.parse(section.getAttribute("data-govshare-chart"));
    var box = section.querySelector(".govshare-chart-canvas");
    box.style.position = "relative";
    box.style.height = chart.type === "doughnut" ? "18rem" : "22rem";
    new window.Chart(canvas, config(chart));
    section.querySelector(".govshare-chart-views").hidden = false;
    section.querySelectorAll("[data-view]").forEach(function (b) {
      b.addEventListener("click", function () { show(section, b.getAttribute("data-view")); });
    });
    show(section, "chart");
  }

  function start() {
    document.querySelectorAll("[data-govshare-chart]").forEach(init);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
