// The report form keeps what the reporter typed when she comes back from a suggested
// article ("I still want to report" links to the form with ?title=…&category=…), and the
// suggestions for that title load at once (`load[knowledgeTitleTyped()]` on #article-suggestions).
// Typing itself is handled by htmx attributes on #article-suggestions.
(function () {
  "use strict";
  var params = new URLSearchParams(window.location.search);
  var title = document.getElementById("id_title");
  var category = document.getElementById("id_category");
  if (title && !title.value && params.get("title")) title.value = params.get("title");
  if (category && !category.value && params.get("category")) category.value = params.get("category");
  window.knowledgeTitleTyped = function () {
    var input = document.getElementById("id_title");
    return Boolean(input && input.value.trim());
  };
})();
