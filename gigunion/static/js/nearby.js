// The stations page (/m/stations/): the place comes from the phone's location, the last place used or a tap
// on the map; the list, the merchants and the map come from the public JSON endpoints. Without this script
// the page still lists the stations near ?lat=&lng= or a chosen district, rendered by the server.
(function () {
  "use strict";
  var configNode = document.getElementById("nearby-config");
  if (!configNode || !window.fetch || !window.JSON) return;
  var config = JSON.parse(configNode.textContent);
  var text = config.text;
  var LAST_KEY = "gigunion.nearby.last";

  var state = { point: config.point, services: config.services.slice(), allDay: config.all_day };
  var stationList = document.querySelector("[data-station-list]");
  var merchantList = document.querySelector("[data-merchant-list]");
  var emptyStations = document.querySelector("[data-empty]");
  var emptyMerchants = document.querySelector("[data-merchants-empty]");
  var placeLabel = document.querySelector("[data-place-label]");
  var placeMessage = document.querySelector("[data-place-message]");
  var lastButton = document.querySelector("[data-last]");
  var version = 0; // bumped by each load, so a late answer for an older place or filter is dropped
  // What the list, the merchants and the map show. A place chosen on the server (?lat=&lng=, a district, the
  // back link of a station's page) comes with its stations and merchants, so the map has them too.
  var latest = { stations: config.stations || [], merchants: config.merchants || [] };
  var map = null;
  var mapLayer = null;
  var leafletLoading = null;

  function each(selector, callback) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), callback);
  }

  each("[data-js-only]", function (node) { node.hidden = false; });

  function say(message) {
    placeMessage.textContent = message || "";
  }

  function fill(template, key, value) {
    return template.replace("%(" + key + ")s", value);
  }

  // The same words as the server's distance_text: metres to the ten below a kilometre, then kilometres.
  function distanceText(metres) {
    var tens = Math.max(10, Math.floor(metres / 10 + 0.5) * 10);
    if (tens < 1000) return fill(text.m, "metres", String(tens));
    var km = metres / 1000;
    return fill(text.km, "km", km < 99.95 ? km.toFixed(1) : km.toFixed(0));
  }

  function opening(station) {
    if (station.all_day) return "all_day";
    if (!station.hours) return "unknown";
    return station.open_now ? "open" : "closed";
  }

  function element(tag, className, content) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (content) node.textContent = content;
    return node;
  }

  function pointQuery(point) {
    return "lat=" + point.lat.toFixed(6) + "&lng=" + point.lng.toFixed(6);
  }

  function filterQuery() {
    var query = "";
    if (state.services.length) query += "&services=" + state.services.join(",");
    if (state.allDay) query += "&all_day=1";
    return query;
  }

  function stationItem(station) {
    var item = element("li", "m-station");
    item.setAttribute("data-code", station.code);
    var link = element("a", "m-station-link");
    link.href = station.url + "?" + pointQuery(state.point);
    var top = element("span", "m-station-top");
    top.appendChild(element("strong", "m-station-name", station.name));
    top.appendChild(document.createTextNode(" "));
    top.appendChild(element("span", "m-distance", distanceText(station.distance_m)));
    link.appendChild(top);
    var meta = element("span", "m-station-meta");
    meta.appendChild(element("span", "m-kind", station.kind_label));
    meta.appendChild(document.createTextNode(" "));
    var key = opening(station);
    meta.appendChild(element("span", "m-open m-open-" + key, config.opening[key]));
    link.appendChild(meta);
    if (station.services.length) {
      var services = element("span", "m-services");
      station.services.forEach(function (code) {
        services.appendChild(element("span", "m-service", config.service_labels[code] || code));
      });
      link.appendChild(services);
    }
    item.appendChild(link);
    return item;
  }

  function merchantItem(merchant) {
    var item = element("li", "m-merchant");
    item.setAttribute("data-code", merchant.code);
    var top = element("span", "m-station-top");
    top.appendChild(element("strong", "m-station-name", merchant.name));
    top.appendChild(document.createTextNode(" "));
    top.appendChild(element("span", "m-distance", distanceText(merchant.distance_m)));
    item.appendChild(top);
    var meta = element("span", "m-station-meta");
    if (merchant.category) {
      meta.appendChild(element("span", "m-kind", merchant.category));
      meta.appendChild(document.createTextNode(" "));
    }
    meta.appendChild(document.createTextNode(merchant.address));
    item.appendChild(meta);
    if (merchant.offers.length) {
      var offers = element("span", "m-offers");
      merchant.offers.forEach(function (title) { offers.appendChild(element("span", "m-offer", title)); });
      item.appendChild(offers);
    }
    return item;
  }

  function render() {
    stationList.textContent = "";
    latest.stations.forEach(function (station) { stationList.appendChild(stationItem(station)); });
    emptyStations.hidden = latest.stations.length > 0;
    merchantList.textContent = "";
    latest.merchants.forEach(function (merchant) { merchantList.appendChild(merchantItem(merchant)); });
    emptyMerchants.hidden = latest.merchants.length > 0;
    drawMap();
  }

  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    });
  }

  function load() {
    if (!state.point) return;
    var asked = ++version;
    var place = pointQuery(state.point);
    if (window.history && history.replaceState) {
      history.replaceState(null, "", "?" + place + filterQuery());
    }
    var stations = getJson(config.stations_api + "?" + place + "&limit=" + config.limit + filterQuery());
    var merchants = getJson(config.merchants_api + "?" + place + "&limit=" + config.merchant_limit);
    Promise.all([stations, merchants]).then(function (answers) {
      if (asked !== version) return;
      latest = { stations: answers[0].stations, merchants: answers[1].merchants };
      render();
    }).catch(function () {
      if (asked === version) say(text.failed);
    });
  }

  function setPoint(lat, lng, label, remember) {
    state.point = { lat: lat, lng: lng };
    placeLabel.textContent = label;
    say("");
    var county = document.querySelector("[data-county]");
    if (county) county.open = false;
    if (remember) {
      try {
        localStorage.setItem(LAST_KEY, JSON.stringify({ lat: lat, lng: lng }));
      } catch (error) { /* private mode: no last place */ }
    }
    load();
  }

  function locate() {
    if (!navigator.geolocation) {
      say(text.unsupported);
      return;
    }
    say(text.locating);
    navigator.geolocation.getCurrentPosition(
      function (position) {
        setPoint(position.coords.latitude, position.coords.longitude, text.my_place, true);
      },
      function (error) {
        say(error.code === 1 ? text.denied : text.unavailable);
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
  }

  function lastPlace() {
    try {
      var stored = JSON.parse(localStorage.getItem(LAST_KEY) || "null");
      if (stored && typeof stored.lat === "number" && typeof stored.lng === "number") return stored;
    } catch (error) { /* nothing stored, or storage off */ }
    return null;
  }

  // Filters: the chips are links for pages without the script; here they switch in place.
  document.addEventListener("click", function (event) {
    var chip = event.target instanceof Element ? event.target.closest("[data-filter]") : null;
    if (!chip) return;
    event.preventDefault();
    var code = chip.getAttribute("data-filter");
    var on = chip.getAttribute("aria-pressed") !== "true";
    chip.setAttribute("aria-pressed", on ? "true" : "false");
    if (code === "all_day") {
      state.allDay = on;
    } else if (on) {
      state.services.push(code);
    } else {
      state.services = state.services.filter(function (service) { return service !== code; });
    }
    if (state.point) {
      load();
    } else if (window.history && history.replaceState) {
      history.replaceState(null, "", "?" + filterQuery().slice(1));
    }
  });

  // Tabs: the list, the map, the merchants.
  function showTab(name) {
    each("[data-tab]", function (tab) {
      tab.setAttribute("aria-selected", tab.getAttribute("data-tab") === name ? "true" : "false");
    });
    each("[data-panel]", function (panel) { panel.hidden = panel.getAttribute("data-panel") !== name; });
    if (name === "map") ensureMap();
  }
  each("[data-tab]", function (tab) {
    tab.addEventListener("click", function () { showTab(tab.getAttribute("data-tab")); });
  });
  showTab("list");

  // The map: Leaflet is loaded only when the map is first shown (a smaller page for slow networks).
  function loadLeaflet() {
    if (window.L) return Promise.resolve();
    if (leafletLoading) return leafletLoading;
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = config.leaflet_css;
    document.head.appendChild(css);
    leafletLoading = new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = config.leaflet_js;
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
    return leafletLoading;
  }

  function ensureMap() {
    loadLeaflet().then(function () {
      var holder = document.querySelector("[data-map]");
      if (!map) {
        map = L.map(holder, { attributionControl: Boolean(config.tile_url) });
        if (config.tile_url) {
          L.tileLayer(config.tile_url, { attribution: config.tile_attribution, maxZoom: 18 }).addTo(map);
        } else {
          holder.classList.add("is-plain"); // no base layer configured: markers on a plain background
        }
        mapLayer = L.layerGroup().addTo(map);
        map.on("click", function (event) {
          // A map panned round the world gives longitudes past ±180: the same place, wrapped back.
          var picked = event.latlng.wrap();
          setPoint(picked.lat, picked.lng, text.picked, true);
        });
        var start = state.point || config.centre;
        map.setView([start.lat, start.lng], state.point ? 15 : 12);
      }
      map.invalidateSize();
      drawMap();
    }).catch(function () { say(text.failed); });
  }

  function drawMap() {
    if (!map || !state.point) return;
    mapLayer.clearLayers();
    var here = [state.point.lat, state.point.lng];
    L.circle(here, { radius: 1000, className: "m-map-circle", interactive: false }).addTo(mapLayer);
    L.circleMarker(here, { radius: 8, className: "m-map-here" }).bindTooltip(text.here).addTo(mapLayer);
    var bounds = L.latLngBounds([here]);
    latest.stations.forEach(function (station) {
      var popup = element("div", "m-map-popup");
      popup.appendChild(element("strong", "", station.name));
      popup.appendChild(element("span", "", " " + distanceText(station.distance_m)));
      var link = element("a", "", text.open_page);
      link.href = station.url + "?" + pointQuery(state.point);
      popup.appendChild(element("br"));
      popup.appendChild(link);
      L.circleMarker([station.lat, station.lng], {
        radius: 7,
        className: "m-map-station m-map-" + opening(station),
      }).bindPopup(popup).addTo(mapLayer);
      bounds.extend([station.lat, station.lng]);
    });
    map.fitBounds(bounds, { padding: [24, 24], maxZoom: 16 });
  }

  // The place: buttons, and on opening the page the phone's location when it was allowed before.
  var locateButton = document.querySelector("[data-locate]");
  if (locateButton) locateButton.addEventListener("click", locate);
  var pickButton = document.querySelector("[data-pick]");
  if (pickButton) {
    pickButton.addEventListener("click", function () {
      showTab("map");
      say(text.pick_hint);
    });
  }
  var last = lastPlace();
  if (state.point) {
    try {
      localStorage.setItem(LAST_KEY, JSON.stringify(state.point)); // a district's centre or a shared link
    } catch (error) { /* storage off */ }
  }
  if (last && lastButton) {
    lastButton.hidden = false;
    lastButton.addEventListener("click", function () { setPoint(last.lat, last.lng, text.last_place, false); });
  }
  if (!state.point && navigator.permissions && navigator.permissions.query) {
    navigator.permissions.query({ name: "geolocation" }).then(function (status) {
      if (status.state === "granted" && !state.point) locate();
    }).catch(function () { /* no permission API: wait for the button */ });
  }
})();
