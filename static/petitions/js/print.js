/* Print buttons: <button data-print hidden> prints the page. Hidden until this script shows it,
   so without JavaScript the browser's own print command remains. Vanilla (CSP: script-src 'self'). */
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("button[data-print]"), function (button) {
    button.addEventListener("click", function () {
      window.print();
    });
    button.hidden = false;
  });
})();
