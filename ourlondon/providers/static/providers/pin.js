// The venue pin in the listing editor: a Leaflet map (vendored, loaded only
// here) with a pin to drag. The pin writes the latitude and longitude fields;
// typing in them moves the pin; a new postcode moves the pin to the postcode's
// point (our own API). Without JavaScript the fields work on their own and the
// postcode alone places the venue. The server checks the pin (in London, within
// 2 km of the postcode) whatever this script does.
(function () {
  "use strict";
  var box = document.getElementById("pin-map");
  if (!box) return;
  var data = box.dataset;
  var lat = document.getElementById("id_venue_lat");
  var lng = document.getElementById("id_venue_lng");
  var postcode = document.getElementById("id_postcode");
  var status = document.getElementById("pin-status");
  var LONDON = [51.507, -0.128];
  var map, pin;

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

  function typed() {
    var a = parseFloat(lat.value), b = parseFloat(lng.value);
    return isFinite(a) && isFinite(b) ? [a, b] : null;
  }

  function place(point, zoom) {
    pin.setLatLng(point);
    map.setView(point, zoom || map.getZoom());
  }

  function write(point) {
    lat.value = point.lat.toFixed(5);
    lng.value = point.lng.toFixed(5);
    status.textContent = "Pin moved to " + lat.value + ", " + lng.value + ".";
  }

  function fromPostcode(initial) {
    var code = (postcode.value || "").replace(/\s+/g, "");
    if (!code) return;
    fetch(data.postcodeApi.replace("POSTCODE", encodeURIComponent(code)))
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (found) {
        if (!found) { status.textContent = "That postcode was not found in London."; return; }
        if (initial && typed()) return;
        place([found.lat, found.lng], 16);
        write(pin.getLatLng());
        status.textContent = "Pin placed at " + found.postcode + ". Drag it to the entrance if needed.";
      });
  }

  withLeaflet(function () {
    box.hidden = false;
    map = L.map(box, { minZoom: 9, maxZoom: 18 });
    if (data.tiles) {
      L.tileLayer(data.tiles, { attribution: data.attribution, maxZoom: 18 }).addTo(map);
    }
    fetch(data.boroughs).then(function (r) { return r.json(); }).then(function (geojson) {
      L.geoJSON(geojson, {
        interactive: false,
        style: { color: "#6b6b6b", weight: 1, fillColor: "#eef2f5", fillOpacity: 0.5 }
      }).addTo(map).bringToBack();
    });
    var start = typed();
    pin = L.marker(start || LONDON, {
      draggable: true, keyboard: true, title: "Venue pin: drag to move", alt: "Venue pin"
    }).addTo(map);
    map.setView(start || LONDON, start ? 16 : 10);
    pin.on("dragend", function () { write(pin.getLatLng()); });
    [lat, lng].forEach(function (field) {
      field.addEventListener("change", function () {
        var point = typed();
        if (point) place(point);
      });
    });
    postcode.addEventListener("change", function () { fromPostcode(false); });
    if (!start) fromPostcode(true);
  });
})();
