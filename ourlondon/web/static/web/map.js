// The map: loaded only when a map is shown. Leaflet (vendored) draws London's
// borough outlines from our own data, so it is readable with no tiles; tiles are
// added when a tile URL is configured. Results come from /api/v1/clusters with
// the same filters as the list, as cells with counts, or single activities once
// zoomed in. Markers are keyboard-focusable; the list is the full alternative.
(function () {
  "use strict";
  var box = document.getElementById("map");
  if (!box) return;
  var data = box.dataset;
  var LONDON = [[51.28, -0.51], [51.70, 0.34]];
  var SPACING = 50; // px between marker centres; the largest marker is 46 px

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

  function icon(html, className, size) {
    return L.divIcon({ html: html, className: className, iconSize: [size, size] });
  }

  function outlines(map, then) {
    fetch(data.boroughs).then(function (r) { return r.json(); }).then(function (geojson) {
      var layer = L.geoJSON(geojson, {
        interactive: false,
        style: { color: "#6b6b6b", weight: 1, fillColor: "#eef2f5", fillOpacity: 0.5 }
      }).addTo(map);
      layer.bringToBack();
      if (then) then(layer);
    });
  }

  function single(map) {
    var point = [parseFloat(data.lat), parseFloat(data.lng)];
    map.setView(point, 15);
    L.marker(point, { icon: icon("", "pin", 24), title: data.title, alt: data.title }).addTo(map);
    outlines(map);
  }

  function results(map) {
    var status = document.querySelector("[data-map-count]");
    var markers = L.layerGroup().addTo(map);
    var pending = null;
    function activityUrl(id) { return data.activityUrl.replace("/0/", "/" + id + "/"); }
    // Cells from the server are a grid; near a grid line two can sit almost on
    // top of each other. Merge any closer than a marker's width, biggest first,
    // so every target stays clear of the others (WCAG 2.2 target size).
    function spaced(cells) {
      var placed = [];
      cells.slice().sort(function (a, b) { return b.count - a.count; }).forEach(function (cell) {
        var at = map.latLngToContainerPoint([cell.lat, cell.lng]);
        for (var i = 0; i < placed.length; i++) {
          if (placed[i].at.distanceTo(at) < SPACING) {
            placed[i].cell = { lat: placed[i].cell.lat, lng: placed[i].cell.lng, count: placed[i].cell.count + cell.count, activity_id: null };
            return;
          }
        }
        placed.push({ at: at, cell: cell });
      });
      return placed.map(function (p) { return p.cell; });
    }
    function draw(answer) {
      markers.clearLayers();
      var total = 0;
      spaced(answer.cells).forEach(function (cell) {
        total += cell.count;
        var marker;
        if (cell.count === 1 && cell.activity_id) {
          marker = L.marker([cell.lat, cell.lng], {
            icon: icon("", "pin", 24), title: "Open this activity", alt: "Open this activity", keyboard: true
          });
          marker.on("click", function () { window.location.href = activityUrl(cell.activity_id); });
        } else {
          var size = cell.count < 10 ? 30 : cell.count < 100 ? 38 : 46;
          marker = L.marker([cell.lat, cell.lng], {
            icon: icon("<span>" + cell.count + "</span>", "cluster", size),
            title: cell.count + " activities here: zoom in", keyboard: true
          });
          marker.on("click", function () {
            map.setView([cell.lat, cell.lng], Math.min(map.getZoom() + 2, 18));
          });
        }
        markers.addLayer(marker);
      });
      status.textContent = total + " activit" + (total === 1 ? "y" : "ies") + " on this map view";
      status.setAttribute("data-total", String(total));
    }
    function refresh() {
      var b = map.getBounds();
      var bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(5); });
      var url = data.clusters + "&bbox=" + bbox.join(",") + "&zoom=" + map.getZoom();
      if (pending) pending.abort();
      pending = new AbortController();
      status.textContent = "Loading the map…";
      fetch(url, { signal: pending.signal }).then(function (r) {
        if (!r.ok) throw new Error(String(r.status));
        return r.json();
      }).then(draw).catch(function (error) {
        if (error.name !== "AbortError") status.textContent = "The map could not load: the list shows every result.";
      });
    }
    map.on("moveend", refresh);
    if (data.lat) {
      var centre = L.latLng(parseFloat(data.lat), parseFloat(data.lng));
      map.fitBounds(centre.toBounds(parseFloat(data.radius) * 2000));
      outlines(map);
    } else if (data.borough) {
      map.fitBounds(LONDON);
      outlines(map, function (layer) {
        layer.eachLayer(function (area) {
          if (area.feature.properties.code === data.borough) map.fitBounds(area.getBounds());
        });
      });
    } else {
      map.fitBounds(LONDON);
      outlines(map);
    }
  }

  withLeaflet(function () {
    var map = L.map(box, { minZoom: 9, maxZoom: 18, maxBounds: L.latLngBounds(LONDON).pad(0.6) });
    if (data.tiles) {
      L.tileLayer(data.tiles, { attribution: data.attribution, maxZoom: 18 }).addTo(map);
    }
    if (data.clusters) {
      results(map);
      // On a phone the search form fills the first screen: someone who chose
      // the map wants to see it.
      if (window.innerWidth < 960) box.parentNode.scrollIntoView();
    } else {
      single(map);
    }
  });
})();
