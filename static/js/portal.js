/* The portal's only script besides Bootstrap and htmx: behaviour wired by data- attributes, so no
   page needs an inline script or an on…= handler (the Content-Security-Policy allows neither).

   data-autosubmit           on a <select>: submit its form when the choice changes
   data-confirm="question"   on a button or link: ask first, do nothing unless confirmed
   data-select-all="name"    on a checkbox: tick or untick every input[name=<name>]
   data-formset="prefix"     on a box around a Django formset: its .add-row button adds a row
                             from <template class="empty-form"> */
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches("select[data-autosubmit]") && el.form) {
      el.form.submit();
    } else if (el.matches("input[data-select-all]")) {
      document.querySelectorAll('input[name="' + el.getAttribute("data-select-all") + '"]').forEach(function (box) {
        box.checked = el.checked;
      });
    }
  });

  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
    var add = event.target.closest("[data-formset] .add-row");
    if (add) {
      var box = add.closest("[data-formset]");
      var prefix = box.getAttribute("data-formset");
      var total = box.querySelector("#id_" + prefix + "-TOTAL_FORMS");
      var html = box.querySelector("template.empty-form").innerHTML.replace(/__prefix__/g, total.value);
      box.querySelector(".formset-rows").insertAdjacentHTML("beforeend", html);
      total.value = parseInt(total.value, 10) + 1;
    }
  }, true);
})();
