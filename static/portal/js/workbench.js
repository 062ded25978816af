// The workbench folds the full model list on a phone: the queues come first there.
(function () {
  var apps = document.getElementById("wb-apps");
  if (apps && window.matchMedia("(max-width: 767px)").matches) {
    apps.removeAttribute("open");
  }
})();
