// While the applicant describes the information sought, show catalog items that may already answer it
// ("已主动公开"). Progressive enhancement: the form works without this script. Text is inserted with
// textContent only, never as HTML.
(function () {
  "use strict";
  var box = document.getElementById("suggestions");
  var field = document.getElementById("description");
  if (!box || !field || !window.fetch) { return; }
  var agency = box.getAttribute("data-agency") || "";
  var timer = null;
  var last = "";

  function render(hits, query) {
    while (box.firstChild) { box.removeChild(box.firstChild); }
    if (!hits.length) { box.hidden = true; return; }
    var heading = document.createElement("p");
    heading.className = "suggestions-title";
    heading.textContent = "以下信息已主动公开，可能就是您要找的：";
    box.appendChild(heading);
    var list = document.createElement("ul");
    hits.slice(0, 5).forEach(function (hit) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = "/items/" + encodeURIComponent(String(hit.id));
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = hit.title;
      item.appendChild(link);
      var meta = document.createElement("span");
      meta.className = "hit-meta";
      meta.textContent = " " + hit.published + (hit.doc_number ? " · " + hit.doc_number : "");
      item.appendChild(meta);
      list.appendChild(item);
    });
    box.appendChild(list);
    var more = document.createElement("a");
    more.href = "/search?agency=" + encodeURIComponent(agency) + "&q=" + encodeURIComponent(query);
    more.textContent = "查看全部搜索结果";
    box.appendChild(more);
    box.hidden = false;
  }

  function lookup() {
    var query = field.value.trim().slice(0, 100);
    if (query.length < 2 || query === last) { return; }
    last = query;
    fetch("/api/v1/search?agency=" + encodeURIComponent(agency) + "&match=any&q=" + encodeURIComponent(query),
          { headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { hits: [] }; })
      .then(function (results) { if (query === last) { render(results.hits || [], query); } })
      .catch(function () { /* suggestions are optional */ });
  }

  field.addEventListener("input", function () {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(lookup, 400);
  });
})();
