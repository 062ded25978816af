/* Photo rows in the back office: on a touch screen each photo input gets a "拍照" button that
   opens the camera straight away. The input itself keeps no `capture` attribute, so tapping it
   still offers the album (most activities are logged after they took place, with photos already
   taken). `capture` is only a hint: a browser that ignores it shows its usual chooser. Rows the
   admin adds later ("再添加一条照片") are clones of a template row and get their button from it;
   clicks are handled on the document. Vanilla, no external code (CSP: script-src 'self'). */
(function () {
  "use strict";
  var coarse = window.matchMedia && window.matchMedia("(pointer: coarse)").matches;
  if (!coarse) {
    return;
  }
  function addButton(input) {
    if (input.getAttribute("data-camera-ready")) {
      return;
    }
    input.setAttribute("data-camera-ready", "1");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button photo-camera";
    button.setAttribute("data-photo-camera", "");
    button.textContent = input.getAttribute("data-camera-label") || "拍照";
    input.insertAdjacentElement("afterend", button);
  }
  Array.prototype.forEach.call(
    document.querySelectorAll("input[type=file][data-camera-label]"),
    addButton
  );
  var fromButton = null;
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target && target.type === "file" && target !== fromButton) {
      // A tap on the input itself: the usual chooser, album included.
      target.removeAttribute("capture");
      return;
    }
    var button = target && target.closest && target.closest("button[data-photo-camera]");
    if (!button) {
      return;
    }
    var input = button.previousElementSibling;
    if (!input || input.type !== "file") {
      return;
    }
    input.setAttribute("capture", "environment");
    fromButton = input;
    input.click();
    fromButton = null;
  }, true);
})();
