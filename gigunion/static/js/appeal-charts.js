// The appeal measures' charts (ECharts from /static/vendor): rates in percent by category (bars) and by
// month (lines). Numbers come from <script type="application/json"> blocks, so chart and tables agree.
(function () {
  var COLORS = ["#c8102e", "#e07b00", "#137333", "#174ea6"];

  function draw(element, data, type) {
    var chart = echarts.init(element, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      color: COLORS,
      tooltip: { trigger: "axis", valueFormatter: function (value) { return value === null ? "—" : value + "%"; } },
      legend: { data: data.names, top: 0 },
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.labels, axisLabel: { interval: 0, rotate: type === "bar" ? 30 : 0 } },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      series: data.names.map(function (name, index) {
        return { name: name, type: type, data: data.series[index], connectNulls: false };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  var kinds = { "rate-bars": "bar", "rate-lines": "line" };
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-chart]").forEach(function (element) {
      var type = kinds[element.getAttribute("data-chart")];
      var source = document.getElementById(element.getAttribute("data-chart-source"));
      if (!type || !source || typeof echarts === "undefined") return;
      element.style.height = "300px";
      draw(element, JSON.parse(source.textContent), type);
    });
  });
})();
