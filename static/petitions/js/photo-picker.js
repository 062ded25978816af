/* 我要反映: the photo field's Chinese "选择照片" button and a line saying what was chosen, instead
   of the browser's own "Choose Files / No file chosen" (which follows the browser's language).
   The real file input stays in place, transparent, over the button: taps, keyboard focus and
   screen readers reach the input itself. Without this script the browser's own control shows
   and the form submits the same. Vanilla, no external code (CSP: script-src 'self'). */
(function () {
  "use strict";
  var pickers = document.querySelectorAll("[data-file-picker]");
  Array.prototype.forEach.call(pickers, function (picker) {
    var input = picker.querySelector("input[type=file]");
    var status = picker.querySelector(".file-picker__status");
    if (!input || !status) {
      return;
    }
    function show() {
      var files = input.files ? Array.prototype.slice.call(input.files) : [];
      if (!files.length) {
        status.textContent = picker.getAttribute("data-none");
        return;
      }
      var names = files.map(function (file) { return file.name; }).join("、");
      var lead = files.length === 1
        ? picker.getAttribute("data-one")
        : picker.getAttribute("data-many").replace("{n}", String(files.length));
      status.textContent = lead + names;
    }
    input.addEventListener("change", show);
    picker.classList.add("file-picker--enhanced");
    show();
  });
})();
