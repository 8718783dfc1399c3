// The 15-minute circle's map (Leaflet, served from /static/vendor, never a CDN): open stations with their
// reach, neighbouring stations within reach of the area's demand, uncovered demand in red, and the
// suggested new stations numbered with what each adds. Data comes from a <script type="application/json">
// block (the CSP forbids inline scripts); names are data, shown as text, never markup. With no tile
// service configured the map has no base layer: everything sits on a plain background. A click on the
// map fills in the region-point form's latitude and longitude (WGS-84), when the page has that form.
(function () {
  "use strict";
  var GREEN = "#137333";
  var BLUE = "#1a73e8";
  var RED = "#c8102e";
  var INK = "#202124";
  var CHINA = [35.0, 105.0];

  function text(content) {
    var box = document.createElement("div");
    content.forEach(function (line, index) {
      var row = document.createElement(index === 0 ? "strong" : "div");
      row.textContent = line;
      box.appendChild(row);
    });
    return box;
  }

  function siteIcon(rank) {
    var label = document.createElement("span");
    label.textContent = String(rank);
    label.style.cssText = "display:block;width:22px;height:22px;line-height:22px;border-radius:50%;" +
      "background:" + INK + ";color:#fff;font:600 12px/22px sans-serif;text-align:center;border:2px solid #fff";
    return L.divIcon({ html: label, className: "", iconSize: [26, 26], iconAnchor: [13, 13] });
  }

  function legend(map, labels) {
    var control = L.control({ position: "bottomleft" });
    control.onAdd = function () {
      var box = document.createElement("div");
      box.style.cssText = "background:#fff;padding:6px 8px;border-radius:6px;font-size:12px;line-height:18px";
      [[GREEN, labels.inside], [BLUE, labels.outside], [RED, labels.uncovered], [INK, labels.site]].forEach(function (item) {
        var row = document.createElement("div");
        var dot = document.createElement("span");
        dot.style.cssText = "display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:6px;" +
          "vertical-align:middle;background:" + item[0];
        row.appendChild(dot);
        row.appendChild(document.createTextNode(item[1]));
        box.appendChild(row);
      });
      return box;
    };
    control.addTo(map);
  }

  function draw(element, data) {
    var map = L.map(element, { preferCanvas: true });
    if (data.tiles && data.tiles.url) {
      L.tileLayer(data.tiles.url, { attribution: data.tiles.attribution || "", maxZoom: 18 }).addTo(map);
    }
    var bounds = [];
    data.stations.forEach(function (row) {
      var colour = row[3] ? GREEN : BLUE;
      L.circle([row[0], row[1]], {
        radius: data.radius, color: colour, weight: 1, opacity: 0.5, fillColor: colour, fillOpacity: 0.08,
        interactive: false
      }).addTo(map);
      L.circleMarker([row[0], row[1]], { radius: 5, color: "#fff", weight: 1, fillColor: colour, fillOpacity: 0.95 })
        .bindTooltip(text([row[2], row[3] ? data.labels.inside : data.labels.outside]))
        .addTo(map);
      bounds.push([row[0], row[1]]);
    });
    data.uncovered.forEach(function (row) {
      L.circleMarker([row[0], row[1]], { radius: 6, color: RED, weight: 1, fillColor: RED, fillOpacity: 0.7 })
        .bindTooltip(text([row[2], row[3]]))
        .addTo(map);
      bounds.push([row[0], row[1]]);
    });
    data.sites.forEach(function (row) {
      L.circle([row[0], row[1]], {
        radius: data.radius, color: INK, weight: 1.5, dashArray: "4 4", fill: false, interactive: false
      }).addTo(map);
      L.marker([row[0], row[1]], { icon: siteIcon(row[2]), keyboard: false })
        .bindTooltip(text([data.labels.site + " " + row[2], row[3]]))
        .addTo(map);
      bounds.push([row[0], row[1]]);
    });
    if (bounds.length) map.fitBounds(bounds, { padding: [24, 24], maxZoom: 15 });
    else map.setView(CHINA, 4);
    legend(map, data.labels);
    return map;
  }

  function pickPoints(map, element) {
    var lat = document.getElementById(element.getAttribute("data-lat"));
    var lng = document.getElementById(element.getAttribute("data-lng"));
    var crs = document.getElementById(element.getAttribute("data-crs"));
    if (!lat || !lng) return;
    var pin = null;
    map.on("click", function (event) {
      lat.value = event.latlng.lat.toFixed(6);
      lng.value = event.latlng.lng.toFixed(6);
      if (crs) crs.value = "WGS84";
      if (pin) pin.setLatLng(event.latlng);
      else pin = L.circleMarker(event.latlng, { radius: 7, color: INK, weight: 2, fillOpacity: 0 }).addTo(map);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof L === "undefined") return;
    document.querySelectorAll("[data-planning-map]").forEach(function (element) {
      var source = document.getElementById(element.getAttribute("data-map-source"));
      if (!source) return;
      var map = draw(element, JSON.parse(source.textContent));
      pickPoints(map, element);
    });
  });
})();
