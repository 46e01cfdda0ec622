// « Ma situation »: show only the fields of the chosen situation (progressive enhancement:
// without this script every field is shown and the server keeps only what applies).
(function () {
  "use strict";
  var form = document.querySelector("[data-situation-form]");
  if (!form) return;
  var radios = form.querySelectorAll("input[name$='employment_status']");
  var groups = form.querySelectorAll("[data-situation]");

  function update() {
    var chosen = "";
    radios.forEach(function (radio) { if (radio.checked) chosen = radio.value; });
    groups.forEach(function (group) {
      // Nothing chosen yet: both groups stay visible, with their « Si vous êtes… » legends.
      var hide = chosen !== "" && group.getAttribute("data-situation") !== chosen;
      group.hidden = hide;
      group.classList.toggle("fr-hidden", hide); // the DSFR's fieldset display wins over [hidden]
    });
  }

  radios.forEach(function (radio) { radio.addEventListener("change", update); });
  update();
})();
