/* Accessibility helpers for every page (WCAG 2.1 AA). A static file: the portal allows no inline script. */
(function () {
  "use strict";

  /* A box that scrolls sideways (a wide table, a chart on a phone) must be reachable with the keyboard,
     and says so to a screen reader. Only boxes that really scroll become tab stops. */
  function markScrollableBoxes() {
    document.querySelectorAll(".table-responsive, .chart-box").forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", box.getAttribute("role") || "region");
        if (!box.hasAttribute("aria-label")) {
          var caption = box.querySelector("caption, title");
          box.setAttribute("aria-label", (caption && caption.textContent.trim()) || document.documentElement.dataset.scrollLabel || "scrollable");
        }
        box.classList.add("scrolls");
      } else if (!scrolls && box.classList.contains("scrolls")) {
        box.removeAttribute("tabindex");
        box.classList.remove("scrolls");
      }
    });
  }

  /* Errors are tied to their fields, and the first field in error gets the focus after a failed submit. */
  function tieErrorsToFields() {
    var first = null;
    document.querySelectorAll("form .is-invalid, form [aria-invalid=true]").forEach(function (field) {
      field.setAttribute("aria-invalid", "true");
      var group = field.closest(".mb-3, .form-group, td, fieldset") || field.parentElement;
      var messages = group ? group.querySelectorAll(".invalid-feedback, .errorlist, .text-danger") : [];
      var ids = (field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      messages.forEach(function (message, i) {
        if (!message.id) { message.id = (field.id || field.name || "field") + "-error-" + i; }
        if (ids.indexOf(message.id) < 0) { ids.push(message.id); }
      });
      if (ids.length) { field.setAttribute("aria-describedby", ids.join(" ")); }
      if (!first) { first = field; }
    });
    if (first && !document.querySelector("[autofocus]")) { first.focus(); }
  }

  /* Required fields say so to assistive technology, and visibly. */
  function markRequired() {
    document.querySelectorAll("form [required]").forEach(function (field) {
      field.setAttribute("aria-required", "true");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    markScrollableBoxes();
    tieErrorsToFields();
    markRequired();
  });
  window.addEventListener("resize", markScrollableBoxes);
  document.addEventListener("htmx:afterSwap", markScrollableBoxes);
})();
