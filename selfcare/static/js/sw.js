// selfcare's service worker. SETTINGS (above, written by the server) names this release, the shell's
// versioned URLs, the generic pages, the offline versions of some pages, and how the server names accounts.
//
// Shell files: from the cache first (their URLs change whenever they do). Pages: from the network
// first, so nothing is ever stale when there is a signal; with no signal, the copy kept on this phone,
// the page's offline version, or the offline page. Only the pages a signed-in patient asks for are
// kept ("keep" message), each with the account that kept it (the server names it on every page with an
// opaque value, SETTINGS.header), and a kept copy is shown only to that account.
//
// Every answer from the server is read before the page sees it: a page for no one (the login page, a 401)
// drops the kept pages; a page for another account drops everything of the last one (its kept pages and
// what the pages saved in IndexedDB). Logging out forgets it all; with no signal, at once, and the session
// ends on the server before anything else is asked when the signal is back.
"use strict";

var SHELL = "shell-" + SETTINGS.version;
var PAGES = "pages";
var WHOSE = "account-";  // an empty cache named for the account whose pages and saved state are on this phone
var LOGOUT = "logout-";  // an empty cache: a logout made with no signal has still to reach the server (see endSession)

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
function nothing() {}

// ---- whose phone this is -------------------------------------------------------------------------
var whose;  // the account whose things are on this phone; "" no one's; null not known yet (kept before this release)
function owner() {
  if (whose !== undefined) { return Promise.resolve(whose); }
  return caches.keys().then(function (names) {
    var name = names.filter(function (n) { return n.indexOf(WHOSE) === 0; })[0];
    whose = name ? name.slice(WHOSE.length) : null;
    return whose;
  });
}
function setOwner(account) {
  return owner().then(function (old) {
    whose = account;
    return Promise.all([old ? caches.delete(WHOSE + old) : null, account ? caches.open(WHOSE + account) : null]);
  });
}
function dropPages() { return caches.delete(PAGES); }
// Everything of the last account: its kept pages and what its pages saved (the outbox, the player, an alert).
// A page that still has the database open lets go of it (offline.js), then it is deleted.
function forgetAll(account) {
  indexedDB.deleteDatabase("selfcare");
  return Promise.all([dropPages(), setOwner(account)]);
}

// Who is signed in on this phone, with no signal: the account cookie the server keeps in step with the login (gone
// when the cookies are cleared or the login's browser session ends). null where a worker cannot read cookies.
function signedInAs() {
  if (!self.cookieStore) { return Promise.resolve(null); }
  return self.cookieStore.get(SETTINGS.cookie).then(function (c) { return c ? c.value : ""; }, function () { return null; });
}

// What an answer says about who is signed in, acted on before the page sees it.
function observe(response) {
  var account = response.headers.get(SETTINGS.header);
  var page = (response.headers.get("Content-Type") || "").indexOf("text/html") === 0;
  var done = account ? owner().then(function (old) {
    return old === account ? null : old === null ? setOwner(account) : forgetAll(account);
  }) : response.status === 401 || (response.ok && page) ? dropPages() : null;  // a page for no one: signed out
  return Promise.resolve(done).then(function () { return response; });
}

// ---- logging out ---------------------------------------------------------------------------------
// A logout made with no signal is remembered as an empty cache named for a hash of the account that logged out
// (nothing on the phone names it), and reaches the server as soon as it can: only that account's session is
// ended (if someone else has logged in since, theirs is left alone; the first one's cookie is gone either way).
function hashOf(account) {
  return crypto.subtle.digest("SHA-256", new TextEncoder().encode("logout:" + account)).then(function (bytes) {
    return Array.prototype.map.call(new Uint8Array(bytes), function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  });
}
var pending;  // the hash of the account whose logout has still to reach the server; "" none
function logoutPending() {
  if (pending !== undefined) { return Promise.resolve(pending); }
  return caches.keys().then(function (names) {
    var name = names.filter(function (n) { return n.indexOf(LOGOUT) === 0; })[0];
    return (pending = name ? name.slice(LOGOUT.length) : "");
  });
}
// End the session on the server: a page gives a fresh form token, then the logout. Rejects while it cannot.
var ending = null;
function endSession(hash) {
  ending = ending || fetch(SETTINGS.home, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
    var account = response.headers.get(SETTINGS.header);
    return (account ? hashOf(account) : Promise.resolve("")).then(function (now) {
      if (now !== hash) { return; }  // that login is over already
      return response.text().then(function (html) {
        var token = /"X-CSRFToken": "([^"]+)"/.exec(html);
        return fetch(SETTINGS.logout, { method: "POST", credentials: "same-origin", cache: "no-store",
          headers: { "X-CSRFToken": token ? token[1] : "" } });
      }).then(function (answer) { if (answer.headers.get(SETTINGS.header)) { throw new Error("still signed in"); } });
    });
  }).then(function () { pending = ""; return caches.delete(LOGOUT + hash); }).finally(function () { ending = null; });
  return ending;
}
// Before any page is asked for, a logout made with no signal goes first.
function settled() {
  return logoutPending().then(function (hash) { return hash ? endSession(hash).catch(nothing) : null; });
}
// Back online: the first requests on a connection just back often fail, so try again, 2 s apart, `tries` times in all.
function settledWhenBack(tries) {
  return settled().then(logoutPending).then(function (hash) {
    if (!hash || tries <= 1) { return null; }
    return new Promise(function (resolve) { setTimeout(resolve, 2000); }).then(function () { return settledWhenBack(tries - 1); });
  });
}

function logout(request) {
  return fetch(request).then(function (response) {
    return forgetAll("").then(function () { return response; });
  }, function () {  // no signal: forget everything now; the server hears of it when the signal is back
    return owner().then(function (account) {
      var later = account ? hashOf(account).then(function (hash) { return caches.open(LOGOUT + hash).then(function () {
        pending = hash;
        if (self.registration.sync) { self.registration.sync.register("logout").catch(nothing); }
      }); }) : null;
      return Promise.all([later, forgetAll("")]);
    }).then(function () { return Response.redirect(SETTINGS.logged_out, 303); });
  });
}

// ---- the pages kept for no signal ----------------------------------------------------------------
// Keep fresh copies of the pages a patient needs offline; drop any page no longer on the list.
function keep(pages) {
  return caches.open(PAGES).then(function (cache) {
    var wanted = new Set(pages);
    var fetched = pages.map(function (page) {
      return fetch(page, { credentials: "same-origin", cache: "no-store" }).then(observe).then(function (response) {
        // A redirect means "not for you now" (logged out, an alert first): keep nothing for it.
        if (response.ok && !response.redirected && response.headers.get(SETTINGS.header)) { return cache.put(page, response); }
        return cache.delete(page);
      }).catch(nothing);  // no signal: keep the copy we have
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
  if (data.type === "claim") { event.waitUntil(self.clients.claim()); return; }  // a page that loaded while this worker started
  if (data.type === "keep" && Array.isArray(data.pages)) { done = settled().then(function () { return keep(data.pages); }); }
  else if (data.type === "forget") { done = forgetAll(""); }
  else if (data.type === "online") { done = settledWhenBack(5); }
  else { return; }
  event.waitUntil(done.then(function () {
    if (event.source) { event.source.postMessage({ type: data.type + "-done" }); }
  }));
});

// The browser's background sync, where it has one: a logout made with no signal reaches the server even when no
// page is open (rejecting makes it try again later).
self.addEventListener("sync", function (event) {
  if (event.tag === "logout") { event.waitUntil(logoutPending().then(function (hash) { return hash && endSession(hash); })); }
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

function shellCopy(path) { return caches.match(path, { cacheName: SHELL, ignoreVary: true }); }

// With no signal: the copy kept of this page (or of its offline version) if it is the account's the phone is
// signed in as; otherwise every kept page goes first. Then a generic page (kept for everyone) or the offline page.
function offlineCopy(request) {
  var path = new URL(request.url).pathname;
  var kept = function (p) { return caches.match(p, { cacheName: PAGES }); };
  return kept(path).then(function (hit) {
    return hit || (SETTINGS.fallbacks[path] ? kept(SETTINGS.fallbacks[path]) : undefined);
  }).then(function (hit) {
    return hit && Promise.all([owner(), signedInAs()]).then(function (now) {
      var account = hit.headers.get(SETTINGS.header);
      if (account && account === now[0] && (now[1] === null || now[1] === account)) { return hit; }
      return dropPages().then(nothing);
    });
  }).then(function (hit) {
    return hit || shellCopy(path).then(function (page) { return page || shellCopy(SETTINGS.offline); });
  });
}

// A GET: from the server, its answer read for whose it is; with no signal, what this phone may show instead.
function network(request) {
  var path = new URL(request.url).pathname;
  return fetch(request).then(observe).then(function (response) {
    // A page already kept for offline use is refreshed whenever it is opened online.
    if (response.ok && !response.redirected && response.headers.get(SETTINGS.header)) {
      var copy = response.clone();
      caches.match(path, { cacheName: PAGES }).then(function (hit) {
        return hit && caches.open(PAGES).then(function (cache) { return cache.put(path, copy); });
      });
    }
    return response;
  }, function (error) {
    if (request.mode === "navigate") { return offlineCopy(request); }
    return shellCopy(path).then(function (page) { if (page) { return page; } throw error; });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (url.pathname.indexOf("/static/") === 0 || url.pathname.indexOf("/assets/") === 0) {
    event.respondWith(fromCache(request));
    return;
  }
  if (request.method === "POST" && url.pathname === SETTINGS.logout) {
    event.respondWith(logout(request));
  } else if (request.method === "GET") {  // every page and read: its answer is read for whose it is (see observe)
    event.respondWith(settled().then(function () { return network(request); }));
  }  // other writes go straight to the server (the page keeps what could not be sent)
});
