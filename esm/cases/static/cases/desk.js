// The desk's own behaviour: handling-time heartbeat on the case page, and the queue's
// row shortcuts (j/k/x/o/Enter). Single-key shortcuts declared as data-shortcut
// attributes (/, ?, r, n, p, a, "g q", "g u" …) are handled by web/esm.js.
(function () {
  "use strict";

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  // --- Handling time -------------------------------------------------------------------
  // A second counts as active while the page is visible and the user did something
  // (key, mouse, touch, scroll) within the last 60 seconds. The running total goes to
  // the server every 30 s and when the page is hidden or left; the server keeps the
  // highest total per page load (session), so repeats never count twice.
  function newSessionKey() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function startHeartbeat(element) {
    var url = element.getAttribute("data-heartbeat-url");
    var csrf = element.getAttribute("data-csrf") || "";
    var session = newSessionKey();
    var IDLE_AFTER_MS = 60 * 1000;
    var SEND_EVERY_MS = 30 * 1000;
    var activeSeconds = 0;
    var sentSeconds = 0;
    var lastInput = Date.now();
    var lastTick = Date.now();

    function noteInput() { lastInput = Date.now(); }
    ["keydown", "mousemove", "mousedown", "pointerdown", "touchstart", "wheel"].forEach(function (name) {
      document.addEventListener(name, noteInput, { passive: true, capture: true });
    });
    window.addEventListener("scroll", noteInput, { passive: true, capture: true });

    // Count whole seconds from timestamps, so a throttled timer never over- or under-counts.
    function tick() {
      var now = Date.now();
      var elapsed = Math.floor((now - lastTick) / 1000);
      if (elapsed < 1) return;
      lastTick += elapsed * 1000;
      if (document.visibilityState !== "visible") return;
      var activeUntil = lastInput + IDLE_AFTER_MS;
      var from = now - elapsed * 1000;
      var counted = Math.max(0, Math.min(elapsed, Math.floor((activeUntil - from) / 1000)));
      activeSeconds += counted;
    }

    // URL-encoded, not multipart: Chromium drops a multipart beacon sent while the page unloads
    // under the desk's service worker.
    function payload() {
      var data = new URLSearchParams();
      data.append("csrfmiddlewaretoken", csrf);
      data.append("session", session);
      data.append("seconds", String(activeSeconds));
      return data;
    }

    function send(leaving) {
      tick();
      if (activeSeconds <= sentSeconds) return;
      var data = payload();
      sentSeconds = activeSeconds;
      if (leaving && navigator.sendBeacon) {
        navigator.sendBeacon(url, data);
        return;
      }
      fetch(url, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        keepalive: true,
        headers: { "X-CSRFToken": csrf },
      }).catch(function () { sentSeconds = 0; });  // sent again with the next beat
    }

    setInterval(tick, 1000);
    setInterval(function () { send(false); }, SEND_EVERY_MS);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") send(true);
      else { lastTick = Date.now(); noteInput(); }
    });
    window.addEventListener("pagehide", function () { send(true); });
  }

  // --- Queue rows: j/k move, x selects, o/Enter opens ----------------------------------
  var lastKey = "";
  var lastKeyAt = 0;

  function rows() { return Array.prototype.slice.call(document.querySelectorAll("tr[data-case]")); }

  function currentIndex(list) {
    for (var i = 0; i < list.length; i++) if (list[i].classList.contains("current")) return i;
    return -1;
  }

  function moveTo(list, index) {
    list.forEach(function (row) { row.classList.remove("current"); row.removeAttribute("aria-selected"); });
    var row = list[index];
    if (!row) return;
    row.classList.add("current");
    row.setAttribute("aria-selected", "true");
    row.scrollIntoView({ block: "nearest" });
  }

  function onQueueKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var key = event.key;
    var afterG = lastKey === "g" && Date.now() - lastKeyAt < 900;  // "g t" etc. belong to esm.js
    lastKey = key;
    lastKeyAt = Date.now();
    if (afterG) return;
    var list = rows();
    if (!list.length) return;
    var index = currentIndex(list);
    if (key === "j" || key === "k") {
      event.preventDefault();
      var next = index < 0 ? 0 : index + (key === "j" ? 1 : -1);
      moveTo(list, Math.max(0, Math.min(list.length - 1, next)));
    } else if (key === "x" && index >= 0) {
      event.preventDefault();
      var box = list[index].querySelector('input[type="checkbox"]');
      if (box) { box.checked = !box.checked; syncSelected(box); }
    } else if ((key === "o" || key === "Enter") && index >= 0) {
      var target = event.target;
      if (key === "Enter" && target && target !== document.body && /^(A|BUTTON|SUMMARY)$/.test(target.tagName)) return;
      var link = list[index].querySelector("a[data-open]");
      if (link) { event.preventDefault(); window.location.href = link.href; }
    }
  }

  function syncSelected(box) {
    var row = box.closest("tr");
    if (row) row.classList.toggle("selected", box.checked);
  }

  function setUpQueue() {
    document.addEventListener("keydown", onQueueKey);
    document.addEventListener("change", function (event) {
      var target = event.target;
      if (!target || target.type !== "checkbox") return;
      if (target.hasAttribute("data-select-all")) {
        rows().forEach(function (row) {
          var box = row.querySelector('input[type="checkbox"]');
          if (box) { box.checked = target.checked; syncSelected(box); }
        });
      } else if (target.name === "cases") {
        syncSelected(target);
      }
    });
    // The bulk form returns to the queue as it looks now (htmx may have changed the URL).
    var bulk = document.getElementById("bulk");
    if (bulk) {
      bulk.addEventListener("submit", function () {
        var next = bulk.querySelector('input[name="next"]');
        if (next) next.value = window.location.pathname + window.location.search;
      });
    }
    document.addEventListener("click", function (event) {
      var row = event.target && event.target.closest ? event.target.closest("tr[data-case]") : null;
      if (row) moveTo(rows(), rows().indexOf(row));
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var heartbeat = document.getElementById("heartbeat");
    if (heartbeat && heartbeat.getAttribute("data-heartbeat-url")) startHeartbeat(heartbeat);
    if (document.querySelector('[data-desk="queue"]')) setUpQueue();
  });
})();
