// Votes on comments, in place. Without JavaScript each vote form posts and
// the page comes back at the comment; with it the same form is sent by fetch,
// asking for JSON, and the comment's score and pressed button change where
// they are. Every word shown comes from the server (translated there).
(function () {
  "use strict";

  if (!window.fetch || !window.FormData) return;

  function note(form, text) {
    var line = form.querySelector(".comment-vote-note");
    if (!line) {
      line = document.createElement("span");
      line.className = "comment-vote-note";
      line.setAttribute("role", "status");
      form.appendChild(line);
    }
    line.textContent = text;
  }

  function show(form, answer) {
    var comment = form.closest(".comment") || document;
    var score = comment.querySelector(".comment-score");
    if (score) score.textContent = String(answer.score);
    form.querySelectorAll("button[name=value]").forEach(function (button) {
      var value = Number(button.value);
      if (value !== 0) button.setAttribute("aria-pressed", value === answer.vote ? "true" : "false");
    });
    form.setAttribute("data-vote", String(answer.vote));
    note(form, "");
  }

  // The reader's votes come marked on their forms (data-vote): say so to
  // assistive technology too.
  function markPressed(form) {
    var vote = Number(form.getAttribute("data-vote"));
    form.querySelectorAll("button[name=value]").forEach(function (button) {
      var value = Number(button.value);
      if (value !== 0) button.setAttribute("aria-pressed", value === vote ? "true" : "false");
    });
  }

  function send(form, button) {
    var body = new FormData(form);
    body.set("value", button.value);
    form.classList.add("is-sending");
    return fetch(form.getAttribute("action"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.json().then(function (answer) {
          if (response.ok) show(form, answer);
          else note(form, answer.error || response.statusText);
        });
      })
      .catch(function () {
        // The network or the answer failed: send it the plain way.
        var value = document.createElement("input");
        value.type = "hidden";
        value.name = "value";
        value.value = button.value;
        form.appendChild(value);
        form.submit();
      })
      .then(function () {
        form.classList.remove("is-sending");
      });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form.comment-vote")) return;
    var button = event.submitter;
    if (!button || button.name !== "value") return;
    event.preventDefault();
    // Pressing the pressed button again takes the vote back.
    if (button.value !== "0" && form.getAttribute("data-vote") === button.value) {
      var back = form.querySelector("button[name=value][value='0']");
      if (back) button = back;
    }
    send(form, button);
  });

  document.querySelectorAll('form.comment-vote:not([data-vote="0"])').forEach(markPressed);
})();
