// Office maps of stations and merchants (Leaflet, served from /static/vendor, never a CDN):
//   data-station-map="list"    the filtered stations, markers coloured by status, each opening its page;
//   data-station-map="point"   one place;
//   data-station-map="picker"  a form's map: a click sets its latitude and longitude (WGS-84).
// Data comes from <script type="application/json"> blocks (the CSP forbids inline scripts). With no
// tile service configured the map has no base layer: the markers sit on a plain background.
(function () {
  "use strict";
  var COLOURS = { open: "#137333", paused: "#e37400", closed: "#80868b" };
  var CHINA = [35.0, 105.0];

  function json(id) {
    var element = id && document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function baseMap(element, config) {
    var map = L.map(element, { preferCanvas: true });
    map.attributionControl.setPrefix("Leaflet");
    if (config.tile_url) {
      L.tileLayer(config.tile_url, { attribution: config.attribution || "", maxZoom: 18 }).addTo(map);
    }
    return map;
  }

  function marker(point, status) {
    return L.circleMarker(point, {
      radius: 7, color: "#fff", weight: 1.5, fillColor: COLOURS[status] || COLOURS.open, fillOpacity: 0.9
    });
  }

  function popup(row, config, detailUrl) {
    // Text nodes only: a station's name is data, never markup.
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = detailUrl.replace(/\/0\/$/, "/" + row[0] + "/");
    link.textContent = row[1];
    box.appendChild(link);
    var status = document.createElement("div");
    status.textContent = (config.labels && config.labels[row[4]]) || row[4];
    box.appendChild(status);
    return box;
  }

  function listMap(element, config) {
    var rows = json(element.getAttribute("data-map-points")) || [];
    var detailUrl = element.getAttribute("data-detail-url") || "";
    var map = baseMap(element, config);
    var bounds = [];
    rows.forEach(function (row) {
      var point = [row[2], row[3]];
      bounds.push(point);
      marker(point, row[4]).bindPopup(function () { return popup(row, config, detailUrl); }).addTo(map);
    });
    if (bounds.length) map.fitBounds(bounds, { padding: [24, 24], maxZoom: 15 });
    else map.setView(CHINA, 4);
  }

  function pointMap(element, config) {
    var point = json(element.getAttribute("data-map-point"));
    var map = baseMap(element, config);
    if (point) {
      marker(point, element.getAttribute("data-status")).addTo(map);
      map.setView(point, 15);
    } else {
      map.setView(CHINA, 4);
    }
  }

  function pickerMap(element, config) {
    var lat = document.getElementById(element.getAttribute("data-lat"));
    var lng = document.getElementById(element.getAttribute("data-lng"));
    var crs = document.getElementById(element.getAttribute("data-crs"));
    var point = json(element.getAttribute("data-map-point"));
    var map = baseMap(element, config);
    var pin = null;
    function place(latlng) {
      if (pin) pin.setLatLng(latlng);
      else pin = marker(latlng, "open").addTo(map);
    }
    if (point) {
      place(point);
      map.setView(point, 15);
    } else {
      map.setView(CHINA, 4);
    }
    map.on("click", function (event) {
      var p = event.latlng.wrap();
      place(p);
      if (lat) lat.value = p.lat.toFixed(6);
      if (lng) lng.value = p.lng.toFixed(6);
      if (crs) crs.value = "WGS84";
    });
    // Typed WGS-84 numbers move the pin too.
    function typed() {
      var y = parseFloat(lat && lat.value), x = parseFloat(lng && lng.value);
      if (crs && crs.value !== "WGS84") return;
      if (isFinite(y) && isFinite(x) && Math.abs(y) <= 90 && Math.abs(x) <= 180) {
        place([y, x]);
        map.panTo([y, x]);
      }
    }
    [lat, lng].forEach(function (input) { if (input) input.addEventListener("change", typed); });
  }

  var kinds = { list: listMap, point: pointMap, picker: pickerMap };
  document.addEventListener("DOMContentLoaded", function () {
    if (typeof L === "undefined") return;
    document.querySelectorAll("[data-station-map]").forEach(function (element) {
      var draw = kinds[element.getAttribute("data-station-map")];
      if (draw) draw(element, json(element.getAttribute("data-map-config")) || {});
    });
  });
})();
