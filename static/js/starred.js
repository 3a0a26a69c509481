// «Мій розклад»: a star on each session row, kept in this browser's storage only (no
// account, no cookie, nothing sent to the server), and the «Мій розклад» link that
// carries the starred ids in its address (…/programme/my/?s=12,15,31), so the page it
// opens is rendered by the server and can be shared. Without this script the rows
// have no star and the link stays hidden.
(function () {
  "use strict";

  var link = document.querySelector("[data-starred-key]");
  if (!link) {
    return;
  }
  var key = link.getAttribute("data-starred-key");
  var label = link.getAttribute("data-star-label");
  var base = link.getAttribute("href").split("?")[0];
  var MAX = 100;

  function load() {
    try {
      var value = JSON.parse(window.localStorage.getItem(key) || "[]");
      return Array.isArray(value)
        ? value.filter(function (id) { return Number.isInteger(id) && id > 0; }).slice(0, MAX)
        : [];
    } catch (error) {
      return [];  // storage refused (private mode) or unreadable: nothing starred
    }
  }

  function save(ids) {
    try {
      window.localStorage.setItem(key, JSON.stringify(ids));
    } catch (error) {
      // Storage refused: the star still shows until the page is left.
    }
  }

  var starred = load();
  var buttons = [];

  function update() {
    buttons.forEach(function (button) {
      var on = starred.indexOf(Number(button.getAttribute("data-star"))) !== -1;
      button.setAttribute("aria-pressed", on ? "true" : "false");
    });
    link.setAttribute("href", starred.length ? base + "?s=" + starred.join(",") : base);
    link.querySelector("[data-starred-count]").textContent = String(starred.length);
    link.parentNode.hidden = false;
    updateKeep();
  }

  function toggle(id) {
    var at = starred.indexOf(id);
    if (at === -1) {
      if (starred.length < MAX) {
        starred.push(id);
      }
    } else {
      starred.splice(at, 1);
    }
    save(starred);
    update();
  }

  document.querySelectorAll("[data-session-id]").forEach(function (row) {
    var id = Number(row.getAttribute("data-session-id"));
    // A row's title, or the session page's heading.
    var title = row.querySelector(".session__title, h1");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "star";
    button.setAttribute("data-star", String(id));
    var mark = document.createElement("span");
    mark.className = "star__mark";
    mark.setAttribute("aria-hidden", "true");
    var text = document.createElement("span");
    text.className = "star__label";
    text.textContent = label;
    var what = document.createElement("span");
    what.className = "visually-hidden";
    what.textContent = title ? ": " + title.textContent.trim() : "";
    button.append(mark, text, what);
    button.addEventListener("click", function () { toggle(id); });
    (title ? title.parentNode : row).insertBefore(button, title ? title.nextSibling : null);
    buttons.push(button);
  });

  // A shared «Мій розклад» address: one press keeps its sessions in this browser's
  // programme too (added to those already starred).
  var keep = document.querySelector("[data-keep-starred]");
  var shared = keep
    ? keep.getAttribute("data-keep-starred").split(",").map(Number).filter(function (id) {
        return Number.isInteger(id) && id > 0;
      })
    : [];

  var kept = keep ? keep.parentNode.querySelector("[data-kept]") : null;

  function updateKeep() {
    if (!keep) {
      return;
    }
    var missing = shared.filter(function (id) { return starred.indexOf(id) === -1; });
    keep.hidden = !missing.length;
    if (missing.length) {
      kept.textContent = "";
    }
    keep.parentNode.hidden = !missing.length && !kept.textContent;
  }

  if (keep) {
    keep.addEventListener("click", function () {
      shared.forEach(function (id) {
        if (starred.indexOf(id) === -1 && starred.length < MAX) {
          starred.push(id);
        }
      });
      save(starred);
      kept.textContent = keep.getAttribute("data-kept-label");
      update();
      link.focus();  // the button is gone; the link now counts these sessions
    });
  }

  // Another tab of the same site starred or unstarred a session.
  window.addEventListener("storage", function (event) {
    if (event.key === key) {
      starred = load();
      update();
    }
  });

  update();
})();
