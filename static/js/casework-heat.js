// The committee's heat chart: this month's requests per building, stacked by category, drawn with
// Chart.js 4 from the JSON of a django-chartjs view ({labels, datasets}). The table under it has the numbers.
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") { return; }
  var palette = ["#b22222", "#1f5f99", "#2e7d32", "#b26a00", "#6a1b9a", "#00838f", "#5d4037", "#455a64",
                 "#ad1457", "#827717"];
  window.Chart.defaults.font.size = 15;
  document.querySelectorAll("canvas[data-chart-url]").forEach(function (canvas) {
    fetch(canvas.getAttribute("data-chart-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        data.datasets.forEach(function (dataset, i) {
          dataset.backgroundColor = palette[i % palette.length];
          dataset.borderColor = "#fff";
          dataset.borderWidth = 1;
        });
        canvas.chart = new window.Chart(canvas, {
          type: "bar",
          data: { labels: data.labels, datasets: data.datasets },
          options: {
            responsive: true,
            maintainAspectRatio: false,
            animation: false,
            indexAxis: "y",
            scales: { x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } }, y: { stacked: true } },
            plugins: { legend: { position: "bottom", labels: { font: { size: 14 } } } }
          }
        });
      });
  });
}());
