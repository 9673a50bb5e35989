// htz: draws the ECharts charts of a page from the JSON embedded in it, again after every
// htmx swap. No data comes from anywhere but this site.
(function () {
  "use strict";
  const charts = [];
  let chinaMap = null;

  function data(id) {
    const el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  const E8 = 1e8;  // charts of amounts read in 100 million yuan (亿元)
  function fmt(lang, v, digits) {
    if (v === null || v === undefined) return "—";
    const loc = {zh: "zh-CN", en: "en-GB", vi: "vi-VN"}[lang] || "en-GB";
    return v.toLocaleString(loc, {maximumFractionDigits: digits === undefined ? 1 : digits});
  }
  // axis numbers as the page's language writes them (zh 180000, en 180,000, vi 180.000)
  function axisFormat(lang) {
    const loc = {zh: "zh-CN", en: "en-GB", vi: "vi-VN"}[lang] || "en-GB";
    return v => lang === "zh" ? String(v) : v.toLocaleString(loc);
  }
  function make(el) {
    const old = echarts.getInstanceByDom(el);
    if (old) old.dispose();
    const chart = echarts.init(el, null, {renderer: "canvas"});
    charts.push(chart);
    el.dataset.drawn = "1";
    return chart;
  }

  function trend(el, d) {
    const chart = make(el);
    chart.setOption({
      animation: false,
      tooltip: {trigger: "axis"},
      legend: {top: 0, data: [d.labels.zone_gdp, d.labels.growth]},
      grid: {left: 70, right: 50, top: 50, bottom: 70},
      xAxis: {type: "category", data: d.trend.map(t => t.label), axisLabel: {rotate: 30}},
      yAxis: [{type: "value", name: d.labels.unit, axisLabel: {formatter: axisFormat(d.lang)}},
              {type: "value", name: "%", splitLine: {show: false}}],
      series: [
        {name: d.labels.zone_gdp, type: "bar", itemStyle: {color: "#1f5fa8"},
         data: d.trend.map(t => t.zone_gdp === null ? null : +(t.zone_gdp / E8).toFixed(1))},
        {name: d.labels.growth, type: "line", yAxisIndex: 1, itemStyle: {color: "#f5b400"},
         data: d.trend.map(t => t.growth_comparable === null ? null : +(t.growth_comparable * 100).toFixed(2))}
      ]
    });
  }

  async function loadChina() {
    if (!chinaMap) {
      const res = await fetch("/static/vendor/china-provinces.json");
      chinaMap = await res.json();
      echarts.registerMap("china", chinaMap);  // the name 'china' adds the 南海诸岛 inset
    }
    return chinaMap;
  }

  async function map(el, d) {
    await loadChina();
    const chart = make(el);
    const values = d.provinces.filter(p => p.value !== null).map(p => p.value / E8);
    const max = values.length ? Math.max(...values) : 1;
    const zones = d.zones.filter(z => z.lon !== null && z.lat !== null && z[d.measure] && z[d.measure].value !== null);
    const zmax = zones.length ? Math.max(...zones.map(z => z[d.measure].value)) : 1;
    chart.setOption({
      animation: false,
      tooltip: {trigger: "item", formatter: p => p.seriesType === "map"
        ? `${p.data ? p.data.label : p.name}: ${p.value === undefined || isNaN(p.value) ? "—" : fmt(d.lang, p.value)} ${d.labels.unit}`
        : `${p.data.label}: ${fmt(d.lang, p.data.value[2])} ${d.labels.unit}`},
      visualMap: {seriesIndex: 0, min: 0, max: max, left: 10, bottom: 10, calculable: true,
                  text: [d.labels.measure, ""], inRange: {color: ["#e8f0fa", "#9cc1e8", "#1f5fa8"]}},
      geo: {map: "china", nameProperty: "code", roam: true, zoom: 1.15, top: 20,
            itemStyle: {borderColor: "#888", areaColor: "#f3f3f3"}, emphasis: {label: {show: false}}},
      series: [
        {type: "map", geoIndex: 0,
         data: d.provinces.map(p => ({name: p.code, label: p.name, value: p.value === null ? NaN : +(p.value / E8).toFixed(1)}))},
        {type: "scatter", coordinateSystem: "geo", zlevel: 1, itemStyle: {color: "#f5b400", borderColor: "#7a5a00"},
         symbolSize: v => 4 + 22 * Math.sqrt(v[2] * E8 / zmax),
         data: zones.map(z => ({name: z.code, label: z.name, value: [z.lon, z.lat, +(z[d.measure].value / E8).toFixed(1)]}))}
      ]
    });
  }

  function zoneSeries(el, d) {
    const chart = make(el);
    const m = d.measure;
    chart.setOption({
      animation: false, tooltip: {trigger: "axis"},
      legend: {top: 0, data: [d.labels.measure, d.labels.growth]},
      grid: {left: 70, right: 50, top: 50, bottom: 70},
      xAxis: {type: "category", data: d.series.map(s => s.label), axisLabel: {rotate: 30}},
      yAxis: [{type: "value", name: d.labels.unit, axisLabel: {formatter: axisFormat(d.lang)}},
              {type: "value", name: "%", splitLine: {show: false}}],
      series: [
        {name: d.labels.measure, type: "bar", itemStyle: {color: "#1f5fa8"},
         data: d.series.map(s => s[m] && s[m].value !== null ? +(s[m].value / E8).toFixed(2) : null)},
        {name: d.labels.growth, type: "line", yAxisIndex: 1, itemStyle: {color: "#f5b400"},
         data: d.series.map(s => s[m] && s[m].growth_comparable !== null ? +(s[m].growth_comparable * 100).toFixed(2) : null)}
      ]
    });
  }

  function zonePeers(el, d) {
    const chart = make(el);
    const rows = d.peers.filter(p => p.value !== null).slice(0, 25).reverse();
    chart.setOption({
      animation: false, tooltip: {trigger: "axis", axisPointer: {type: "shadow"}},
      grid: {left: 170, right: 30, top: 10, bottom: 30},
      xAxis: {type: "value", name: d.labels.unit, axisLabel: {formatter: axisFormat(d.lang)}},
      yAxis: {type: "category", data: rows.map(r => r.name), axisLabel: {width: 160, overflow: "truncate"}},
      series: [{type: "bar", data: rows.map(r => ({value: +(r.value / E8).toFixed(1),
                itemStyle: {color: r.self ? "#f5b400" : "#1f5fa8"}}))}]
    });
  }

  function zoneLq(el, d) {
    const chart = make(el);
    const rev = (d.lq.operating_revenue || []).filter(c => c.lq !== null);
    const emp = new Map((d.lq.employees || []).filter(c => c.lq !== null).map(c => [c.section, c.lq]));
    chart.setOption({
      animation: false, tooltip: {trigger: "axis"},
      legend: {top: 0, data: [d.labels.revenue, d.labels.employees]},
      grid: {left: 50, right: 20, top: 40, bottom: 90},
      xAxis: {type: "category", data: rev.map(c => c.section + " " + c.name), axisLabel: {rotate: 35, width: 120, overflow: "truncate"}},
      yAxis: {type: "value"},
      series: [
        {name: d.labels.revenue, type: "bar", data: rev.map(c => +c.lq.toFixed(2)), itemStyle: {color: "#1f5fa8"},
         markLine: {silent: true, symbol: "none", data: [{yAxis: 1}]}},
        {name: d.labels.employees, type: "bar", data: rev.map(c => emp.has(c.section) ? +emp.get(c.section).toFixed(2) : null), itemStyle: {color: "#9cc1e8"}}
      ]
    });
  }

  function draw(root) {
    if (typeof echarts === "undefined") return;
    const dash = data("dashboard-data");
    const zone = data("zone-data");
    root.querySelectorAll("[data-chart]").forEach(el => {
      const kind = el.dataset.chart;
      if (kind === "trend" && dash) trend(el, dash);
      else if (kind === "map" && dash) map(el, dash);
      else if (kind === "zone-series" && zone) zoneSeries(el, zone);
      else if (kind === "zone-peers" && zone) zonePeers(el, zone);
      else if (kind === "zone-lq" && zone) zoneLq(el, zone);
    });
  }

  document.addEventListener("DOMContentLoaded", () => draw(document));
  document.addEventListener("htmx:afterSettle", e => draw(e.target));
  window.addEventListener("resize", () => charts.forEach(c => c.resize()));
})();
