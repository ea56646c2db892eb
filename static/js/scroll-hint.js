/* Wide tables scroll sideways inside their box; on a phone say so above the table. */
(function () {
  "use strict";
  var label = (document.currentScript && document.currentScript.dataset.hint) || "";

  function mark(box) {
    var wide = box.scrollWidth > box.clientWidth + 2;
    box.classList.toggle("is-scrollable", wide);
    var hint = box.previousElementSibling;
    if (!hint || !hint.classList.contains("scroll-hint")) {
      if (!wide) { return; }
      hint = document.createElement("div");
      hint.className = "scroll-hint small text-muted mb-1";
      hint.setAttribute("data-testid", "scroll-hint");
      hint.textContent = label;
      box.parentNode.insertBefore(hint, box);
    }
    hint.classList.toggle("is-shown", wide);
  }

  function markAll(root) {
    (root || document).querySelectorAll(".table-responsive").forEach(mark);
  }

  document.addEventListener("DOMContentLoaded", function () { markAll(document); });
  window.addEventListener("resize", function () { markAll(document); });
  document.addEventListener("htmx:afterSwap", function () { markAll(document); });
})();
