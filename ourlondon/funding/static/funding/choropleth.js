// The borough map: a picture of the table on the same page, which stays the
// full, accessible content. Reads each row's figures, draws London's outlines
// (our own data, no tiles needed) with Leaflet, shades them in five classes,
// and lets the reader choose amount or amount per young person. Mouse users get
// a tooltip; the map itself is an image to assistive technology.
(function () {
  "use strict";
  var box = document.getElementById("borough-map");
  var table = document.getElementById("borough-table");
  if (!box || !table || !window.fetch) return;
  var data = box.dataset;
  // Light to dark blue; the darkest keeps 3:1 against the page's white.
  var COLOURS = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"];
  var rows = {};
  Array.prototype.forEach.call(table.querySelectorAll("tbody tr[data-code]"), function (tr) {
    rows[tr.dataset.code] = {
      name: tr.querySelector("th").textContent.trim(),
      amount: parseFloat(tr.dataset.amount) || 0,
      "per-person": tr.dataset.perPerson === "" ? null : parseFloat(tr.dataset.perPerson)
    };
  });
  var measure = "amount";
  var layer = null;

  function money(value, pence) {
    return "£" + value.toLocaleString("en-GB", {
      minimumFractionDigits: pence ? 2 : 0, maximumFractionDigits: pence ? 2 : 0
    });
  }

  function breaks() {
    var values = Object.keys(rows).map(function (k) { return rows[k][measure]; })
      .filter(function (v) { return v !== null && v > 0; }).sort(function (a, b) { return a - b; });
    if (!values.length) return [];
    return [0.2, 0.4, 0.6, 0.8].map(function (q) { return values[Math.floor(q * (values.length - 1))]; });
  }

  function colour(value, cuts) {
    if (value === null || value <= 0) return "#ffffff";
    var i = 0;
    while (i < cuts.length && value > cuts[i]) i++;
    return COLOURS[i];
  }

  function legend(cuts) {
    var el = document.getElementById("map-legend");
    var pence = measure === "per-person";
    var html = '<span><i style="background:#ffffff"></i>None</span>';
    var low = 0;
    for (var i = 0; i < COLOURS.length; i++) {
      var high = cuts[i];
      var text = high === undefined ? "over " + money(low, pence) : "up to " + money(high, pence);
      html += '<span><i style="background:' + COLOURS[i] + '"></i>' + text + "</span>";
      if (high !== undefined) low = high;
    }
    el.innerHTML = html;
  }

  function paint() {
    var cuts = breaks();
    layer.setStyle(function (feature) {
      var row = rows[feature.properties.code];
      return {
        color: "#4a4a4a", weight: 1, fillOpacity: 0.9,
        fillColor: colour(row ? row[measure] : null, cuts)
      };
    });
    layer.eachLayer(function (shape) {
      var row = rows[shape.feature.properties.code];
      if (!row) return;
      var value = row[measure];
      shape.setTooltipContent(row.name + ": " + (value === null ? "no figure" : money(value, measure === "per-person")));
    });
    legend(cuts);
  }

  function draw() {
    box.innerHTML = "";
    var map = L.map(box, {
      zoomControl: false, keyboard: false, attributionControl: false,
      scrollWheelZoom: false, zoomSnap: 0.25
    });
    if (data.tiles) L.tileLayer(data.tiles, { maxZoom: 18 }).addTo(map);
    fetch(data.boroughs).then(function (r) { return r.json(); }).then(function (geojson) {
      layer = L.geoJSON(geojson, {
        onEachFeature: function (feature, shape) { shape.bindTooltip("", { sticky: true }); }
      }).addTo(map);
      map.fitBounds(layer.getBounds());
      paint();
      box.setAttribute("data-ready", "true");
    });
    var choice = document.querySelector("[data-measure-choice]");
    choice.hidden = false;
    Array.prototype.forEach.call(choice.querySelectorAll("button"), function (button) {
      button.addEventListener("click", function () {
        measure = button.dataset.measure;
        Array.prototype.forEach.call(choice.querySelectorAll("button"), function (b) {
          b.setAttribute("aria-pressed", String(b === button));
        });
        if (layer) paint();
      });
    });
  }

  if (window.L) return draw();
  var css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = data.leafletCss;
  document.head.appendChild(css);
  var js = document.createElement("script");
  js.src = data.leafletJs;
  js.onload = draw;
  document.head.appendChild(js);
})();
