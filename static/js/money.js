/* The money input (pojian.fields.MoneyInput): show beside the field the amount understood.
   The same grammar as pojian/domain/money.py; the server decides, this only shows it early. */
(function () {
  "use strict";
  var UNITS = [["万亿", 1e12], ["千万", 1e7], ["百万", 1e6], ["十万", 1e5], ["亿", 1e8], ["万", 1e4], ["千", 1e3]];
  var WORDS = ["人民币", "RMB", "CNY", "¥", "元整", "元", "圆"];
  var NUMBER = /^(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.\d+)?$|^\.\d+$/;

  function parse(raw) {
    var text = raw.normalize("NFKC").replace(/。/g, ".").replace(/\s+/g, "");
    if (!text) { return null; }
    var sign = "";
    if (text[0] === "-" || text[0] === "+") { sign = text[0] === "-" ? "-" : ""; text = text.slice(1); }
    WORDS.forEach(function (w) { if (text.indexOf(w) === 0) { text = text.slice(w.length); } });
    WORDS.forEach(function (w) { if (text.slice(-w.length) === w) { text = text.slice(0, -w.length); } });
    var shift = 0;
    for (var i = 0; i < UNITS.length; i++) {
      var w = UNITS[i][0];
      if (text.slice(-w.length) === w) { text = text.slice(0, -w.length); shift = Math.round(Math.log10(UNITS[i][1])); break; }
    }
    if (!NUMBER.test(text)) { return undefined; }
    // Exact decimal arithmetic on the digit string: move the point `shift` places right.
    var parts = text.replace(/,/g, "").split(".");
    var whole = parts[0] || "0", frac = parts[1] || "";
    while (shift > 0) { whole += frac.charAt(0) || "0"; frac = frac.slice(1); shift--; }
    whole = whole.replace(/^0+(?=\d)/, "");
    if (frac.replace(/0+$/, "").length > 2) { return undefined; }
    frac = (frac + "00").slice(0, 2);
    return sign + whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",") + "." + frac;
  }

  function update(input) {
    var echo = input.nextElementSibling;
    if (!echo || !echo.hasAttribute("data-money-echo")) { return; }
    var strong = echo.querySelector("strong");
    var value = parse(input.value);
    if (value === null) { echo.hidden = true; return; }
    echo.hidden = false;
    if (value === undefined) {
      echo.classList.add("text-danger");
      strong.textContent = input.dataset.moneyUnreadable || "?";
    } else {
      echo.classList.remove("text-danger");
      strong.textContent = (input.dataset.moneyFormat || "%s").replace("%s", value);
    }
  }

  function bind(root) {
    (root || document).querySelectorAll("input[data-money]").forEach(function (input) {
      if (input.dataset.moneyBound) { return; }
      input.dataset.moneyBound = "1";
      input.addEventListener("input", function () { update(input); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { bind(document); });
  document.addEventListener("htmx:afterSwap", function (e) { bind(e.target); });
})();
