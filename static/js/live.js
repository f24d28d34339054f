// A living thread: the open page asks every LIVE_POLL_SECONDS whether the
// thread changed (GET /posts/<slug>/live/, forum.views.live) and puts what
// changed where it belongs: new comments under their parents, marked "New";
// edited ones in place; removed ones as their placeholder; comments closed
// as on a closed page (Reply links gone, an untouched form too). Nothing moves
// under the reader: the scroll position, the open reply form and its text,
// and folded branches stay as they are. Progressive enhancement: without
// JavaScript the page is as it was. Words come from Django's JavaScript
// catalog (/i18n/<language>/catalog.js), loaded before this script.
(function () {
  "use strict";

  var MAX_DELAY = 300; // seconds between polls at most, after errors

  function gettext(text) {
    return window.gettext ? window.gettext(text) : text;
  }

  function ngettext(one, many, count) {
    if (window.ngettext) return window.ngettext(one, many, count);
    return count === 1 ? one : many;
  }

  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, name) { return values[name]; });
  }

  function toggleOf(li) {
    return li.querySelector(
      ":scope > .comment-body > .comment-meta > .thread-toggle, :scope > .thread-toggle"
    );
  }

  function parentComment(element) {
    return element.parentElement && element.parentElement.closest(".comment");
  }

  // The element at the top of the window, and where it is, so that whatever
  // goes in above it can be made up for (browsers without scroll anchoring).
  function anchorNow() {
    var element = document.elementFromPoint(window.innerWidth / 2, 8);
    var item = element && (element.closest(".comment") || element);
    return item ? { item: item, top: item.getBoundingClientRect().top } : null;
  }

  function keepAnchor(anchor) {
    if (!anchor || !anchor.item.isConnected) return;
    var moved = anchor.item.getBoundingClientRect().top - anchor.top;
    if (moved) window.scrollBy(0, moved);
  }

  // Which comments of the answer to put in: any shown in full, and a
  // placeholder only when something put in goes under it.
  function wanted(items) {
    var wants = new Set();
    for (var i = items.length - 1; i >= 0; i -= 1) {
      var item = items[i];
      if (!item.classList.contains("comment-placeholder") || wants.has(item)) {
        wants.add(item);
        var parent = parentComment(item);
        if (parent) wants.add(parent);
      }
    }
    return wants;
  }

  // Replace a comment's article; its replies, its collapse control and the
  // reply form under it stay.
  function update(li, fresh) {
    var article = fresh.querySelector(":scope > .comment-body").cloneNode(true);
    var oldToggle = toggleOf(li);
    var newToggle = article.querySelector(".thread-toggle");
    if (newToggle) newToggle.remove();
    var meta = article.querySelector(":scope > .comment-meta");
    if (oldToggle && meta) meta.appendChild(oldToggle);
    li.querySelector(":scope > .comment-body").replaceWith(article);
    var kept = ["parent", "is-collapsed", "is-new"].filter(function (name) {
      return li.classList.contains(name);
    });
    li.className = fresh.className;
    kept.forEach(function (name) { li.classList.add(name); });
  }

  function markNew(li) {
    li.classList.add("is-new");
    var badge = document.createElement("span");
    badge.className = "comment-new";
    badge.textContent = gettext("New");
    var permalink = li.querySelector(":scope > .comment-body .comment-permalink");
    if (permalink) permalink.after(badge);
  }

  function setCount(toggle, count, added) {
    var counter = toggle.querySelector(".thread-count");
    if (!counter) return;
    var shown = count === null ? parseInt(counter.textContent.replace(/\D+/g, ""), 10) || 0 : count;
    var total = shown + added;
    counter.textContent = format(ngettext("%(count)s reply", "%(count)s replies", total), { count: total });
  }

  // A new reply's ancestors count it; the outermost folded one says "+1 new".
  function countReply(parentLi, freshParent) {
    if (!toggleOf(parentLi) && freshParent) {
      var toggle = toggleOf(freshParent).cloneNode(true);
      var meta = parentLi.querySelector(":scope > .comment-body > .comment-meta");
      if (meta && !parentLi.classList.contains("comment-placeholder")) meta.appendChild(toggle);
      else parentLi.querySelector(":scope > .comment-body").after(toggle);
      setCount(toggle, 0, 0);
    }
    var folded = null;
    for (var li = parentLi; li; li = parentComment(li)) {
      var own = toggleOf(li);
      if (!own) continue;
      setCount(own, null, 1);
      if (!own.open) folded = own;
    }
    if (folded) {
      var mark = folded.querySelector(".thread-new");
      if (!mark) {
        mark = document.createElement("span");
        mark.className = "thread-new";
        folded.querySelector("summary").appendChild(mark);
      }
      var added = (parseInt(mark.dataset.count, 10) || 0) + 1;
      mark.dataset.count = added;
      mark.textContent = " " + format(ngettext("+%(count)s new", "+%(count)s new", added), { count: added });
    }
  }

  function topList(area) {
    var list = area.querySelector(".comment-list");
    if (!list) {
      list = document.createElement("ol");
      list.className = "comment-list comment-list-numbered";
      area.querySelector(".live-status").after(list);
    }
    return list;
  }

  function insert(area, fresh) {
    var copy = fresh.cloneNode(true);
    var nested = copy.querySelector(":scope > .children");
    if (nested) nested.remove();
    var toggle = toggleOf(copy);
    if (toggle) toggle.remove();
    copy.classList.remove("parent");
    var freshParent = parentComment(fresh);
    var parentLi = freshParent && document.getElementById(freshParent.id);
    if (parentLi) {
      var children = parentLi.querySelector(":scope > .children");
      if (!children) {
        children = document.createElement("ol");
        children.className = "children";
        parentLi.appendChild(children);
      }
      children.appendChild(copy);
      parentLi.classList.add("parent");
      countReply(parentLi, freshParent);
    } else {
      var list = topList(area);
      if (list.hasAttribute("reversed")) {
        list.insertBefore(copy, list.firstElementChild);
        if (list.hasAttribute("start")) list.setAttribute("start", parseInt(list.getAttribute("start"), 10) + 1);
      } else {
        list.appendChild(copy);
      }
    }
    return copy;
  }

  // Put an answer's comments in the page; return the comments put in.
  function apply(area, data) {
    var template = document.createElement("template");
    template.innerHTML = data.html; // rendered and sanitized by the server
    var items = Array.prototype.slice.call(template.content.querySelectorAll(".comment"));
    var wants = wanted(items);
    var changed = new Set(data.changed.map(String));
    var added = [];
    items.forEach(function (fresh) {
      var existing = document.getElementById(fresh.id);
      if (existing) {
        if (changed.has(fresh.id.replace("comment-", ""))) update(existing, fresh);
      } else if (wants.has(fresh)) {
        var li = insert(area, fresh);
        if (!li.classList.contains("comment-placeholder")) {
          markNew(li);
          added.push(li);
        }
      }
    });
    var title = document.getElementById("comments-title");
    if (title && data.responses) title.textContent = data.responses;
    return added;
  }

  function link(href, text) {
    var a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    return a;
  }

  // Said once per poll (an aria-live region), never once per comment.
  function announce(area, added, data, turned) {
    var status = area.querySelector(".live-status");
    if (data.reload) {
      status.replaceChildren(gettext("This thread changed a lot."), " ", link(location.href, gettext("Reload the page")));
    } else if (added.length) {
      var count = added.length;
      var words = format(ngettext("%(count)s new reply", "%(count)s new replies", count), { count: count });
      status.replaceChildren(words + " ", link("#" + added[0].id, gettext("Show them")));
    }
    if (turned) {
      if (data.reload || added.length) status.append(" ");
      else status.replaceChildren();
      status.append.apply(status, turned);
    }
    if (data.elsewhere) {
      var note = area.querySelector(".live-elsewhere");
      if (!note) {
        note = document.createElement("p");
        note.className = "live-elsewhere";
        status.after(note);
      }
      note.replaceChildren(link(data.elsewhere_url, data.elsewhere_text));
    }
  }

  // Comments closed, or opened again, since the page was served. Closed: the
  // Reply links go, and the reply form with them unless the reader has
  // written in it (sending it then says why it can't be taken; nothing typed
  // is lost). Opened again: a reload brings the links and the form back.
  // Returns what to say, or null when the page already agrees.
  function followOpen(area, state, data) {
    if (data.open === undefined || data.open === state.open) return null;
    state.open = data.open;
    if (data.open) {
      return [gettext("Comments are open again."), " ", link(location.href, gettext("Reload the page"))];
    }
    area.querySelectorAll(".comment-reply-link").forEach(function (a) { a.remove(); });
    var form = document.getElementById("respond");
    var text = form && form.querySelector("textarea");
    if (form && !(text && text.value.trim())) form.remove();
    var note = document.createElement("p");
    note.className = "no-comments";
    note.textContent = gettext("Comments are closed.");
    area.appendChild(note);
    return [gettext("Comments are now closed.")];
  }

  function start(area) {
    var state = {
      version: area.dataset.liveVersion,
      tag: null,
      seconds: parseFloat(area.dataset.liveSeconds) || 15,
      failures: 0,
      timer: null,
      busy: false,
      open: !area.querySelector(":scope > .no-comments"),
    };

    function schedule() {
      window.clearTimeout(state.timer);
      if (document.hidden) return; // asked again when the tab is shown
      var delay = Math.min(state.seconds * Math.pow(2, state.failures), MAX_DELAY);
      state.timer = window.setTimeout(poll, delay * 1000);
    }

    function received(response) {
      if (response.status === 204 || response.status === 304) return null;
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    }

    function poll() {
      if (state.busy || document.hidden) return;
      state.busy = true;
      var headers = state.tag ? { "If-None-Match": state.tag } : {};
      var url = area.dataset.liveUrl + "&v=" + encodeURIComponent(state.version);
      var tag = null;
      fetch(url, { headers: headers, cache: "no-store", credentials: "same-origin" })
        .then(function (response) {
          tag = response.headers.get("ETag");
          return received(response);
        })
        .then(function (data) {
          if (data) {
            var anchor = anchorNow();
            var added = data.reload ? [] : apply(area, data);
            var turned = followOpen(area, state, data);
            keepAnchor(anchor);
            announce(area, added, data, turned);
            if (!data.reload) state.version = data.version;
          }
          state.tag = tag;
          state.failures = 0;
        })
        .catch(function () {
          state.failures = Math.min(state.failures + 1, 10);
        })
        .then(function () {
          state.busy = false;
          schedule();
        });
    }

    document.addEventListener("visibilitychange", function () {
      window.clearTimeout(state.timer);
      if (!document.hidden) poll();
    });
    schedule();
  }

  function init() {
    var area = document.getElementById("comments");
    if (!area || !area.dataset.liveUrl || !window.fetch || !window.Set) return;
    start(area);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
