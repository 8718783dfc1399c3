// Charts drawn with ECharts (served from /static/vendor, never a CDN). Each chart reads its numbers
// from a <script type="application/json"> block rendered by the server, so chart and table agree.
(function () {
  var RED = "#c8102e";
  var GREY = "#c9ced6";

  function stackedBar(element, data) {
    var chart = echarts.init(element, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { data: data.names, top: 0 },
      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: data.labels, inverse: true },
      series: [
        { name: data.names[0], type: "bar", stack: "all", data: data.covered, itemStyle: { color: RED } },
        { name: data.names[1], type: "bar", stack: "all", data: data.pending, itemStyle: { color: GREY } }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  // Columns over time (a station's person-times by day): data.labels, data.values, data.name.
  function columns(element, data) {
    element.style.height = "240px";
    var chart = echarts.init(element, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.labels },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ name: data.name, type: "bar", data: data.values, itemStyle: { color: RED } }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  var kinds = { "stacked-bar": stackedBar, "columns": columns };
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-chart]").forEach(function (element) {
      var source = document.getElementById(element.getAttribute("data-chart-source"));
      var draw = kinds[element.getAttribute("data-chart")];
      if (!source || !draw || typeof echarts === "undefined") return;
      var data = JSON.parse(source.textContent);
      element.style.height = Math.max(160, 36 * data.labels.length + 60) + "px";
      draw(element, data);
    });
  });
})();
