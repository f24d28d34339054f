// Move the one comment form under the comment being answered (progressive
// enhancement: without JavaScript, "Reply" links reload the page with
// ?replytocom=<id> and the server renders the form in the same place).
(function () {
  "use strict";

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
    var originalTitle = "Leave a Reply";

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
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
