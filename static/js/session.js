// Warns before the portal signs an idle user out (pojian.middleware.IdleTimeoutMiddleware).
// Activity in any tab of the portal counts: the last page load is shared through localStorage.
// "Stay signed in" sends one request (the session ping), which the server counts as activity.
(function () {
  "use strict";
  var box = document.getElementById("session-timeout");
  if (!box) { return; }
  var idle = parseInt(box.dataset.idleSeconds, 10) * 1000;
  var warn = parseInt(box.dataset.warnSeconds, 10) * 1000;
  var KEY = "pojian-last-activity";
  var countdown = box.querySelector("[data-role=countdown]");

  function noteActivity() {
    try { localStorage.setItem(KEY, String(Date.now())); } catch (e) { /* private mode */ }
    box.hidden = true;
  }
  function lastActivity() {
    var stored = null;
    try { stored = parseInt(localStorage.getItem(KEY), 10); } catch (e) { stored = null; }
    return stored || loadedAt;
  }
  var loadedAt = Date.now();
  noteActivity();

  box.querySelector("[data-action=stay-signed-in]").addEventListener("click", function () {
    fetch(box.dataset.pingUrl, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { if (response.ok) { noteActivity(); } else { window.location.reload(); } });
  });
  // htmx requests reach the server, so they are activity too.
  document.body.addEventListener("htmx:afterRequest", noteActivity);

  setInterval(function () {
    var left = lastActivity() + idle - Date.now();
    if (left <= 0) {
      window.location.reload(); // the server signs the session out and shows the login page
    } else if (left <= warn) {
      box.hidden = false;
      if (countdown) { countdown.textContent = Math.ceil(left / 1000) + " s"; }
    } else {
      box.hidden = true;
    }
  }, 1000);
})();
