// Keeps "Get help now" for when there is no connection. Stores only the public
// help page and the files it loads: no identifier, nothing about the visitor.
"use strict";
var CACHE = "ourlondon-help-{{ version }}";
var ASSETS = {{ assets|safe }};
var HELP = {{ help_url|safe }};

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) { return cache.addAll(ASSETS); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("ourlondon-help-") === 0 && name !== CACHE;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === HELP) {
    // Network first, so the numbers are the latest; the kept copy offline.
    event.respondWith(
      fetch(request).then(function (response) {
        if (response.ok) {
          var copy = response.clone();
          caches.open(CACHE).then(function (cache) { cache.put(HELP, copy); });
        }
        return response;
      }).catch(function () { return caches.match(HELP); })
    );
  } else if (ASSETS.indexOf(url.pathname) !== -1) {
    event.respondWith(
      caches.match(request).then(function (kept) { return kept || fetch(request); })
    );
  } else if (request.mode === "navigate") {
    // Any other page that cannot load offline shows the help page instead.
    event.respondWith(
      fetch(request).catch(function () {
        return caches.match(HELP).then(function (kept) {
          return kept || Response.error();
        });
      })
    );
  }
});
