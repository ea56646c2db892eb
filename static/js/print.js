// Buttons marked data-action="print" print the page (the backup codes page).
document.querySelectorAll("[data-action=print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
