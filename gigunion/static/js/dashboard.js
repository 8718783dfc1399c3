// The dashboard's charts (ECharts from /static/vendor, canvas renderer). The numbers come from the
// <script type="application/json" id="dashboard-data"> block the tables are rendered from, so they agree.
// Clicking a region's bar opens that region's dashboard (the link comes with the data).
(function () {
  var RED = "#c8102e";
  var BLUE = "#174ea6";
  var GREY = "#9aa0a6";

  function percent(value) { return value === null || value === undefined ? "—" : value + "%"; }

  function occupations(chart, data) {
    chart.setOption({
      animation: false,
      tooltip: { renderMode: "richText", trigger: "axis", valueFormatter: percent },
      legend: { data: data.names, top: 0 },
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.labels, axisLabel: { interval: 0, rotate: 30 } },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      series: [
        { name: data.names[0], type: "bar", data: data.rates, itemStyle: { color: RED } },
        {
          name: data.names[1], type: "line", data: data.targets, step: "middle", symbol: "none",
          lineStyle: { type: "dashed", color: BLUE }, itemStyle: { color: BLUE },
          markLine: uniformTarget(data.targets, data.names[1])
        }
      ]
    });
  }

  // One target for every occupation shown: a horizontal target line across the chart.
  function uniformTarget(targets, name) {
    var set = targets.filter(function (value) { return value !== null; });
    if (!set.length || set.some(function (value) { return value !== set[0]; })) return undefined;
    return { silent: true, symbol: "none", lineStyle: { color: BLUE, type: "dashed" },
      label: { formatter: name + " " + set[0] + "%" }, data: [{ yAxis: set[0] }] };
  }

  function trend(chart, data) {
    chart.setOption({
      animation: false,
      tooltip: { renderMode: "richText", trigger: "axis" },
      legend: { data: data.names, top: 0 },
      grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.labels },
      yAxis: [
        { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
        { type: "value", minInterval: 1, splitLine: { show: false } }
      ],
      series: [
        { name: data.names[1], type: "bar", yAxisIndex: 1, data: data.members, itemStyle: { color: GREY } },
        { name: data.names[0], type: "line", data: data.rates, itemStyle: { color: RED }, connectNulls: false,
          tooltip: { valueFormatter: percent } }
      ]
    });
  }

  function places(chart, data, element) {
    element.style.height = Math.max(200, 30 * data.labels.length + 60) + "px";
    chart.resize();
    chart.setOption({
      animation: false,
      tooltip: { renderMode: "richText", trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: percent },
      grid: { left: 8, right: 32, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", data: data.labels, inverse: true },
      series: [{
        name: data.names[0], type: "bar", data: data.rates, itemStyle: { color: RED }, cursor: "pointer",
        markLine: data.target === null ? undefined : { silent: true, symbol: "none",
          lineStyle: { color: BLUE, type: "dashed" }, data: [{ xAxis: data.target }] }
      }]
    });
    chart.on("click", function (params) {
      var url = data.urls[params.dataIndex];
      if (url) window.location.href = url;
    });
  }

  function funnel(chart, data) {
    chart.setOption({
      animation: false,
      tooltip: { renderMode: "richText", trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 32, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: data.labels, inverse: true },
      series: [{ type: "bar", data: data.values, itemStyle: { color: RED }, label: { show: true, position: "right" } }]
    });
  }

  var draw = { occupations: occupations, trend: trend, places: places, funnel: funnel };
  document.addEventListener("DOMContentLoaded", function () {
    var source = document.getElementById("dashboard-data");
    if (!source || typeof echarts === "undefined") return;
    var all = JSON.parse(source.textContent);
    document.querySelectorAll("[data-dashboard-chart]").forEach(function (element) {
      var kind = element.getAttribute("data-dashboard-chart");
      if (!draw[kind] || !all[kind]) return;
      element.style.height = "300px";
      var chart = echarts.init(element, null, { renderer: "canvas" });
      draw[kind](chart, all[kind], element);
      window.addEventListener("resize", function () { chart.resize(); });
    });
  });
})();
