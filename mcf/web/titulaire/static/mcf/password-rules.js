// Live check of the password rules (progressive enhancement: the server always checks).
// Mirrors mcf/domain/accounts/password_rules.py: 8–128 characters, ≥ 5 letters, ≥ 3 digits,
// ≥ 3 categories among upper case, lower case, digits, special characters.
(function () {
  "use strict";
  var list = document.querySelector("[data-password-rules]");
  if (!list) return;
  var input = document.getElementById(list.getAttribute("data-password-rules"));
  if (!input) return;
  var letter = /\p{L}/u, upper = /\p{Lu}/u, lower = /\p{Ll}/u, digit = /\p{Nd}/u;

  function evaluate(value) {
    var chars = Array.from(value);
    var letters = 0, digits = 0, hasUpper = false, hasLower = false, hasDigit = false, hasOther = false;
    chars.forEach(function (c) {
      if (letter.test(c)) { letters++; if (upper.test(c)) hasUpper = true; else if (lower.test(c)) hasLower = true; else hasOther = true; }
      else if (digit.test(c)) { digits++; hasDigit = true; }
      else { hasOther = true; }
    });
    var categories = [hasUpper, hasLower, hasDigit, hasOther].filter(Boolean).length;
    return {
      length: chars.length >= 8 && chars.length <= 128,
      letters: letters >= 5,
      digits: digits >= 3,
      categories: categories >= 3
    };
  }

  function update() {
    var result = evaluate(input.value);
    list.querySelectorAll("[data-rule]").forEach(function (item) {
      var ok = result[item.getAttribute("data-rule")];
      var state = item.querySelector("[data-state]");
      if (input.value === "") { item.removeAttribute("data-ok"); state.textContent = ""; return; }
      item.setAttribute("data-ok", ok ? "true" : "false");
      state.textContent = ok ? " : respectée" : " : non respectée";
    });
  }
  input.setAttribute("aria-describedby", (input.getAttribute("aria-describedby") || "") + " regles-mot-de-passe");
  input.addEventListener("input", update);
  update();
})();
