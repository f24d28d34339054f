// Reading a thread: folded conversations remembered per post, comments new
// since the last visit marked, and j/k between top-level comments.
// Progressive enhancement: without JavaScript the <details> controls still
// fold (CSS :has()), and every link still works.
(function () {
  "use strict";
  // The strings' translations come from the JavaScript catalog, a script of
  // its own loaded before this one (/i18n/<language>/catalog.js); without
  // it the words stay English.
  var gettext = window.gettext || function (text) { return text; };
  var ngettext = window.ngettext || function (one, many, n) { return n === 1 ? one : many; };
  var interpolate = window.interpolate || function (text, values) {
    return text.replace(/%\((\w+)\)s/g, function (match, name) { return String(values[name]); });
  };

  var KEEP_FOLDED = 500; // remembered folds per post, newest kept

  function load(key, fallback) {
    try {
      var value = window.localStorage.getItem("parley:" + key);
      return value === null ? fallback : JSON.parse(value);
    } catch (error) {
      return fallback; // storage disabled, full, or garbled: start afresh
    }
  }

  function save(key, value) {
    try {
      window.localStorage.setItem("parley:" + key, JSON.stringify(value));
    } catch (error) {
      // Private browsing or a full store: the page works, it just forgets.
    }
  }

  function toggleOf(li) {
    return li.querySelector(
      ":scope > .comment-body > .comment-meta > .thread-toggle, :scope > .thread-toggle"
    );
  }

  function setOpen(li, open) {
    var toggle = toggleOf(li);
    if (toggle && toggle.open !== open) toggle.open = open;
    li.classList.toggle("is-collapsed", !open && !!toggle);
  }

  // Unfold whatever hides `element`: the comments around it, and itself.
  function reveal(element) {
    for (var li = element && element.closest(".comment"); li; li = li.parentElement.closest(".comment")) {
      setOpen(li, true);
    }
  }

  function initFolding(list, post) {
    var key = "folded:" + post;
    load(key, []).forEach(function (id) {
      var li = document.getElementById("comment-" + id);
      if (li && list.contains(li)) setOpen(li, false);
    });
    var clicked = null;
    list.addEventListener("click", function (event) {
      clicked = event.target.closest(".thread-toggle");
    }, true);
    // "toggle" does not bubble; listening while it is captured does.
    list.addEventListener("toggle", function (event) {
      var toggle = event.target;
      if (!toggle.classList || !toggle.classList.contains("thread-toggle")) return;
      var li = toggle.closest(".comment");
      var id = li.id.replace("comment-", "");
      li.classList.toggle("is-collapsed", !toggle.open);
      var folded = load(key, []).filter(function (other) { return other !== id; });
      if (!toggle.open) folded.push(id);
      save(key, folded.slice(-KEEP_FOLDED));
      if (toggle === clicked && !toggle.open && li.getBoundingClientRect().top < 0) {
        // Folded from its line, far down: bring the comment back into view.
        li.scrollIntoView();
      }
      clicked = null;
    }, true);
    function revealTarget() {
      var target = location.hash.length > 1 && document.getElementById(location.hash.slice(1));
      if (!target) return;
      var hidden = !target.getClientRects().length;
      reveal(target);
      // The browser could not scroll to it while it was folded away.
      if (hidden) target.scrollIntoView();
    }
    window.addEventListener("hashchange", revealTarget);
    revealTarget();
    reveal(document.querySelector(".comment-list #respond"));
  }

  function markNew(list, post, tools) {
    var key = "seen:" + post;
    var seen = load(key, null); // the newest comment's time at the last visit
    var known = typeof seen === "number";
    var newest = known ? seen : 0;
    var fresh = [];
    var target = location.hash.slice(1);
    list.querySelectorAll(".comment-permalink > time").forEach(function (time) {
      var when = Date.parse(time.getAttribute("datetime"));
      if (when > newest) newest = when;
      if (known && when > seen) {
        var li = time.closest(".comment");
        if (li.id !== target) fresh.push(li); // not the reader's own, just posted
      }
    });
    fresh.forEach(function (li) {
      var badge = document.createElement("span");
      badge.className = "comment-new";
      badge.textContent = gettext("New");
      li.classList.add("is-new");
      li.querySelector(":scope > .comment-body .comment-permalink").after(badge);
    });
    save(key, newest);
    var news = tools && tools.querySelector(".thread-news");
    if (news && fresh.length) {
      var link = document.createElement("a");
      link.href = "#" + fresh[0].id;
      link.textContent = interpolate(
        ngettext(
          "%(count)s new comment since your last visit",
          "%(count)s new comments since your last visit",
          fresh.length
        ),
        { count: fresh.length },
        true
      );
      news.appendChild(link);
      news.hidden = false;
    }
  }

  // The top-level comment at the top of the window: the last whose top is
  // above a line just below the window's top (they are in page order).
  function topmost(items) {
    var low = 0;
    var high = items.length - 1;
    var found = -1;
    while (low <= high) {
      var middle = (low + high) >> 1;
      if (items[middle].getBoundingClientRect().top <= 8) {
        found = middle;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    return found;
  }

  function initKeys(list) {
    document.addEventListener("keydown", function (event) {
      if (event.key !== "j" && event.key !== "k") return;
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || event.isComposing) return;
      if (event.target.closest("input, textarea, select, [contenteditable]")) return;
      var items = list.querySelectorAll(":scope > .comment");
      var focused = document.activeElement && document.activeElement.closest(".comment-list > .comment");
      var index = Array.prototype.indexOf.call(items, focused);
      if (index < 0 || focused.parentElement !== list) {
        index = topmost(items);
        // Inside a long comment, k goes back to its start first.
        if (event.key === "k" && index >= 0 && items[index].getBoundingClientRect().top < -8) index += 1;
      }
      var next = items[event.key === "j" ? index + 1 : index - 1];
      if (!next) return;
      event.preventDefault();
      next.setAttribute("tabindex", "-1");
      next.focus({ preventScroll: true });
      next.scrollIntoView({ block: "start" });
    });
  }

  function init() {
    var area = document.getElementById("comments");
    var list = area && area.querySelector(".comment-list");
    if (!list) return;
    var tools = area.querySelector(".thread-tools");
    if (tools) tools.hidden = false;
    initFolding(list, area.dataset.post);
    markNew(list, area.dataset.post, tools);
    initKeys(list);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
