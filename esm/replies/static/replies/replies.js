// Reply templates in the desk's reply box, and keeping the macro panel current.
// The search box (#reply-template-search) asks the server (htmx) for templates rendered
// for the case; a result inserts its text into #id_reply_body at the cursor. Arrow keys
// move through the results, Enter inserts, Esc closes. Without JavaScript the box stays
// hidden and a link leads to a page listing the rendered templates to copy from.
(function () {
  "use strict";
  if (window.esmRepliesLoaded) return;  // the partial is rendered again after each reply
  window.esmRepliesLoaded = true;

  function search() { return document.getElementById("reply-template-search"); }
  function results() { return document.getElementById("reply-template-results"); }
  function replyBox() { return document.getElementById("id_reply_body"); }
  function options() {
    var box = results();
    return box ? Array.prototype.slice.call(box.querySelectorAll("button[data-reply-template]")) : [];
  }

  function reveal() {
    document.querySelectorAll("[data-reply-tools-js][hidden]").forEach(function (el) { el.hidden = false; });
  }

  function close(focusSearch) {
    var box = results();
    if (box) box.innerHTML = "";
    var input = search();
    if (input) {
      input.setAttribute("aria-expanded", "false");
      if (focusSearch) input.focus();
    }
  }

  // Where the cursor was in the reply box: the text goes there, not over what is typed.
  var touched = false;
  document.addEventListener("focusin", function (event) {
    if (event.target && event.target.id === "id_reply_body") touched = true;
  });

  function insert(text) {
    var area = replyBox();
    if (!area) return;
    var value = area.value;
    var start = touched ? area.selectionStart : value.length;
    var end = touched ? area.selectionEnd : value.length;
    area.focus();
    area.setRangeText(text, start, end, "end");
    area.dispatchEvent(new Event("input", { bubbles: true }));
    touched = true;
  }

  function choose(button) {
    insert(button.getAttribute("data-text") || "");
    var input = search();
    if (input) input.value = "";
    close(false);
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    var button = target && target.closest ? target.closest("button[data-reply-template]") : null;
    if (button) {
      event.preventDefault();
      choose(button);
      return;
    }
    if (target && target.closest && !target.closest("[data-reply-tools]")) close(false);
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (!target || !target.closest || !target.closest("[data-reply-tools]")) return;
    var list = options();
    var index = list.indexOf(target);
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      var wasOpen = list.length > 0 || (results() && results().innerHTML.trim() !== "");
      close(true);
      if (!wasOpen && target === search()) target.blur();
    } else if (event.key === "ArrowDown") {
      if (!list.length) return;
      event.preventDefault();
      list[Math.min(list.length - 1, index + 1)].focus();
    } else if (event.key === "ArrowUp") {
      if (!list.length) return;
      event.preventDefault();
      if (index <= 0) search().focus();
      else list[index - 1].focus();
    } else if (event.key === "Enter") {
      // never submit the reply form from the search box
      event.preventDefault();
      if (index >= 0) choose(list[index]);
      else if (target === search() && list.length) choose(list[0]);
    }
  }, true);

  document.addEventListener("htmx:afterSwap", function (event) {
    var box = results();
    if (box && event.target === box) {
      var input = search();
      if (input) input.setAttribute("aria-expanded", options().length ? "true" : "false");
    }
  });

  // Another change on the case page (status, assignment, reply …) may change which macros can run.
  document.addEventListener("htmx:afterRequest", function (event) {
    var detail = event.detail || {};
    var config = detail.requestConfig || {};
    var panel = document.getElementById("macros");
    if (!panel || !detail.successful || String(config.verb).toLowerCase() !== "post") return;
    if (!window.htmx || panel.contains(event.target)) return;
    var url = panel.getAttribute("data-macros-url");
    if (url) window.htmx.ajax("GET", url, { target: "#macros", swap: "outerHTML" });
  });

  document.addEventListener("htmx:load", reveal);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", reveal);
  else reveal();
})();
