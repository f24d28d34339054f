// Move the one comment form under the comment being answered, and preview a
// comment in place (progressive enhancement: without JavaScript, "Reply"
// links reload the page with ?replytocom=<id> and the server renders the form
// in the same place; "Preview" sends the form and the page comes back with
// the preview above it).
(function () {
  "use strict";
  // The strings' translations come from the JavaScript catalog, a script of
  // its own loaded before this one (/i18n/<language>/catalog.js); without
  // it the words stay English.
  var gettext = window.gettext || function (text) { return text; };

  function init() {
    var respond = document.getElementById("respond");
    var form = document.getElementById("commentform");
    if (!respond || !form) return;
    var home = document.createElement("div");
    home.id = "respond-home";
    home.hidden = true;
    var parentField = form.querySelector("[name=comment_parent]");
    var title = document.getElementById("reply-title");
    var cancel = document.getElementById("cancel-comment-reply-link");
    var titleText = title.firstChild;
    var originalTitle = gettext("Leave a Reply");

    // The form's home at the bottom: after the thread when the server put
    // the form under a comment (?replytocom=), else right where it is.
    var anchor = respond.closest(".comment") ? document.querySelector(".comment-list") : respond;
    anchor.parentNode.insertBefore(home, anchor.nextSibling);

    function moveUnder(commentId, label) {
      var article = document.getElementById("div-comment-" + commentId);
      if (!article) return false;
      article.parentNode.insertBefore(respond, article.nextSibling);
      parentField.value = commentId;
      titleText.nodeValue = label + " ";
      cancel.hidden = false;
      var text = form.querySelector("textarea[name=comment]");
      if (text) text.focus();
      return true;
    }

    function reset() {
      // Moving the form drops focus on <body>: hand it back to the Reply link
      // of the comment it was under, so keyboard users keep their place.
      var answered = respond.previousElementSibling;
      var opener = answered && answered.querySelector(".comment-reply-link");
      home.parentNode.insertBefore(respond, home);
      parentField.value = "0";
      titleText.nodeValue = originalTitle + " ";
      cancel.hidden = true;
      if (opener) opener.focus();
    }

    document.addEventListener("click", function (event) {
      // Leave modified clicks (new tab, new window) to the browser.
      if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
      var link = event.target.closest(".comment-reply-link");
      if (link && moveUnder(link.dataset.commentid, link.dataset.replyto)) {
        event.preventDefault();
      } else if (event.target === cancel) {
        event.preventDefault();
        reset();
      }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !cancel.hidden && respond.contains(document.activeElement)) {
        reset();
      }
    });
    initPreview(form);
    initErrorSummary();
  }

  // The error summary's links: focus the field itself, its label in view
  // (without JavaScript the link scrolls to the field).
  function initErrorSummary() {
    document.addEventListener("click", function (event) {
      var link = event.target.closest(".error-summary a[href^='#']");
      var field = link && document.getElementById(link.hash.slice(1));
      if (!field) return;
      event.preventDefault();
      var label = document.querySelector("label[for='" + field.id + "']");
      (label || field).scrollIntoView({ block: "start" });
      field.focus({ preventScroll: true });
    });
  }

  // Preview: the server renders the text with the same Markdown and
  // sanitizer as a posted comment (POST /comments/preview/, an HTML fragment).
  function initPreview(form) {
    var preview = document.getElementById("comment-preview");
    var button = form.querySelector(".preview-button");
    var status = form.querySelector(".form-status");
    if (!preview || !button || !window.fetch) return;
    var text = form.querySelector("textarea[name=comment]");
    var token = form.querySelector("[name=csrfmiddlewaretoken]");

    function withoutScript() {
      // The way it works without JavaScript: send the form, marked as a preview.
      var flag = document.createElement("input");
      flag.type = "hidden";
      flag.name = "preview";
      flag.value = "1";
      form.appendChild(flag);
      // Not form.submit(): WordPress's button id="submit" hides that method.
      HTMLFormElement.prototype.submit.call(form);
      flag.remove(); // the form's data is already taken; back here, "Post" posts
    }

    button.addEventListener("click", function (event) {
      event.preventDefault();
      var body = new URLSearchParams();
      body.append("comment", text.value);
      body.append("csrfmiddlewaretoken", token.value);
      button.setAttribute("aria-busy", "true");
      fetch(preview.dataset.url, { method: "POST", body: body, credentials: "same-origin" })
        .then(function (response) {
          // 400 (too long) and 429 (too many) come with a note to show.
          if ([200, 400, 429].indexOf(response.status) < 0) throw new Error(response.status);
          return response.text();
        })
        .then(function (html) {
          preview.querySelector(".comment-content").innerHTML = html; // sanitized by the server
          preview.hidden = false;
          status.textContent = "";
          window.setTimeout(function () { status.textContent = gettext("The preview is above the form."); }, 100);
        })
        .catch(withoutScript)
        .finally(function () { button.removeAttribute("aria-busy"); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
