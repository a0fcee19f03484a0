// The kiosk display of broadcasts (/display/): the list is read again every 2 seconds and
// swapped in place, without reloading the page (no flicker, and the screen stays usable).
(function () {
  "use strict";
  var box = document.getElementById("display");
  if (!box) return;
  function refresh() {
    fetch(window.location.href, { cache: "no-store", credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("display");
        if (fresh && fresh.innerHTML !== box.innerHTML) box.innerHTML = fresh.innerHTML;
      })
      .catch(function () { /* the network is down: keep what is shown, try again */ });
  }
  window.setInterval(refresh, 2000);
})();
