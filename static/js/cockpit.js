/* The moderation queue (templates/admin/cockpit/queue.html), with JavaScript.
 *
 * Without it every button is a plain form POST and the page comes back.
 * With it the same forms are sent by fetch, asking for JSON, and the entry
 * changes in place; the keys (j/k, a/s/d, u, r, e, ?) drive the same
 * buttons, and the focused entry is outlined and announced.
 */
(function () {
  "use strict";
  // The strings' translations come from the JavaScript catalog, a script of
  // its own loaded before this one (/i18n/<language>/catalog.js); without
  // it the words stay English.
  var gettext = window.gettext || function (text) { return text; };
  var interpolate = window.interpolate || function (text, values) {
    return text.replace(/%\((\w+)\)s/g, function (match, name) { return String(values[name]); });
  };

  var root = document.getElementById("cockpit");
  if (!root) {
    return;
  }
  var doneLine = document.getElementById("cockpit-done");
  var announcer = document.getElementById("cockpit-announce");
  var keysPanel = document.getElementById("cockpit-keys");
  var keysButton = root.querySelector(".keys-button");
  var ACTION_KEYS = { a: "approve", s: "spam", d: "remove" };

  function entries() {
    return Array.prototype.slice.call(root.querySelectorAll("li.entry"));
  }

  function current() {
    return root.querySelector("li.entry.is-focused");
  }

  function say(text) {
    announcer.textContent = "";
    window.setTimeout(function () {
      announcer.textContent = text;
    }, 30);
  }

  function focusEntry(entry) {
    if (!entry) {
      return;
    }
    var before = current();
    if (before) {
      before.classList.remove("is-focused");
    }
    entry.classList.add("is-focused");
    entry.focus({ preventScroll: false });
    entry.scrollIntoView({ block: "nearest" });
    var list = entries();
    var title = entry.querySelector("h2").textContent;
    var state = entry.querySelector(".entry-state").textContent;
    say(interpolate(gettext("%(position)s of %(count)s: %(title)s (%(state)s)"), {
      position: list.indexOf(entry) + 1,
      count: list.length,
      title: title,
      state: state
    }, true));
  }

  function move(step) {
    var list = entries();
    var index = list.indexOf(current());
    var next = index < 0 ? 0 : Math.min(Math.max(index + step, 0), list.length - 1);
    focusEntry(list[next]);
  }

  function markDecided(decided) {
    Object.keys(decided).forEach(function (pk) {
      var entry = document.getElementById("entry-" + pk);
      if (!entry) {
        return;
      }
      entry.querySelector(".entry-state").textContent = decided[pk];
      entry.classList.add("is-decided");
      var box = entry.querySelector("input[type=checkbox]");
      if (box) {
        box.checked = false;
      }
    });
  }

  function showMessage(text, isError) {
    doneLine.textContent = text;
    doneLine.classList.toggle("is-error", Boolean(isError));
  }

  function answered(form, body) {
    if (body.error) {
      showMessage(body.error, true);
      return;
    }
    if (body.done_html !== undefined) {
      doneLine.classList.remove("is-error");
      doneLine.innerHTML = body.done_html; // rendered and escaped by the server
      markDecided(body.decided || {});
      return;
    }
    showMessage(body.message, false);
    var entry = form.closest("li.entry");
    if (body.body_html !== undefined && entry) {
      entry.querySelector(".entry-body").innerHTML = body.body_html; // sanitized
    }
    var details = form.closest("details");
    if (details) {
      details.open = false;
      if (form.closest(".entry-reply")) {
        form.querySelector("textarea").value = "";
      }
    }
  }

  function plainPost(form, submitter) {
    if (submitter && submitter.name) {
      var chosen = document.createElement("input");
      chosen.type = "hidden";
      chosen.name = submitter.name;
      chosen.value = submitter.value;
      form.appendChild(chosen);
    }
    HTMLFormElement.prototype.submit.call(form);
  }

  function send(form, submitter) {
    var data = new FormData(form, submitter || undefined);
    // Not form.action: the buttons named "action" shadow it.
    return fetch(form.getAttribute("action"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.json();
      })
      .then(function (body) {
        answered(form, body);
      })
      .catch(function () {
        plainPost(form, submitter); // the plain POST still works
      });
  }

  root.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList.contains("cockpit-form")) {
      return;
    }
    event.preventDefault();
    send(form, event.submitter).then(function () {
      var entry = form.closest("li.entry");
      if (entry && form.classList.contains("entry-actions")) {
        focusEntry(entry);
      }
    });
  });

  function decideFocused(action) {
    var entry = current();
    if (!entry) {
      return;
    }
    var button = entry.querySelector('.entry-actions button[data-action="' + action + '"]');
    if (!button) {
      return;
    }
    var form = button.form;
    send(form, button).then(function () {
      move(1);
    });
  }

  function openDetails(selector) {
    var entry = current();
    if (!entry) {
      return;
    }
    var details = entry.querySelector(selector);
    details.open = true;
    details.querySelector("textarea").focus();
  }

  function toggleKeys() {
    keysPanel.hidden = !keysPanel.hidden;
    keysButton.setAttribute("aria-expanded", String(!keysPanel.hidden));
  }

  keysButton.addEventListener("click", toggleKeys);

  root.addEventListener("focusin", function (event) {
    var entry = event.target.closest && event.target.closest("li.entry");
    if (entry && entry !== current()) {
      var before = current();
      if (before) {
        before.classList.remove("is-focused");
      }
      entry.classList.add("is-focused");
    }
  });

  function undoLast() {
    var form = doneLine.querySelector("form.undo-form");
    if (form) {
      send(form, null);
    }
  }

  var KEYS = {
    j: function () { move(1); },
    k: function () { move(-1); },
    u: undoLast,
    r: function () { openDetails(".entry-reply"); },
    e: function () { openDetails(".entry-edit"); },
    "?": toggleKeys,
  };

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    var target = event.target;
    if (target.closest && target.closest("input, textarea, select, [contenteditable]")) {
      if (event.key === "Escape") {
        target.blur();
        var entry = target.closest("li.entry");
        if (entry) {
          focusEntry(entry);
        }
      }
      return;
    }
    var handler = KEYS[event.key];
    if (ACTION_KEYS[event.key]) {
      handler = function () { decideFocused(ACTION_KEYS[event.key]); };
    }
    if (handler) {
      event.preventDefault();
      handler();
    }
  });
})();
