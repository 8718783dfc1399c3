// The region picker of the join page: province → city → county → street selects from /m/regions/,
// writing the chosen code into the work_region input. Without JavaScript the input takes a code.
(function () {
  "use strict";
  var picker = document.querySelector("[data-region-picker]");
  if (!picker || !window.fetch || !window.JSON) return;
  var input = picker.querySelector("input[name=work_region]");
  var holder = picker.querySelector(".region-selects");
  if (!input || !holder) return;
  var url = picker.getAttribute("data-url");
  var choose = picker.getAttribute("data-choose") || "";
  var labels = (picker.getAttribute("data-labels") || "").split("|");
  var chain = (picker.getAttribute("data-chain") || "").split(",").filter(function (code) { return code; });

  var version = 0; // bumped by each choice, so a late answer for an abandoned choice is dropped

  function fallBack() {
    picker.classList.remove("is-enhanced");
    holder.innerHTML = "";
  }

  // The deepest region chosen. A province or a city with places below it is not enough: the
  // worker picks at least the county, so nobody lands in a provincial federation by mistake.
  function chosen() {
    var selects = holder.querySelectorAll("select");
    for (var i = selects.length - 1; i >= 0; i--) {
      var code = selects[i].value;
      if (!code) continue;
      var broad = code.length === 6 && code.slice(4) === "00";
      return broad && i < selects.length - 1 ? "" : code;
    }
    return "";
  }

  function update() {
    input.value = chosen();
  }

  function level(depth, parent, preset) {
    var asked = version;
    var address = url + (parent ? "?parent=" + encodeURIComponent(parent) : "");
    fetch(address, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("regions " + response.status);
        return response.json();
      })
      .then(function (data) {
        if (asked !== version || !data.regions || !data.regions.length) return;
        var select = document.createElement("select");
        select.setAttribute("aria-label", labels[depth] || choose);
        select.setAttribute("data-depth", String(depth));
        var empty = document.createElement("option");
        empty.value = "";
        empty.textContent = (labels[depth] ? labels[depth] + ": " : "") + choose;
        select.appendChild(empty);
        data.regions.forEach(function (region) {
          var option = document.createElement("option");
          option.value = region.code;
          option.textContent = region.name;
          if (region.code === preset) option.selected = true;
          select.appendChild(option);
        });
        holder.appendChild(select);
        picker.classList.add("is-enhanced");
        if (depth > 0 && !preset) update(); // while a preset loads, the input keeps the server's value
        select.addEventListener("change", function () {
          version += 1;
          while (select.nextSibling) holder.removeChild(select.nextSibling);
          update();
          // Streets (9 digits) are deep enough: the union of the street is found from there.
          if (select.value && select.value.length < 9) level(depth + 1, select.value, "");
        });
        if (preset && select.value === preset && preset.length < 9) level(depth + 1, preset, chain[depth + 1] || "");
      })
      .catch(fallBack);
  }

  level(0, "", chain[0] || "");
})();
