// « Rechercher une formation »: htmx settings that the Content-Security-Policy allows, and
// focus after an update. The page works without this file (and without htmx).
(function () {
  "use strict";
  if (!window.htmx) {
    return;
  }
  // No inline <style> (CSP style-src 'self'), no eval (no 'unsafe-eval'), no script from a
  // response, requests to this site only. Back and forward reload the page from the server
  // (no copy of the page, possibly a holder's, kept in the browser's session storage).
  Object.assign(window.htmx.config, {
    includeIndicatorStyles: false,
    allowEval: false,
    allowScriptTags: false,
    selfRequestsOnly: true,
    historyCacheSize: 0,
    refreshOnHistoryMiss: true,
    // htmx copies these attributes from the old copy of an element to the new one while it
    // settles; a « style » copied that way is an inline style, which the CSP refuses (the
    // DSFR writes one on its collapses): a console error, seen once under load in CI.
    attributesToSettle: ["class", "width", "height"],
  });
  // « Plus de critères » and, on a phone, what was unfolded (the filters, the situation)
  // stay open across updates (the criteria and the results are swapped each time).
  var moreOpen = false;
  var unfolded = [];
  document.addEventListener("htmx:beforeRequest", function () {
    var more = document.querySelector(".mcf-search__more");
    moreOpen = Boolean(more && more.open);
    unfolded = Array.prototype.filter
      .call(document.querySelectorAll(".mcf-fold__toggle"), function (toggle) {
        return toggle.getAttribute("aria-expanded") === "true";
      })
      .map(function (toggle) {
        return toggle.getAttribute("aria-controls");
      });
  });
  // Before the DSFR reads the new buttons (it takes a collapse's state from aria-expanded).
  function unfold() {
    unfolded.forEach(function (id) {
      var toggle = document.querySelector('.mcf-fold__toggle[aria-controls="' + id + '"]');
      var panel = document.getElementById(id);
      if (toggle && panel) {
        toggle.setAttribute("aria-expanded", "true");
        panel.classList.add("fr-collapse--expanded");
      }
    });
  }
  document.addEventListener("htmx:oobAfterSwap", unfold); // the criteria
  document.addEventListener("htmx:afterSwap", unfold); // the results
  document.addEventListener("htmx:afterSettle", function (event) {
    var more = document.querySelector(".mcf-search__more");
    if (more && moreOpen) {
      more.open = true;
    }
    var trigger = event.detail.requestConfig && event.detail.requestConfig.elt;
    var errors = document.getElementById("erreurs-recherche");
    var target = null;
    if (errors && trigger && trigger.id === "recherche-formations") {
      target = errors; // the form was sent with mistakes: go to their list
    } else if (trigger && trigger.dataset && trigger.dataset.mcfFocus) {
      target = document.getElementById(trigger.dataset.mcfFocus); // another page of results
    }
    if (target) {
      target.focus();
      target.scrollIntoView({ block: "start" });
    }
  });
})();
