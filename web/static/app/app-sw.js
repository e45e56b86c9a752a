/* Service worker for the young carers' app (/app). Network first, so people always get the
 * newest page; with no connection the last copy opens and shows the numbers that work
 * without the chat. Only this server's own GET requests are handled: chat messages to the
 * assistant are never cached. */
'use strict';
var CACHE = 'family-help-app-v4';
var council = new URL(self.location.href).searchParams.get('council') || '';
var SHELL = [
  '/app', '/app/static/app.js', '/app/manifest.webmanifest', '/app/icon-192.png', '/app/icon-512.png',
  '/widget/static/family-help.js', '/widget/static/family-help.css', '/widget/static/demo-page.css',
  '/widget/vendor/govuk/govuk-frontend.min.css',
  '/widget/vendor/govuk/components/exit-this-page/exit-this-page.bundle.mjs'
].concat(/^[a-z_-]+$/.test(council) ? ['/widget/council/' + council + '.json?audience=young_person'] : []);

self.addEventListener('install', function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(SHELL); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener('activate', function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener('fetch', function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) { return; }
  event.respondWith(fetch(request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(request).then(function (hit) {
      return hit || (request.mode === 'navigate' ? caches.match('/app') : Response.error());
    });
  }));
});
