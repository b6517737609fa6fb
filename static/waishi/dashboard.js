// Dashboard charts (ECharts). The map draws land outlines only (world-atlas "land"), never country borders.
(function () {
  const data = JSON.parse(document.getElementById("chart-data").textContent);
  const colors = ["#9b1c1c", "#d4a017", "#2f6f9f", "#4d7c0f", "#7c3aed"];

  function chart(id, option) {
    const element = document.getElementById(id);
    if (!element) return null;
    const instance = echarts.init(element);
    instance.setOption(Object.assign({ color: colors, animation: false }, option));
    window.addEventListener("resize", () => instance.resize());
    return instance;
  }

  // Every month of the span is in the data (zeros included) and labelled; long spans turn their labels.
  const monthLabels = data.months.map((m) => m[0]);
  const longest = Math.max(0, ...monthLabels.map((label) => label.length));
  const turned = monthLabels.length * Math.max(longest, 3) > 60;
  chart("chart-months", {
    tooltip: { trigger: "axis" },
    legend: { data: [data.labels.batches, data.labels.person_times] },
    grid: { containLabel: true, left: turned ? 40 : 10, right: 10 },
    xAxis: {
      type: "category",
      data: monthLabels,
      axisLabel: { interval: monthLabels.length <= 36 ? 0 : "auto", rotate: turned ? 45 : 0 },
    },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: data.labels.batches, type: "bar", data: data.months.map((m) => m[1]) },
      { name: data.labels.person_times, type: "line", data: data.months.map((m) => m[2]) },
    ],
  });
  chart("chart-categories", {
    tooltip: { trigger: "item" },
    series: [{ type: "pie", radius: ["40%", "70%"], data: data.categories.map((c) => ({ name: c[0], value: c[1] })) }],
  });
  // One label per bar: the chart grows with the bars so that no label is skipped or overlaps.
  const bars = data.chart_countries;
  const countriesElement = document.getElementById("chart-countries");
  if (countriesElement) countriesElement.style.height = `${Math.max(300, 26 * bars.length + 60)}px`;
  const countries = chart("chart-countries", {
    tooltip: { trigger: "axis" },
    grid: { containLabel: true, left: 10, right: 20 },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: {
      type: "category",
      inverse: true,
      data: bars.map((c) => c.name),
      axisLabel: { interval: 0, width: 110, overflow: "break" },
    },
    series: [{ type: "bar", data: bars.map((c) => c.batches), cursor: "pointer", barMaxWidth: 18 }],
  });
  if (countries) {
    // A bar opens the trips behind it.
    countries.on("click", (params) => {
      window.location.href = `${data.place_url}&country=${bars[params.dataIndex].code}`;
    });
  }

  const map = document.getElementById("chart-map");
  if (map) {
    fetch(map.dataset.land).then((response) => response.json()).then((topology) => {
      const land = topojson.feature(topology, topology.objects.land);
      const geojson = { type: "FeatureCollection", features: (land.features || [land]).map((f, i) => (
        { type: "Feature", properties: { name: "land" + i }, geometry: f.geometry })) };
      echarts.registerMap("land", geojson);
      chart("chart-map", {
        tooltip: { trigger: "item", formatter: (p) => p.seriesType === "scatter" ? `${p.name}: ${p.value[2]}` : "" },
        geo: { map: "land", roam: true, silent: true, itemStyle: { areaColor: "#e9ecef", borderColor: "#e9ecef" } },
        series: [{
          type: "scatter", coordinateSystem: "geo", data: data.points,
          symbolSize: (value) => 6 + 4 * Math.sqrt(value[2]), itemStyle: { color: "#9b1c1c" },
        }],
      });
    });
  }
})();
