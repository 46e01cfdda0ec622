// The dossier's « Dates, durée et coût » step: the hours plan follows the duration typed
// (htmx). Settings that the Content-Security-Policy allows; the page works without it.
(function () {
  "use strict";
  if (!window.htmx) {
    return;
  }
  Object.assign(window.htmx.config, {
    includeIndicatorStyles: false,
    allowEval: false,
    allowScriptTags: false,
    selfRequestsOnly: true,
    historyCacheSize: 0,
  });
})();
