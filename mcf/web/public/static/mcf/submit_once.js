// A comfort, not the protection (REL-04, docs/decisions/0013): once a form that carries an
// idempotency key is sent, its submit buttons are disabled so that a double click sends
// nothing more. The server answers any copy that still arrives with the first answer.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !form.querySelector('input[name="idempotency_key"]')) {
      return;
    }
    if (form.dataset.sent === "true") {
      event.preventDefault();
      return;
    }
    form.dataset.sent = "true";
    // After this turn: the clicked button's own name and value are still sent.
    window.setTimeout(function () {
      form.querySelectorAll('button[type="submit"], button:not([type]), input[type="submit"]')
        .forEach(function (button) {
          button.disabled = true;
          button.setAttribute("aria-disabled", "true");
        });
    }, 0);
  });
  // Back to a page kept by the browser (back button): its forms can be sent again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) {
      return;
    }
    document.querySelectorAll('form[data-sent="true"]').forEach(function (form) {
      delete form.dataset.sent;
      form.querySelectorAll("[aria-disabled]").forEach(function (button) {
        button.disabled = false;
        button.removeAttribute("aria-disabled");
      });
    });
  });
})();
