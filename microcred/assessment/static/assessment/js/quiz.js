// The quiz page's timer (progressive enhancement: the server enforces the time limit either way).
// It counts down from the seconds the server computed for this page, so a reload picks up where the
// clock really is, and submits the form when time is up; the server grades what was saved by then.
(function () {
  "use strict";
  function start() {
    var timer = document.querySelector(".quiz-timer[data-seconds-left]");
    if (!timer) return;
    var value = timer.querySelector(".quiz-timer-value");
    var ends = Date.now() + parseInt(timer.getAttribute("data-seconds-left"), 10) * 1000;
    var form = document.querySelector("form[hx-post]");
    var done = false;
    function pad(n) { return (n < 10 ? "0" : "") + n; }
    function tick() {
      var left = Math.max(0, Math.round((ends - Date.now()) / 1000));
      value.textContent = Math.floor(left / 60) + ":" + pad(left % 60);
      if (left <= 60) timer.classList.add("alert-warning");
      if (left === 0 && !done && form) {
        done = true;
        var submit = form.querySelector('button[name="action"][value="submit"]');
        if (form.requestSubmit) form.requestSubmit(submit); else submit.click();
        return;
      }
      if (left > 0) window.setTimeout(tick, 1000);
    }
    tick();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
