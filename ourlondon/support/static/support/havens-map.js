// The safe havens map layer: progressive enhancement over the list, which stays
// the full alternative. Loads the vendored Leaflet only when there is a map,
// draws London's borough outlines from our own data (readable with no tiles),
// and one keyboard-focusable pin per haven from the list's own GeoJSON.
(function () {
  "use strict";
  var box = document.getElementById("havens-map");
  if (!box || !window.fetch) return;
  var data = box.dataset;
  var LONDON = [[51.28, -0.51], [51.70, 0.34]];

  function withLeaflet(then) {
    if (window.L) return then();
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = data.leafletCss;
    document.head.appendChild(css);
    var js = document.createElement("script");
    js.src = data.leafletJs;
    js.onload = then;
    document.head.appendChild(js);
  }

  withLeaflet(function () {
    var map = L.map(box, { scrollWheelZoom: false }).fitBounds(LONDON);
    if (data.tiles) {
      L.tileLayer(data.tiles, { attribution: data.attribution, maxZoom: 19 }).addTo(map);
    }
    fetch(data.boroughs).then(function (r) { return r.json(); }).then(function (geojson) {
      L.geoJSON(geojson, {
        interactive: false,
        style: { color: "#6b6b6b", weight: 1, fillColor: "#eef2f5", fillOpacity: 0.5 }
      }).addTo(map).bringToBack();
    });
    fetch(data.geojson).then(function (r) { return r.json(); }).then(function (answer) {
      var status = document.querySelector("[data-map-count]");
      var points = [];
      answer.features.forEach(function (feature) {
        var c = feature.geometry.coordinates;
        var p = feature.properties;
        var label = p.name + " (" + p.kind + (p.open_now ? ", open now" : ", closed now") + ")";
        var marker = L.marker([c[1], c[0]], {
          icon: L.divIcon({ html: "", className: "pin", iconSize: [24, 24] }),
          title: label, alt: label, keyboard: true
        }).addTo(map);
        marker.on("click", function () { window.location.href = p.url; });
        marker.on("keypress", function (e) {
          if (e.originalEvent.key === "Enter") window.location.href = p.url;
        });
        points.push([c[1], c[0]]);
      });
      if (points.length) map.fitBounds(points, { maxZoom: 15, padding: [30, 30] });
      if (status) {
        status.textContent = answer.features.length + " safe haven" +
          (answer.features.length === 1 ? "" : "s") + " on the map.";
        status.dataset.total = String(answer.features.length);
      }
    });
  });
})();
