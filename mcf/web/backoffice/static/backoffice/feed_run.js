// The page of a yearly-feed run follows its progress without reloading itself: a
// <meta refresh> would move the operator's focus and reading position every 5 s, with no
// way to stop it (WCAG 2.2.1 and 2.2.2, RGAA 13.1). Instead the run's block is fetched
// again and replaced, a change of state is announced in the status line, and the operator
// can suspend the updates. A failed update is tried again (a server restarting, a network
// blip) up to MAX_FAILURES times in a row. Without JavaScript the page says to refresh it
// by hand.
(function () {
  "use strict";
  var run = document.getElementById("feed-run");
  if (!run || !run.dataset.refreshEvery || !window.fetch || !window.DOMParser) {
    return;
  }
  var every = Number(run.dataset.refreshEvery) * 1000;
  var status = document.getElementById("feed-run-status");
  var pause = document.getElementById("feed-run-pause");
  var MAX_FAILURES = 3;
  var timer = null;
  var paused = false;
  var failures = 0;

  function state(root) {
    var element = root.querySelector("#feed-run-state");
    return element ? element.textContent.trim() : "";
  }

  function schedule() {
    if (!paused) {
      timer = window.setTimeout(update, every);
    }
  }

  function finish() {
    paused = true;
    pause.hidden = true;
  }

  function update() {
    timer = null;
    window
      .fetch(window.location.href, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("feed-run");
        if (!fresh) {
          throw new Error("no run block");
        }
        var before = state(run);
        run.innerHTML = fresh.innerHTML;
        var after = state(run);
        if (after !== before || failures > 0) {
          status.textContent = "État du chargement : " + after;
        }
        failures = 0;
        if (!fresh.dataset.refreshEvery) {
          finish();
        } else {
          schedule();
        }
      })
      .catch(function () {
        failures += 1;
        if (failures < MAX_FAILURES) {
          status.textContent =
            "La mise à jour automatique a échoué ; nouvel essai dans " + every / 1000 + " secondes.";
          schedule();
        } else {
          status.textContent =
            "La mise à jour automatique a échoué : actualisez la page pour suivre le chargement.";
          finish();
        }
      });
  }

  pause.hidden = false;
  pause.addEventListener("click", function () {
    paused = !paused;
    if (paused) {
      if (timer !== null) {
        window.clearTimeout(timer);
        timer = null;
      }
      pause.textContent = "Reprendre la mise à jour automatique";
      status.textContent = "Mise à jour automatique suspendue.";
    } else {
      pause.textContent = "Suspendre la mise à jour automatique";
      status.textContent = "Mise à jour automatique reprise.";
      update();
    }
  });
  schedule();
})();
