// Sister cities: the world map (land outlines only, never national borders: DOMAIN.md) with partner
// cities as points coloured by level or activity, and bar charts of the figures. No inline script (CSP):
// the data comes from json_script elements.
(function () {
  "use strict";
  const LEVEL_COLOURS = { intent: "#0dcaf0", friendly: "#0d6efd", sister: "#198754" };
  const ACTIVITY_COLOURS = { active: "#198754", occasional: "#fd7e14", dormant: "#6c757d" };
  const ACTIVITY_SYMBOLS = { active: "circle", occasional: "circle", dormant: "emptyCircle" };

  // Land that crosses the antimeridian (Chukotka, Wrangel Island, Fiji) has ring edges from 179° to -179°:
  // drawn on a flat map they would cross the whole world as horizontal lines. Such rings are unwrapped
  // and clipped to the -180°..180° strip, one piece on each side. Antarctica is left out (below the map).
  function unwrap(ring) {
    const out = [ring[0].slice()];
    for (let i = 1; i < ring.length; i += 1) {
      let lon = ring[i][0];
      const previous = out[i - 1][0];
      while (lon - previous > 180) lon -= 360;
      while (lon - previous < -180) lon += 360;
      out.push([lon, ring[i][1]]);
    }
    return out;
  }

  function clipHalf(ring, edge, below) {
    const inside = (point) => (below ? point[0] <= edge : point[0] >= edge);
    const out = [];
    ring.forEach((current, i) => {
      const previous = ring[(i + ring.length - 1) % ring.length];
      if (inside(current) !== inside(previous)) {
        const t = (edge - previous[0]) / (current[0] - previous[0]);
        out.push([edge, previous[1] + t * (current[1] - previous[1])]);
      }
      if (inside(current)) out.push(current);
    });
    return out;
  }

  function splitAtAntimeridian(polygon) {
    const outer = polygon[0];
    const crosses = outer.some((point, i) => i > 0 && Math.abs(point[0] - outer[i - 1][0]) > 180);
    if (!crosses) return [polygon];
    const ring = unwrap(outer);
    return [0, -360, 360]
      .map((shift) => clipHalf(clipHalf(ring.map(([x, y]) => [x + shift, y]), 180, true), -180, false))
      .filter((piece) => piece.length >= 3)
      .map((piece) => [[...piece, piece[0]]]);
  }

  function landOutlines(topology) {
    const land = topojson.feature(topology, topology.objects.land);
    const features = land.type === "FeatureCollection" ? land.features : [land];
    const polygons = [];
    features.forEach((feature) => {
      const geometry = feature.geometry;
      const parts = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
      parts
        .filter((polygon) => Math.max(...polygon[0].map((point) => point[1])) > -60)
        .forEach((polygon) => polygons.push(...splitAtAntimeridian(polygon)));
    });
    return {
      type: "FeatureCollection",
      features: [
        { type: "Feature", properties: { name: "land" }, geometry: { type: "MultiPolygon", coordinates: polygons } },
      ],
    };
  }

  function readJson(id) {
    const element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function series(data, by) {
    const names = by === "level" ? data.levels : data.activities;
    const colours = by === "level" ? LEVEL_COLOURS : ACTIVITY_COLOURS;
    return Object.keys(names).map((key) => ({
      name: names[key],
      type: "scatter",
      coordinateSystem: "geo",
      symbolSize: (value, params) => (params.data.activity === "active" ? 10 : 8),
      itemStyle: { color: colours[key], borderColor: "#ffffff", borderWidth: 0.5, opacity: 0.9 },
      data: data.points
        .filter((point) => point[by] === key)
        .map((point) => ({ ...point, symbol: ACTIVITY_SYMBOLS[point.activity] || "circle" })),
    }));
  }

  function drawMap(element, data) {
    const chart = echarts.init(element);
    fetch(data.land)
      .then((response) => response.json())
      .then((topology) => {
        echarts.registerMap("waishi-land", landOutlines(topology));
        let colourBy = "level";
        const render = () =>
          chart.setOption(
            {
              tooltip: {
                trigger: "item",
                formatter: (params) =>
                  params.data
                    ? `${params.data.name} (${params.data.country})<br>${params.data.office} · ` +
                      `${params.data.level_label} · ${params.data.activity_label}`
                    : "",
              },
              legend: { bottom: 0 },
              geo: {
                map: "waishi-land",
                roam: true,
                silent: true,
                boundingCoords: [[-180, 84], [180, -58]],
                itemStyle: { areaColor: "#dee2e6", borderColor: "#adb5bd", borderWidth: 0.5 },
                emphasis: { disabled: true },
                select: { disabled: true },
              },
              series: series(data, colourBy),
            },
            { replaceMerge: ["series"] },
          );
        render();
        chart.on("click", (params) => {
          if (params.data && params.data.url) {
            window.location.href = params.data.url;
          }
        });
        document.querySelectorAll("[data-colour-by]").forEach((button) => {
          button.addEventListener("click", () => {
            colourBy = button.dataset.colourBy;
            document.querySelectorAll("[data-colour-by]").forEach((b) => b.classList.toggle("active", b === button));
            render();
          });
        });
        chart.on("finished", () => {
          element.dataset.ready = "1";
        });
      });
    window.addEventListener("resize", () => chart.resize());
  }

  function drawBars(element, rows) {
    // One row per category, every label shown: a long list (by country) gets a taller chart.
    element.style.height = `${Math.max(element.clientHeight, rows.length * 22 + 24)}px`;
    const chart = echarts.init(element);
    const sorted = rows.slice().reverse();
    chart.setOption({
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: sorted.map((row) => row[0]), axisLabel: { interval: 0 } },
      series: [{ type: "bar", data: sorted.map((row) => row[1]), itemStyle: { color: "#9b1c1c" }, label: { show: true, position: "right" } }],
    });
    window.addEventListener("resize", () => chart.resize());
  }

  document.addEventListener("DOMContentLoaded", () => {
    const mapElement = document.getElementById("partner-map");
    const mapData = readJson("partner-map-data");
    if (mapElement && mapData && window.echarts && window.topojson) {
      drawMap(mapElement, mapData);
    }
    const charts = readJson("partner-chart-data") || {};
    document.querySelectorAll("[data-chart]").forEach((element) => {
      const rows = charts[element.dataset.chart];
      if (rows && rows.length && window.echarts) {
        drawBars(element, rows);
      }
    });
  });
})();
