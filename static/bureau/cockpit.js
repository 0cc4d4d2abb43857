// The cockpit's charts (Apache ECharts, vendored), drawn from the data the page carries in a
// json_script block: no inline script, as the Content-Security-Policy requires. Every chart element
// links on: a month or a figure to its drill-down, a unit's bar to that unit's records.
(function () {
  "use strict";
  var printButton = document.getElementById("print-view");
  if (printButton) {
    printButton.addEventListener("click", function () { window.print(); });
  }
  var source = document.getElementById("cockpit-charts");
  if (!source || !window.echarts) { return; }
  var instances = [];

  function draw(c) {
    var element = document.getElementById("chart-" + c.id);
    if (!element) { return; }
    var ranking = c.kind === "rank";
    if (ranking) {  // a bar's height for each unit, so that no name overlaps the next
      element.style.height = Math.max(320, 110 + 24 * c.categories.length) + "px";
    }
    var chart = window.echarts.init(element, null, { renderer: "canvas" });
    var category = {
      type: "category",
      data: c.categories,
      name: c.x_label,
      inverse: ranking,
      axisLabel: { interval: 0, rotate: !ranking && c.categories.length > 6 ? 30 : 0 }
    };
    var value = { type: "value", name: c.unit };
    chart.setOption({
      title: { text: c.title, left: "center", textStyle: { fontSize: 13 } },
      // Rich-text tooltips are drawn on the canvas: HTML ones would carry inline styles.
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { bottom: 0, data: c.series.map(function (s) { return s.name; }) },
      grid: { left: 20, right: 40, top: 50, bottom: 40, containLabel: true },
      xAxis: ranking ? value : category,
      yAxis: ranking ? category : value,
      series: c.series.map(function (s) {
        return { name: s.name, type: c.kind === "line" ? "line" : "bar", data: s.data, cursor: "pointer" };
      }),
      aria: { enabled: true },
      animation: false
    });
    chart.on("click", function (event) {
      var url = c.links && c.links[event.dataIndex];
      if (url) { window.location.href = url; }
    });
    instances.push(chart);
  }

  JSON.parse(source.textContent).forEach(draw);
  function resize() { instances.forEach(function (chart) { chart.resize(); }); }
  window.addEventListener("resize", resize);
  window.addEventListener("beforeprint", resize);
  window.addEventListener("afterprint", resize);
}());
