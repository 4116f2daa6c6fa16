// Street evaluation dashboard: draw each <canvas data-chart-url> with Chart.js 4 from the JSON
// of a django-chartjs view ({labels, datasets}). The same numbers are in the table under each chart.
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") { return; }
  var palette = ["#b22222", "#1f5f99", "#2e7d32", "#b26a00", "#6a1b9a", "#00838f", "#5d4037", "#455a64"];
  // Shapes and dashes as well as colours, so overlapping or colour-blind-confusable series stay apart.
  var points = ["circle", "rect", "triangle", "rectRot", "star", "crossRot", "dash", "cross"];
  var dashes = [[], [8, 4], [2, 3], [12, 3, 2, 3]];
  window.Chart.defaults.font.size = 15;

  document.querySelectorAll("canvas[data-chart-url]").forEach(function (canvas) {
    fetch(canvas.getAttribute("data-chart-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        var type = canvas.getAttribute("data-chart-type") || "bar";
        data.datasets.forEach(function (dataset, i) {
          var color = palette[i % palette.length];
          dataset.backgroundColor = color;
          dataset.borderColor = color;
          dataset.pointBackgroundColor = color;
          dataset.spanGaps = true;
          if (type === "line") {
            dataset.pointStyle = points[i % points.length];
            dataset.pointRadius = 6;
            dataset.borderDash = dashes[i % dashes.length];
            dataset.borderWidth = 3;
          }
        });
        canvas.chart = new window.Chart(canvas, {
          type: type,
          data: { labels: data.labels, datasets: data.datasets },
          options: {
            responsive: true,
            maintainAspectRatio: false,
            animation: false,
            scales: { y: { min: 0, max: 100, title: { display: true, text: "%" } } },
            plugins: { legend: { position: "bottom", labels: { font: { size: 14 } } } }
          }
        });
        canvas.setAttribute("data-chart-ready", "1");
      });
  });
})();
