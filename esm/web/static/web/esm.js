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
