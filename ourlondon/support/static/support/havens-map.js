// The safe havens map layer: progressive enhancement over the list, which stays
// the full alternative. Loads the vendored Leaflet only when there is a map,
// draws London's borough outlines from our own data (readable with no tiles),
// and one keyboard-focusable pin per haven from the list's own GeoJSON (havens
// too close to tell apart at this zoom share a numbered marker).
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
    var map = L.map(box, { scrollWheelZoom: false, maxZoom: 19 }).fitBounds(LONDON);
    if (data.tiles) {
      L.tileLayer(data.tiles, { attribution: data.attribution, maxZoom: 19 }).addTo(map);
    }
    fetch(data.boroughs).then(function (r) { return r.json(); }).then(function (geojson) {
      L.geoJSON(geojson, {
        interactive: false,
        style: { color: "#6b6b6b", weight: 1, fillColor: "#eef2f5", fillOpacity: 0.5 }
      }).addTo(map).bringToBack();
    });
    // Pins closer than this on screen become one numbered marker, so every
    // target keeps clear of the others at any zoom (WCAG 2.2 target size);
    // the list below still names each place.
    var SPACING = 34; // px between marker centres; the largest marker is 30 px
    var havens = [];
    var markers = L.layerGroup().addTo(map);

    function go(url) { window.location.href = url; }

    function pin(haven) {
      var marker = L.marker(haven.at, {
        icon: L.divIcon({ html: "", className: "pin", iconSize: [24, 24] }),
        title: haven.label, alt: haven.label, keyboard: true
      });
      marker.on("click", function () { go(haven.url); });
      marker.on("keypress", function (e) {
        if (e.originalEvent.key === "Enter") go(haven.url);
      });
      return marker;
    }

    function group(members) {
      var label = members.length + " safe havens here: zoom in";
      var marker = L.marker(members[0].at, {
        icon: L.divIcon({ html: "<span>" + members.length + "</span>", className: "cluster", iconSize: [30, 30] }),
        title: label, alt: label, keyboard: true
      });
      function open() {
        var bounds = L.latLngBounds(members.map(function (h) { return h.at; }));
        if (map.getZoom() >= map.getMaxZoom() || bounds.getNorthEast().equals(bounds.getSouthWest())) {
          // The same address: only the list can tell them apart.
          document.querySelector("ul.results").scrollIntoView();
        } else {
          map.fitBounds(bounds, { maxZoom: map.getMaxZoom(), padding: [SPACING, SPACING] });
        }
      }
      marker.on("click", open);
      marker.on("keypress", function (e) {
        if (e.originalEvent.key === "Enter") open();
      });
      return marker;
    }

    function draw() {
      var groups = [];
      havens.forEach(function (haven) {
        var at = map.latLngToLayerPoint(haven.at);
        for (var i = 0; i < groups.length; i++) {
          if (groups[i].at.distanceTo(at) < SPACING) {
            groups[i].members.push(haven);
            return;
          }
        }
        groups.push({ at: at, members: [haven] });
      });
      markers.clearLayers();
      groups.forEach(function (g) {
        markers.addLayer(g.members.length === 1 ? pin(g.members[0]) : group(g.members));
      });
      box.dataset.drawnAtZoom = String(map.getZoom());
    }

    fetch(data.geojson).then(function (r) { return r.json(); }).then(function (answer) {
      var status = document.querySelector("[data-map-count]");
      answer.features.forEach(function (feature) {
        var c = feature.geometry.coordinates;
        var p = feature.properties;
        havens.push({
          at: L.latLng(c[1], c[0]), url: p.url,
          label: p.name + " (" + p.kind + (p.open_now ? ", open now" : ", closed now") + ")"
        });
      });
      if (havens.length) {
        // Not animated, so the pins are drawn for the view people will see.
        map.fitBounds(havens.map(function (h) { return h.at; }), { maxZoom: 15, padding: [30, 30], animate: false });
      }
      draw();
      map.on("zoomend", draw);
      if (status) {
        status.textContent = answer.features.length + " safe haven" +
          (answer.features.length === 1 ? "" : "s") + " on the map.";
        status.dataset.total = String(answer.features.length);
      }
    });
  });
})();
