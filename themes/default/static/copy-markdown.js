// "Copy as Markdown": puts the lesson's Markdown copy on the clipboard. Without this script the button
// stays hidden; "View as Markdown" is a plain link and always works.
(function () {
  "use strict";
  var button = document.querySelector(".copy-markdown");
  if (!button || !window.fetch || !navigator.clipboard) return;
  var status = document.querySelector(".copy-markdown-status");
  var url = button.getAttribute("data-markdown-url");
  function say(text) { if (status) status.textContent = text; }
  function text() {
    return fetch(url).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.text();
    });
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    var copied;
    if (window.ClipboardItem && navigator.clipboard.write) {
      // Handing the clipboard a promise keeps the click's permission while the file downloads (Safari).
      var blob = text().then(function (markdown) { return new Blob([markdown], { type: "text/plain" }); });
      copied = navigator.clipboard.write([new ClipboardItem({ "text/plain": blob })]);
    } else {
      copied = text().then(function (markdown) { return navigator.clipboard.writeText(markdown); });
    }
    copied.then(
      function () { say("Copied the lesson as Markdown."); },
      function () { say("Could not copy: open View as Markdown instead."); }
    );
  });
})();
