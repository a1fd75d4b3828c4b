// The phone's outbox: a reply, internal note or phone note written without a connection is
// kept on the phone (IndexedDB: the text, the photos, a client key) and shown on the case's
// timeline as "waiting to send" until the connection returns. Then the outbox sends what
// waits, oldest first and one at a time, each as the ordinary form POST with its client key:
// the server writes a key once (CaseEvent.client_key), so a resend after a lost answer lands
// once. A refusal (4xx) stays visible with its reason and a "Discard" button: nothing is
// dropped silently. The text being typed is kept as a draft (localStorage) until it is sent.
//
// Online, with nothing waiting, the forms work as before (htmx, or plain POST without
// JavaScript); the outbox steps in when the browser is offline, when a send fails on the
// network, or when older messages still wait (so the order is kept).
(function () {
  "use strict";

  var FORMS = { "reply-form": "reply", "note-form": "note", "phone-form": "phone" };
  var DB_NAME = "esm-outbox";
  var STORE = "items";
  var RETRY_EVERY_MS = 15 * 1000;
  var TEXT = {};
  var USER = "";
  var CASE = "";
  var waiting = 0;  // this person's unsent messages, any case (new ones queue behind them)
  var database = null;

  // --- small helpers ----------------------------------------------------------------------

  function newKey() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function clock(date) {
    function pad(n) { return (n < 10 ? "0" : "") + n; }
    return pad(date.getHours()) + ":" + pad(date.getMinutes());
  }

  function text(name, values) {
    var value = TEXT[name] || name;
    Object.keys(values || {}).forEach(function (key) { value = value.replace("%(" + key + ")s", values[key]); });
    return value;
  }

  function element(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function kindOf(form) {
    return form && form.tagName === "FORM" ? FORMS[form.id] || "" : "";
  }

  // --- IndexedDB --------------------------------------------------------------------------

  function openDatabase() {
    if (database) return database;
    database = new Promise(function (resolve, reject) {
      if (!window.indexedDB) { reject(new Error("no IndexedDB")); return; }
      var request = window.indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        var store = request.result.createObjectStore(STORE, { keyPath: "key" });
        store.createIndex("created", "created");
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
    database.catch(function () { database = null; });
    return database;
  }

  function withStore(mode, work) {
    return openDatabase().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(STORE, mode);
        var result;
        var request = work(transaction.objectStore(STORE));
        if (request) request.onsuccess = function () { result = request.result; };
        transaction.oncomplete = function () { resolve(result); };
        transaction.onerror = function () { reject(transaction.error); };
        transaction.onabort = function () { reject(transaction.error); };
      });
    });
  }

  function saveItem(item) { return withStore("readwrite", function (store) { return store.put(item); }); }
  function removeItem(key) { return withStore("readwrite", function (store) { return store.delete(key); }); }

  function myItems() {
    return withStore("readonly", function (store) { return store.getAll(); }).then(function (items) {
      return (items || []).filter(function (item) { return item.user === USER; })
        .sort(function (a, b) { return a.created - b.created; });
    });
  }

  // --- drafts: what is typed survives a reload or a closed tab ----------------------------

  function draftKey(form) { return "esm-draft:" + USER + ":" + CASE + ":" + form.id; }

  function saveDraft(form) {
    var values = {};
    Array.prototype.forEach.call(form.querySelectorAll("textarea[name], input[name=minutes]"), function (field) {
      if (field.value) values[field.name] = field.value;
    });
    try {
      if (Object.keys(values).length) window.localStorage.setItem(draftKey(form), JSON.stringify({ values: values }));
      else window.localStorage.removeItem(draftKey(form));
    } catch (error) { /* storage full or private mode: the form still holds the text */ }
  }

  function markDraftSubmitted(form) {
    try {
      var saved = JSON.parse(window.localStorage.getItem(draftKey(form)) || "null");
      if (saved) { saved.submitted = Date.now(); window.localStorage.setItem(draftKey(form), JSON.stringify(saved)); }
    } catch (error) { /* ignore */ }
  }

  function dropDraft(form) {
    try { window.localStorage.removeItem(draftKey(form)); } catch (error) { /* ignore */ }
  }

  function restoreDraft(form) {
    var saved = null;
    try { saved = JSON.parse(window.localStorage.getItem(draftKey(form)) || "null"); } catch (error) { saved = null; }
    if (!saved) return;
    if (saved.submitted) { dropDraft(form); return; }  // it was sent (or the form shows it again with an error)
    Object.keys(saved.values || {}).forEach(function (name) {
      var field = form.querySelector('[name="' + name + '"]');
      if (field && !field.value) field.value = saved.values[name];
    });
  }

  function ensureKey(form) {
    var field = form.querySelector('input[name="client_key"]');
    if (!field) {
      field = element("input", { type: "hidden", name: "client_key" });
      form.appendChild(field);
    }
    if (!field.value) field.value = newKey();
    return field.value;
  }

  function clearForm(form) {
    Array.prototype.forEach.call(form.querySelectorAll("textarea, input[name=minutes], input[type=file]"), function (field) {
      field.value = "";
    });
    var key = form.querySelector('input[name="client_key"]');
    if (key) key.value = "";
    Array.prototype.forEach.call(form.querySelectorAll("[data-files-chosen]"), function (node) { node.textContent = ""; });
    dropDraft(form);
  }

  // --- keeping a message ------------------------------------------------------------------

  function keep(form) {
    var kind = kindOf(form);
    var key = ensureKey(form);
    var data = new FormData(form);
    var fields = [];
    var files = [];
    data.forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken" || name === "client_key") return;
      if (typeof value === "string") fields.push([name, value]);
      else if (value && value.size > 0 && value.name) files.push(value);
    });
    // Copy the photos' bytes now: a camera's temporary file may be gone when the connection returns.
    return Promise.all(files.map(function (file) {
      return file.arrayBuffer().then(function (buffer) {
        return { name: file.name, type: file.type || "application/octet-stream", blob: new Blob([buffer], { type: file.type }) };
      });
    })).then(function (copies) {
      var item = {
        key: key,
        user: USER,
        caseNumber: CASE,
        kind: kind,
        url: form.getAttribute("action"),
        fields: fields,
        files: copies,
        created: Date.now(),
        state: "waiting",
        error: "",
      };
      return saveItem(item).then(function () {
        clearForm(form);
        return render();
      });
    });
  }

  // --- sending ------------------------------------------------------------------------------

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var field = document.querySelector('input[name="csrfmiddlewaretoken"]');
    return field ? field.value : "";
  }

  function errorFrom(html, item) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var formId = Object.keys(FORMS).filter(function (id) { return FORMS[id] === item.kind; })[0];
    var found = doc.querySelectorAll("#" + formId + " .form-errors p, #" + formId + " .errorlist li");
    var messages = Array.prototype.map.call(found, function (node) { return node.textContent.trim(); }).filter(Boolean);
    return messages.join(" ") || "";
  }

  function send(item) {
    var token = csrfToken();
    var data = new FormData();
    data.append("csrfmiddlewaretoken", token);
    (item.fields || []).forEach(function (pair) { data.append(pair[0], pair[1]); });
    data.append("client_key", item.key);
    (item.files || []).forEach(function (file) { data.append("files", file.blob, file.name); });
    return fetch(item.url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": token },
    }).then(function (response) {
      if (response.redirected && /\/accounts\/login\//.test(response.url)) {
        return { retry: true, error: text("sign_in") };
      }
      if (response.ok) return response.text().then(function (html) { return { ok: true, html: html }; });
      if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) {
        return response.text().then(function (html) {
          return { refused: true, error: errorFrom(html, item) || text("refused", { status: String(response.status) }) };
        });
      }
      return { retry: true, error: text("server_error", { status: String(response.status) }) };
    }, function () {
      return { retry: true, error: "" };  // no connection
    });
  }

  var flushing = null;
  var flushAgain = false;

  // One sender at a time across the phone's tabs (a resend would land once anyway).
  function oneAtATime(work) {
    if (navigator.locks && typeof navigator.locks.request === "function") {
      return navigator.locks.request("esm-outbox", work);
    }
    return work();
  }

  function flush() {
    if (flushing) {
      flushAgain = true;  // a message kept while sending: go round once more
      return flushing;
    }
    flushAgain = false;
    flushing = oneAtATime(function () { return (function next(refreshed) {
      if (navigator.onLine === false) return Promise.resolve(refreshed);
      return myItems().then(function (items) {
        var item = items.filter(function (candidate) { return candidate.state !== "failed"; })[0];
        if (!item) return refreshed;
        markSending(item.key);
        return send(item).then(function (result) {
          if (result.ok) {
            return removeItem(item.key).then(function () {
              return next(item.caseNumber === CASE ? result.html : refreshed);
            });
          }
          item.error = result.error || "";
          if (result.refused) {
            item.state = "failed";
            return saveItem(item).then(function () { return next(refreshed); });
          }
          item.state = "waiting";  // try again later, and keep the order: stop here
          return saveItem(item).then(function () { return refreshed; });
        });
      });
    })(null); }).then(function (refreshed) {
      if (refreshed) refreshCase(refreshed);
    }).catch(function () { /* IndexedDB unavailable */ }).then(function () {
      flushing = null;
      return render();
    }).then(function () {
      if (flushAgain && navigator.onLine !== false) return flush();
      return null;
    });
    return flushing;
  }

  // The case page as the server has it now: take its timeline and header.
  function refreshCase(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    ["timeline", "case-header", "handling"].forEach(function (id) {
      var fresh = doc.getElementById(id);
      var current = document.getElementById(id);
      if (!fresh || !current) return;
      var adopted = document.importNode(fresh, true);
      current.replaceWith(adopted);
      if (window.htmx) window.htmx.process(adopted);
    });
  }

  // --- showing what waits -----------------------------------------------------------------

  function markSending(key) {
    var node = document.querySelector('[data-outbox-item="' + key + '"]');
    if (node) node.setAttribute("data-outbox-state", "sending");
  }

  function itemNode(item) {
    var state = item.state === "failed" ? "failed" : "waiting";
    var label = state === "failed" ? text("failed") : text("waiting");
    var children = [
      element("div", { class: "meta" }, [
        element("strong", {}, [text(item.kind)]),
        " · ",
        element("time", { datetime: new Date(item.created).toISOString() }, [clock(new Date(item.created))]),
        " · ",
        element("span", { class: "badge outbox-badge", "data-outbox-label": "" }, [label]),
      ]),
    ];
    var body = (item.fields || []).filter(function (pair) { return pair[0] === "body"; })[0];
    if (body && body[1]) children.push(element("div", { class: "body" }, [body[1]]));
    if (item.files && item.files.length) {
      children.push(element("ul", { class: "files" }, item.files.map(function (file) {
        return element("li", {}, [file.name]);
      })));
    }
    if (item.error) children.push(element("p", { class: "form-errors", role: "alert", "data-outbox-error": "" }, [item.error]));
    if (state === "failed") {
      children.push(element("div", { class: "outbox-buttons" }, [
        element("button", { type: "button", "data-outbox-edit": item.key }, [text("edit")]),
        element("button", { type: "button", class: "danger", "data-outbox-discard": item.key }, [text("discard")]),
      ]));
    }
    return element("li", {
      class: "pending kind-" + (item.kind === "phone" ? "phone_note" : item.kind) + (item.kind === "reply" ? "" : " internal"),
      "data-outbox-item": item.key,
      "data-outbox-state": state,
      "data-kind": item.kind,
    }, children);
  }

  function render() {
    return myItems().then(function (items) {
      waiting = items.filter(function (item) { return item.state !== "failed"; }).length;
      var list = document.getElementById("outbox");
      if (list) {
        var here = items.filter(function (item) { return item.caseNumber === CASE; });
        list.textContent = "";
        here.forEach(function (item) { list.appendChild(itemNode(item)); });
        list.hidden = !here.length;
      }
      var summary = document.querySelector("[data-outbox-summary]");
      if (summary) {
        summary.textContent = items.length ? text("summary", { count: String(items.length) }) : "";
        summary.hidden = !items.length;
      }
    }, function () { waiting = 0; });
  }

  function onOutboxClick(event) {
    var target = event.target;
    if (!target || !target.closest) return;
    var discard = target.closest("[data-outbox-discard]");
    var edit = target.closest("[data-outbox-edit]");
    if (!discard && !edit) return;
    var key = (discard || edit).getAttribute(discard ? "data-outbox-discard" : "data-outbox-edit");
    if (discard && !window.confirm(text("confirm_discard"))) return;
    myItems().then(function (items) {
      var item = items.filter(function (candidate) { return candidate.key === key; })[0];
      if (!item) return null;
      if (edit) {
        // Back into the form, to be corrected and sent again (a new message, a new key).
        var formId = Object.keys(FORMS).filter(function (id) { return FORMS[id] === item.kind; })[0];
        var form = document.getElementById(formId);
        if (!form) return null;
        (item.fields || []).forEach(function (pair) {
          var field = form.querySelector('textarea[name="' + pair[0] + '"], input[name="' + pair[0] + '"]:not([type=hidden])');
          if (field) field.value = pair[1];
        });
        putFilesBack(form, item.files || []);
        saveDraft(form);
        var body = form.querySelector("textarea");
        if (body) body.focus();
      }
      return removeItem(key);
    }).then(render);
  }

  // The kept photos and files go back into the form's file field (the one taking several), so a
  // corrected message is sent with them. Without DataTransfer (old browsers) they stay listed as lost.
  function putFilesBack(form, files) {
    if (!files.length) return;
    var input = form.querySelector("input[type=file][multiple]") || form.querySelector("input[type=file]");
    var names = files.map(function (file) { return file.name; });
    try {
      var transfer = new DataTransfer();
      files.forEach(function (file) { transfer.items.add(new File([file.blob], file.name, { type: file.type })); });
      input.files = transfer.files;
    } catch (error) {
      names = [text("files_not_restored", { names: names.join(", ") })];
    }
    Array.prototype.forEach.call(form.querySelectorAll("[data-files-chosen]"), function (node) {
      node.textContent = names.join(", ");
    });
  }

  // --- banners: offline now, or reading a saved copy --------------------------------------

  function banner(kind, message) {
    var existing = document.querySelector('[data-offline-banner="' + kind + '"]');
    if (!message) { if (existing) existing.remove(); return; }
    if (existing) { existing.textContent = message; return; }
    var node = element("div", { class: "offline-banner", role: "status", "data-offline-banner": kind }, [message]);
    var main = document.getElementById("main") || document.body;
    main.insertBefore(node, main.firstChild);
  }

  function showConnection() {
    var offline = navigator.onLine === false;
    banner("offline", offline ? text("offline_now") : "");
    if (!offline) banner("change", "");
    holdChanges(offline);
  }

  // Other changes (status, assignee, fields, watchers …) need the server's answer: offline, their
  // buttons are disabled and say why, instead of failing on a tap; they come back with the connection.
  function holdChanges(offline) {
    Array.prototype.forEach.call(document.querySelectorAll('form[method="post"]'), function (form) {
      if (kindOf(form)) return;  // replies, notes and phone calls wait in the outbox instead
      Array.prototype.forEach.call(form.querySelectorAll("button, input[type=submit]"), function (button) {
        if (offline && !button.disabled && button.type !== "button") {
          button.disabled = true;
          button.setAttribute("data-offline-held", button.getAttribute("title") || "");
          button.setAttribute("title", text("needs_connection"));
        } else if (!offline && button.hasAttribute("data-offline-held")) {
          button.disabled = false;
          var title = button.getAttribute("data-offline-held");
          if (title) button.setAttribute("title", title); else button.removeAttribute("title");
          button.removeAttribute("data-offline-held");
        }
      });
    });
  }

  function showSavedCopy() {
    var meta = document.querySelector('meta[name="esm-offline-copy"]');
    if (!meta) return;
    var when = new Date(meta.getAttribute("content") || "");
    banner("copy", text("offline_copy", { time: isNaN(when.getTime()) ? "?" : clock(when) }));
  }

  // --- wiring -------------------------------------------------------------------------------

  function setUpForms() {
    Object.keys(FORMS).forEach(function (id) {
      var form = document.getElementById(id);
      if (form) restoreDraft(form);
    });
    document.addEventListener("focusin", function (event) {
      var form = event.target && event.target.form;
      if (kindOf(form)) ensureKey(form);
    });
    document.addEventListener("input", function (event) {
      var form = event.target && event.target.form;
      if (kindOf(form)) { ensureKey(form); saveDraft(form); }
    });
    // Text put in by a script (a reply template) fires no input event: save it on leaving the field.
    document.addEventListener("focusout", function (event) {
      var form = event.target && event.target.form;
      if (kindOf(form) && event.target.tagName === "TEXTAREA") saveDraft(form);
    });
    document.addEventListener("change", function (event) {
      var input = event.target;
      if (!input || input.type !== "file" || !kindOf(input.form)) return;
      var names = [];
      Array.prototype.forEach.call(input.form.querySelectorAll("input[type=file]"), function (field) {
        Array.prototype.forEach.call(field.files || [], function (file) { names.push(file.name); });
      });
      Array.prototype.forEach.call(input.form.querySelectorAll("[data-files-chosen]"), function (node) {
        node.textContent = names.join(", ");
      });
    });
    // Capture: runs before htmx's own listener on the form, which never sees a kept message.
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!kindOf(form)) return;
      ensureKey(form);
      if (navigator.onLine !== false && !waiting) { markDraftSubmitted(form); return; }
      event.preventDefault();
      event.stopImmediatePropagation();
      keep(form).then(flush, function () {
        // Nothing could be kept (no IndexedDB): send it the ordinary way instead.
        form.submit();
      });
    }, true);
    // The request left but no answer came (connection lost, or the server failed): keep it.
    function keepAfterFailure(event) {
      var form = event.detail && event.detail.elt;
      if (!kindOf(form)) return;
      var xhr = event.detail.xhr;
      if (event.type === "htmx:responseError" && xhr && xhr.status < 500) return;
      keep(form).then(flush);
    }
    document.body.addEventListener("htmx:sendError", keepAfterFailure);
    document.body.addEventListener("htmx:responseError", keepAfterFailure);
    document.body.addEventListener("htmx:timeout", keepAfterFailure);
    document.body.addEventListener("htmx:afterRequest", function (event) {
      var form = event.detail && event.detail.elt;
      var xhr = event.detail && event.detail.xhr;
      if (!kindOf(form) || !event.detail.successful || !xhr) return;
      if (!xhr.getResponseHeader("HX-Retarget")) dropDraft(form);  // sent; a refusal shows the form again
    });
    document.addEventListener("click", onOutboxClick);
  }

  // The quick-action bar: jump to a form and put the cursor in it.
  function setUpQuickBar() {
    document.addEventListener("click", function (event) {
      var link = event.target && event.target.closest ? event.target.closest("[data-quick]") : null;
      if (!link) return;
      var target = document.querySelector(link.getAttribute("href"));
      if (!target) return;
      event.preventDefault();
      target.scrollIntoView({ block: "start" });
      var field = target.querySelector("textarea, button");
      if (field) field.focus({ preventScroll: true });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var config = document.getElementById("esm-outbox-config");
    if (!config) return;
    try { TEXT = JSON.parse(config.textContent || "{}"); } catch (error) { TEXT = {}; }
    USER = config.getAttribute("data-user") || "";
    var page = document.querySelector('[data-desk="case"]');
    CASE = page ? page.getAttribute("data-case-number") || "" : "";
    showSavedCopy();
    showConnection();
    window.addEventListener("offline", showConnection);
    // Any other change the connection dropped (online by the browser's account, but no answer): say
    // so until a request gets through.
    document.body.addEventListener("htmx:sendError", function (event) {
      var form = event.detail && event.detail.elt && event.detail.elt.closest ? event.detail.elt.closest("form") : null;
      if (form && !kindOf(form)) banner("change", text("change_not_sent"));
    });
    document.body.addEventListener("htmx:afterRequest", function (event) {
      if (event.detail && event.detail.successful) banner("change", "");
    });
    window.addEventListener("online", function () { showConnection(); flush(); });
    if (CASE) { setUpForms(); setUpQuickBar(); }
    render().then(flush);
    setInterval(function () { if (navigator.onLine !== false) flush(); }, RETRY_EVERY_MS);
  });

  window.esmOutbox = { flush: flush, render: render };
})();
