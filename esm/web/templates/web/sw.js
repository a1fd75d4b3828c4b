{% load i18n %}// ESM's service worker (served from /sw.js by esm.web.views.service_worker; never cached itself).
//
// - The app shell (CSS, JS, icons) comes from the cache and is refreshed in the background.
// - The desk pages a technician reads on the road — "Mine" (/desk/?queue=mine) and each case
//   (/desk/cases/<number>/) — come from the network when it answers, else from the copy
//   saved the last time; such a copy is marked so the page can say "Offline — the copy from 10:42".
// - The page asks it to save pages ahead (the cases of "Mine"); the page clears the saved pages
//   on sign-out, so nobody reads another person's cases.
// - Nothing but GET is touched: replies and notes written offline wait in the page's outbox
//   (cases/outbox.js), not here.
"use strict";

const VERSION = "{{ version }}";
const SHELL_CACHE = "esm-shell-" + VERSION;
const PAGE_CACHE = "esm-pages";
const SHELL = {{ shell|safe }};
const STATIC_PREFIX = {{ static_prefix|safe }};
const FRESH_FOR_MS = 60 * 1000;  // the page being read: saved again unless saved this recently
const AHEAD_FRESH_FOR_MS = 10 * 60 * 1000;  // the cases of "Mine": fetched ahead at most every ten minutes
const PREFETCH_LIMIT = 50;
const TEXT = {
  title: "{% filter escapejs %}{% translate "You are offline" %}{% endfilter %}",
  body: "{% filter escapejs %}{% translate "This page was not saved on this phone. Your own cases are saved when you open “Mine” with a connection." %}{% endfilter %}",
  mine: "{% filter escapejs %}{% translate "Mine" %}{% endfilter %}",
};

self.addEventListener("install", (event) => {
  // Sends (replies, notes, the handling-time beacon) never pass through this worker: a beacon sent while a
  // page unloads is otherwise lost when the worker has to be woken for it.
  if (event.addRoutes) {
    try {
      event.addRoutes([{ condition: { requestMethod: "POST" }, source: "network" }]);
    } catch (error) { /* an older browser: the fetch handler below lets POSTs through */ }
  }
  event.waitUntil(
    caches.open(SHELL_CACHE)
      .then((cache) => Promise.all(SHELL.map((url) => cache.add(url).catch(() => null))))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names.filter((name) => name.startsWith("esm-shell-") && name !== SHELL_CACHE).map((name) => caches.delete(name))
      ))
      .then(() => self.clients.claim())
  );
});

// The pages worth keeping: "Mine" and a case page (no other queue, no filters, no htmx fragments).
function pageKey(url) {
  if (url.origin !== self.location.origin) return null;
  if (/^\/desk\/cases\/[^/]+\/$/.test(url.pathname) && !url.search) return url.origin + url.pathname;
  if (url.pathname === "/desk/" && url.searchParams.get("queue") === "mine") {
    const others = Array.from(url.searchParams.keys()).filter((key) => key !== "queue");
    if (!others.length) return url.origin + "/desk/?queue=mine";
  }
  return null;
}

function isThumbnail(url) {
  return url.origin === self.location.origin && /^\/files\/[0-9a-f-]+\/thumbnail\/$/.test(url.pathname);
}

async function savePage(key, response) {
  const type = response.headers.get("Content-Type") || "";
  if (!response.ok || response.redirected || !type.startsWith("text/html")) return;
  const headers = new Headers(response.headers);
  headers.set("X-ESM-Saved-At", new Date().toISOString());
  const body = await response.blob();
  const cache = await caches.open(PAGE_CACHE);
  await cache.put(key, new Response(body, { status: 200, statusText: "OK", headers }));
}

// A saved copy, marked in its <head> so the page shows "Offline — showing the copy from …".
async function savedCopy(key) {
  const cache = await caches.open(PAGE_CACHE);
  const saved = await cache.match(key);
  if (!saved) return null;
  const html = await saved.text();
  const when = saved.headers.get("X-ESM-Saved-At") || "";
  const marked = html.replace("</head>", '<meta name="esm-offline-copy" content="' + when + '"></head>');
  const headers = new Headers(saved.headers);
  headers.delete("Content-Length");
  return new Response(marked, { status: 200, headers });
}

function notSaved() {
  const html = '<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">' +
    "<title>" + TEXT.title + '</title><style>body{font-family:system-ui,sans-serif;margin:2rem;line-height:1.5}</style></head>' +
    '<body data-offline-missing><h1>' + TEXT.title + "</h1><p>" + TEXT.body + '</p><p><a href="/desk/?queue=mine">' + TEXT.mine + "</a></p></body></html>";
  return new Response(html, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

async function networkFirstPage(request, key, event) {
  try {
    const response = await fetch(request);
    event.waitUntil(savePage(key, response.clone()).catch(() => null));
    return response;
  } catch (error) {
    return (await savedCopy(key)) || notSaved();
  }
}

async function staleWhileRevalidate(request, event) {
  const cache = await caches.open(SHELL_CACHE);
  const cached = await cache.match(request);
  const network = fetch(request).then((response) => {
    if (response.ok) cache.put(request, response.clone()).catch(() => null);
    return response;
  });
  if (cached) {
    event.waitUntil(network.catch(() => null));
    return cached;
  }
  return network;
}

async function networkFirstThumbnail(request, event) {
  try {
    const response = await fetch(request);
    if (response.ok) {
      const copy = response.clone();
      event.waitUntil(caches.open(PAGE_CACHE).then((cache) => cache.put(request, copy)).catch(() => null));
    }
    return response;
  } catch (error) {
    const cached = await caches.match(request);
    if (cached) return cached;
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;  // replies and notes go to the network as they are
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith(STATIC_PREFIX)) {
    event.respondWith(staleWhileRevalidate(request, event));
    return;
  }
  if (isThumbnail(url)) {
    event.respondWith(networkFirstThumbnail(request, event));
    return;
  }
  const key = pageKey(url);
  if (key && request.mode === "navigate" && !request.headers.get("HX-Request")) {
    event.respondWith(networkFirstPage(request, key, event));
  }
});

// Save pages ahead: {type: "save", urls: [the page being read, then the pages it lists]};
// answers on the given port with the number of pages saved.
async function saveAhead(urls) {
  const cache = await caches.open(PAGE_CACHE);
  let saved = 0;
  for (const [index, href] of urls.slice(0, PREFETCH_LIMIT + 1).entries()) {
    const key = pageKey(new URL(href, self.location.origin));
    if (!key) continue;
    const existing = await cache.match(key);
    const when = existing ? Date.parse(existing.headers.get("X-ESM-Saved-At") || "") : 0;
    if (existing && Date.now() - when < (index === 0 ? FRESH_FOR_MS : AHEAD_FRESH_FOR_MS)) { saved += 1; continue; }
    try {
      const response = await fetch(key, { credentials: "same-origin", headers: { "X-ESM-Prefetch": "1" } });
      await savePage(key, response);
      saved += 1;
    } catch (error) {
      break;  // offline: try again next time
    }
  }
  return saved;
}

async function forgetPages() {
  await caches.delete(PAGE_CACHE);
}

self.addEventListener("message", (event) => {
  const data = event.data || {};
  const port = event.ports && event.ports[0];
  let work = null;
  if (data.type === "save" && Array.isArray(data.urls)) work = saveAhead(data.urls);
  else if (data.type === "forget") work = forgetPages();
  if (!work) return;
  event.waitUntil(
    work.then((result) => { if (port) port.postMessage({ ok: true, result: result }); })
      .catch((error) => { if (port) port.postMessage({ ok: false, error: String(error) }); })
  );
});
