/* Copy buttons: <button data-copy="ID" data-copy-status="ID2" data-copied="…" data-copy-failed="…"
   hidden> copies the text of the element #ID and says so in #ID2 (a live region). The button is
   hidden until this script shows it, so without JavaScript only the selectable text is there.
   navigator.clipboard needs HTTPS (or localhost); elsewhere the text is selected and copied the
   old way, and if even that fails it stays selected for the user to copy. */
(function () {
  "use strict";
  function select(node) {
    var range = document.createRange();
    range.selectNodeContents(node);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }
  function copyBySelection(node) {
    select(node);
    try {
      return document.execCommand("copy");
    } catch (error) {
      return false;
    }
  }
  var buttons = document.querySelectorAll("button[data-copy]");
  Array.prototype.forEach.call(buttons, function (button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    var status = document.getElementById(button.getAttribute("data-copy-status"));
    if (!source) {
      return;
    }
    function say(text) {
      if (status) {
        status.textContent = text || "";
      }
    }
    function copied() {
      say(button.getAttribute("data-copied"));
    }
    function fallback() {
      if (copyBySelection(source)) {
        copied();
      } else {
        select(source);
        say(button.getAttribute("data-copy-failed"));
      }
    }
    button.addEventListener("click", function () {
      say("");
      var text = source.textContent.trim();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(copied, fallback);
      } else {
        fallback();
      }
    });
    button.hidden = false;
  });
})();
