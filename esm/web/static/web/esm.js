// Small progressive enhancements shared by portal and desk; every page works without them.
(function () {
  "use strict";
  // Keyboard shortcuts declared in markup: <a data-shortcut="g q" href="...">.
  var pending = "";
  var timer = null;
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) {
      if (event.key === "Escape") target.blur();
      return;
    }
    pending = pending ? pending + " " + event.key : event.key;
    clearTimeout(timer);
    timer = setTimeout(function () { pending = ""; }, 900);
    var el = document.querySelector('[data-shortcut="' + pending + '"]');
    if (!el) {
      var prefix = document.querySelector('[data-shortcut^="' + pending + ' "]');
      if (!prefix) pending = "";
      return;
    }
    event.preventDefault();
    pending = "";
    if (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT") el.focus();
    else el.click();
  });
})();

// The desk as an installable app: register the service worker (esm/web/templates/web/sw.js) for
// signed-in handlers, let it save the pages read on the road, and forget them on sign-out.
(function () {
  "use strict";
  var PAGE_CACHE = "esm-pages";
  var LAST_USER = "esm-last-user";

  function forgetSavedPages() {
    if (!window.caches) return Promise.resolve();
    return window.caches.delete(PAGE_CACHE).catch(function () {});
  }

  function tellWorker(message) {
    if (!("serviceWorker" in navigator)) return Promise.resolve(null);
    return navigator.serviceWorker.ready.then(function (registration) {
      var worker = registration.active;
      if (!worker) return null;
      return new Promise(function (resolve) {
        var channel = new MessageChannel();
        channel.port1.onmessage = function (event) { resolve(event.data); };
        worker.postMessage(message, [channel.port2]);
      });
    });
  }
  window.esmServiceWorker = { tell: tellWorker, forget: forgetSavedPages };

  function savableHere() {
    var path = window.location.pathname;
    if (/^\/desk\/cases\/[^/]+\/$/.test(path) && !window.location.search) return true;
    return path === "/desk/" && window.location.search === "?queue=mine";
  }

  // On "Mine": save this page and the case pages it lists, so they can be read offline.
  function pagesToSave() {
    var urls = [window.location.href.split("#")[0]];
    if (document.querySelector('[data-queue-name="mine"]')) {
      Array.prototype.forEach.call(document.querySelectorAll("[data-case] a[data-open]"), function (link) {
        if (urls.length <= 50) urls.push(link.href);
      });
    }
    return urls;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var meta = document.querySelector('meta[name="esm-service-worker"]');
    if (document.querySelector('meta[name="esm-signed-out"]')) {
      // Signed out (or the session ended): nothing of the last person's cases stays readable.
      try { window.localStorage.removeItem(LAST_USER); } catch (error) { /* private mode */ }
      forgetSavedPages();
      return;
    }
    if (!meta || !("serviceWorker" in navigator)) return;
    var user = meta.getAttribute("data-user") || "";
    var previous = null;
    try { previous = window.localStorage.getItem(LAST_USER); window.localStorage.setItem(LAST_USER, user); } catch (error) { /* private mode */ }
    var ready = previous && previous !== user ? forgetSavedPages() : Promise.resolve();

    // Sign-out forgets the saved pages first (the outbox keeps unsent messages, keyed by person).
    var signOut = meta.getAttribute("data-sign-out");
    Array.prototype.forEach.call(document.querySelectorAll("form"), function (form) {
      if (!signOut || form.getAttribute("action") !== signOut) return;
      form.addEventListener("submit", function (event) {
        if (form.hasAttribute("data-forgotten")) return;
        event.preventDefault();
        var go = function () { form.setAttribute("data-forgotten", ""); form.submit(); };
        Promise.race([
          Promise.all([forgetSavedPages(), tellWorker({ type: "forget" })]),
          new Promise(function (resolve) { setTimeout(resolve, 1500); }),
        ]).then(go, go);
      });
    });

    ready.then(function () {
      return navigator.serviceWorker.register(meta.getAttribute("content"), { scope: "/" });
    }).then(function () {
      if (document.querySelector('meta[name="esm-offline-copy"]') || !navigator.onLine || !savableHere()) return null;
      return tellWorker({ type: "save", urls: pagesToSave() });
    }).then(function (answer) {
      if (answer && answer.ok) document.documentElement.setAttribute("data-offline-ready", String(answer.result));
    }).catch(function () { /* no service worker: the page still works online */ });
  });
})();
