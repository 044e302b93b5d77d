// Enhancements for the finder; every page works without them.
// - "Use my location": asks the browser only when tapped, rounds to ~100 m, and
//   puts the point in the search URL (never stored by us).
// - Filters apply as soon as they change.
// - Share: the Web Share API where there is one, else copy the link.
// - "Show on a map" on an activity page loads the map code only then.
(function () {
  "use strict";
  var form = document.getElementById("finder");

  var locate = document.querySelector("[data-locate]");
  if (locate && navigator.geolocation && form) {
    locate.hidden = false;
    locate.addEventListener("click", function () {
      locate.textContent = "Finding you…";
      navigator.geolocation.getCurrentPosition(
        function (position) {
          form.elements.lat.value = position.coords.latitude.toFixed(3);
          form.elements.lng.value = position.coords.longitude.toFixed(3);
          form.elements.where.value = "My location";
          form.submit();
        },
        function () {
          locate.textContent = "Could not find your location: type a postcode instead";
        },
        { maximumAge: 600000, timeout: 10000 }
      );
    });
  }
  if (form) {
    var where = form.elements.where;
    // A typed place replaces "my location".
    if (where) where.addEventListener("input", function () {
      form.elements.lat.value = "";
      form.elements.lng.value = "";
    });
    document.querySelectorAll("#filters select, #filters input[type=checkbox]").forEach(function (el) {
      el.addEventListener("change", function () { form.submit(); });
    });
  }

  var share = document.querySelector("[data-share]");
  if (share) {
    var status = document.querySelector("[data-share-status]");
    share.hidden = false;
    share.addEventListener("click", function () {
      var url = share.getAttribute("data-share");
      if (navigator.share) {
        navigator.share({ title: share.getAttribute("data-share-title"), url: url }).catch(function () {});
      } else if (navigator.clipboard) {
        navigator.clipboard.writeText(url).then(function () {
          status.textContent = "Link copied";
        }, function () {
          status.textContent = "Copy the link above";
        });
      } else {
        document.getElementById("share-url").select();
        status.textContent = "Copy the link above";
      }
    });
  }

  var showMap = document.querySelector("[data-show-map]");
  var mapBox = document.getElementById("map");
  if (showMap && mapBox) {
    showMap.hidden = false;
    showMap.addEventListener("click", function () {
      mapBox.hidden = false;
      showMap.hidden = true;
      var script = document.createElement("script");
      script.src = mapBox.getAttribute("data-map-script");
      document.body.appendChild(script);
    });
  }
})();
