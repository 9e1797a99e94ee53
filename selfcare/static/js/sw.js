// selfcare's service worker. SETTINGS (above, written by the server) names this release, the shell's
// versioned URLs, the offline page and the offline versions of some pages.
//
// Shell files: from the cache first (their URLs change whenever they do). Pages: from the network
// first, so nothing is ever stale when there is a signal; with no signal, the copy kept on this phone,
// the page's offline version, or the offline page. Only the pages a signed-in patient asks for are
// kept ("keep" message), and logging out forgets them.
"use strict";

var SHELL = "shell-" + SETTINGS.version;
var PAGES = "pages";

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(SHELL)
      .then(function (cache) { return cache.addAll(SETTINGS.shell); })
      .then(function () { return self.skipWaiting(); })  // a new release takes over at once
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys()
      .then(function (names) {
        return Promise.all(names.map(function (name) {
          return name.indexOf("shell-") === 0 && name !== SHELL ? caches.delete(name) : null;
        }));
      })
      .then(function () { return self.clients.claim(); })
  );
});

function pathOf(url) { var u = new URL(url); return u.pathname + u.search; }

// Keep fresh copies of the pages a patient needs offline; drop any page no longer on the list.
function keep(pages) {
  return caches.open(PAGES).then(function (cache) {
    var wanted = new Set(pages);
    var fetched = pages.map(function (page) {
      return fetch(page, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
        // A redirect means "not for you now" (logged out, an alert first): keep nothing for it.
        if (response.ok && !response.redirected) { return cache.put(page, response); }
        return cache.delete(page);
      }).catch(function () { /* no signal: keep the copy we have */ });
    });
    return Promise.all(fetched).then(function () { return cache.keys(); }).then(function (requests) {
      return Promise.all(requests.map(function (request) {
        return wanted.has(pathOf(request.url)) ? null : cache.delete(request);
      }));
    });
  });
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  var done;
  if (data.type === "keep" && Array.isArray(data.pages)) { done = keep(data.pages); }
  else if (data.type === "forget") { done = caches.delete(PAGES); }
  else { return; }
  event.waitUntil(done.then(function () {
    if (event.source) { event.source.postMessage({ type: data.type + "-done" }); }
  }));
});

function fromCache(request) {
  return caches.match(request, { ignoreVary: true }).then(function (hit) {
    return hit || fetch(request).then(function (response) {
      if (response.ok && request.url.indexOf("?v=") !== -1) {  // a versioned file: keep it with the shell
        var copy = response.clone();
        caches.open(SHELL).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    });
  });
}

function offlineCopy(request) {
  var path = new URL(request.url).pathname;
  return caches.open(PAGES).then(function (cache) {
    return cache.match(path).then(function (hit) {
      if (hit) { return hit; }
      if (SETTINGS.fallbacks[path]) { return cache.match(SETTINGS.fallbacks[path]); }
      return undefined;
    });
  }).then(function (hit) { return hit || caches.match(SETTINGS.offline); });
}

function network(request) {
  return fetch(request).then(function (response) {
    var path = new URL(request.url).pathname;
    if (path === SETTINGS.logout) { caches.delete(PAGES); }
    // A page already kept for offline use is refreshed whenever it is opened online.
    if (request.method === "GET" && response.ok && !response.redirected) {
      var copy = response.clone();
      caches.open(PAGES).then(function (cache) {
        return cache.match(path).then(function (hit) { return hit ? cache.put(path, copy) : null; });
      });
    }
    return response;
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.method !== "GET") {
    if (url.pathname === SETTINGS.logout) { event.respondWith(network(request)); }
    return;  // writes always go to the server (the page keeps what could not be sent)
  }
  if (url.pathname.indexOf("/static/") === 0 || url.pathname.indexOf("/assets/") === 0) {
    event.respondWith(fromCache(request));
  } else if (request.mode === "navigate") {
    event.respondWith(network(request).catch(function () { return offlineCopy(request); }));
  }
});
