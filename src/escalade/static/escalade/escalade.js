// Scripts are on: the header's menu can fold behind its button on a phone.
document.documentElement.classList.add("js");
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("#menu-toggle");
  if (!button) { return; }
  var header = button.closest("header");
  var open = header.classList.toggle("open");
  button.setAttribute("aria-expanded", open ? "true" : "false");
});
// Small behaviours without inline scripts (the Content-Security-Policy forbids them).
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el.classList && el.classList.contains("autosubmit") && el.form) {
    el.form.submit();
  }
});
// After htmx swaps a note form back in, put the cursor where the agent types next.
document.addEventListener("htmx:afterSwap", function (event) {
  var focus = event.target.querySelector("[data-focus-after-swap]");
  if (focus) { focus.focus(); }
});
// Keyboard shortcuts: Alt+<key> follows the link or presses the button marked
// data-shortcut="<key>" (the same keys as the accesskey attributes, in every browser).
document.addEventListener("keydown", function (event) {
  if (!event.altKey || event.ctrlKey || event.metaKey) { return; }
  var key = (event.key || "").toLowerCase();
  // Some layouts (and Alt on a Mac) turn Alt+Q into another character: the key's
  // position (KeyQ) says which letter was meant.
  if (!/^[a-z0-9]$/.test(key) && /^(Key[A-Z]|Digit[0-9])$/.test(event.code || "")) {
    key = event.code.slice(-1).toLowerCase();
  }
  var target = document.querySelector('[data-shortcut="' + key + '"]');
  if (target) {
    event.preventDefault();
    var tag = target.tagName.toLowerCase();
    if (tag === "input" || tag === "select" || tag === "textarea" || target.hasAttribute("data-focus")) {
      target.focus();
    }
    else { target.click(); }
  }
});
// A form sent back with errors: the cursor goes to the first field to correct.
document.addEventListener("DOMContentLoaded", function () {
  var invalid = document.querySelector('main [aria-invalid="true"]');
  if (invalid) { invalid.focus(); }
});
// Guided flow: a digit key picks the answer with that number.
document.addEventListener("keydown", function (event) {
  if (event.altKey || event.ctrlKey || event.metaKey) { return; }
  var tag = (event.target.tagName || "").toLowerCase();
  if (tag === "input" || tag === "textarea" || tag === "select") { return; }
  var target = document.querySelector('[data-shortcut-digit="' + event.key + '"]');
  if (target) { event.preventDefault(); target.click(); }
});
// Print buttons (no inline handlers under the Content-Security-Policy).
document.addEventListener("click", function (event) {
  if (event.target.classList && event.target.classList.contains("print")) { window.print(); }
});
// Idle sign-out on shared workstations: the server signs the session out after
// data-idle-seconds without activity; this warns data-idle-warning seconds before, offers
// to stay (a POST that counts as activity), and goes to the sign-in page at the end.
document.addEventListener("DOMContentLoaded", function () {
  var body = document.body;
  var limit = parseInt(body.getAttribute("data-idle-seconds") || "0", 10);
  if (!limit) { return; }
  var warnBefore = parseInt(body.getAttribute("data-idle-warning") || "120", 10);
  var box = document.getElementById("idle-warning");
  var left = document.getElementById("idle-left");
  var stay = document.getElementById("idle-stay");
  var lastPing = Date.now();  // the last activity the server knows of
  var csrf = (JSON.parse(body.getAttribute("hx-headers") || "{}"))["X-CSRFToken"];
  function ping() {
    lastPing = Date.now();
    fetch(body.getAttribute("data-alive-url"), {method: "POST", credentials: "same-origin",
      headers: {"X-CSRFToken": csrf}});
  }
  function active(event) {
    // the warning's own button pings when clicked: hidden here, on its mousedown, the
    // button would be gone before its click, and "stay" would do nothing
    if (box.contains(event.target)) { return; }
    // typing in a long form makes no request: tell the server now and then
    if (Date.now() - lastPing > 60000) { ping(); }
    if (!box.hidden) { box.hidden = true; }
  }
  ["keydown", "mousedown", "touchstart"].forEach(function (name) {
    document.addEventListener(name, active, true);
  });
  stay.addEventListener("click", function () { ping(); box.hidden = true; });
  document.addEventListener("htmx:afterRequest", function (event) {
    var poll = event.detail && event.detail.requestConfig &&
      event.detail.requestConfig.headers && event.detail.requestConfig.headers["X-Escalade-Poll"];
    if (!poll) { lastPing = Date.now(); }
  });
  setInterval(function () {
    var idle = (Date.now() - lastPing) / 1000;
    var remaining = Math.max(0, Math.ceil(limit - idle));
    // the server counts from the last activity it saw, a little after this page's: go a
    // second after its limit, or the sign-in page finds the session alive and sends the
    // person back (a shared workstation left signed in for another whole period)
    if (idle >= limit + 1) {
      window.location.href = body.getAttribute("data-login-url") + "?next=" +
        encodeURIComponent(window.location.pathname);
    } else if (remaining <= warnBefore) {
      if (box.hidden) { box.hidden = false; stay.focus(); }
      left.textContent = remaining + " s";
    }
  }, 1000);
});
// The symptom list: say at once whether the choice is major (a C2 ticket) or minor, and
// when a major symptom was reached by typing letters (a select jumps to the first
// matching option), ask before the call is saved with it.
document.addEventListener("DOMContentLoaded", function () {
  var select = document.querySelector("select[data-confirm-major]");
  if (!select) { return; }
  var note = document.getElementById("symptom-severity");
  var byKeyboard = false;
  var confirmed = "";
  function group() {
    var option = select.options[select.selectedIndex];
    return option ? option.getAttribute("data-group") || "" : "";
  }
  function tell() {
    if (!note) { return; }
    var g = group();
    note.textContent = g === "major" ? note.getAttribute("data-major-text")
      : g === "minor" ? note.getAttribute("data-minor-text") : "";
    note.className = "severity-note" + (g ? " " + g : "");
  }
  select.addEventListener("keydown", function () { byKeyboard = true; });
  select.addEventListener("mousedown", function () { byKeyboard = false; });
  select.addEventListener("change", function () { tell(); confirmed = ""; });
  tell();
  select.form.addEventListener("submit", function (event) {
    if (group() !== "major" || !byKeyboard || confirmed === select.value) { return; }
    // saved attached to a known incident in progress: no ticket of its own, nothing to ask
    if (event.submitter && event.submitter.name === "attach_to") { return; }
    if (window.confirm(select.getAttribute("data-confirm-major"))) {
      confirmed = select.value;
    } else {
      event.preventDefault();
      select.focus();
    }
  });
});
// A returning caller (the call form's card, fetched once the phone is typed): their
// name, role and site are filled in where nothing was typed yet, and the cursor goes on
// to the symptom. The symptom's name is offered as the summary until one is typed.
document.addEventListener("htmx:load", function (event) {
  var card = event.detail.elt;
  if (!card || card.id !== "caller-card") { return; }
  var name = document.getElementById("id_requester_name");
  if (!card.hasAttribute("data-name") || !name || name.value.trim()) { return; }
  name.value = card.getAttribute("data-name");
  var role = document.getElementById("id_requester_role");
  if (role) { role.value = card.getAttribute("data-role"); }
  var site = document.getElementById("id_requester_site");
  if (site && !site.value.trim()) { site.value = card.getAttribute("data-site"); }
  var ext = document.getElementById("id_requester_phone_ext");
  var here = document.activeElement;
  var phone = document.getElementById("id_requester_phone");
  if ((here === ext && !ext.value) || here === phone || here === document.body) {
    var symptom = document.getElementById("id_symptom");
    if (symptom) { symptom.focus(); }
  }
});
document.addEventListener("DOMContentLoaded", function () {
  var select = document.getElementById("id_symptom");
  var summary = document.getElementById("id_summary");
  if (!select || !summary) { return; }
  var offered = "";
  select.addEventListener("change", function () {
    var option = select.options[select.selectedIndex];
    var name = option ? option.getAttribute("data-summary") || "" : "";
    if (!summary.value || summary.value === offered) {
      summary.value = name;
      offered = name;
    }
  });
});
// The live session page: the clock ticks here (the server answers 204 while nothing else
// changes, so nothing is swapped and focus stays on the button a person is about to
// press); after a real change, what happened is read out by the aria-live region.
function tickClock() {
  document.querySelectorAll(".clock[data-started]").forEach(function (clock) {
    var started = parseInt(clock.getAttribute("data-started") || "0", 10);
    if (!started) { return; }
    var s = Math.max(0, Math.floor(Date.now() / 1000) - started);
    var m = Math.floor(s / 60);
    clock.textContent = (m < 10 ? "0" : "") + m + ":" + (s % 60 < 10 ? "0" : "") + (s % 60);
  });
}
setInterval(tickClock, 1000);
// What was already said: only what changed is read out (a step done, a mark reached),
// never the whole list again.
var liveSaid = null;
function liveNews() {
  var out = [];
  document.querySelectorAll("#live [data-news]").forEach(function (el) {
    out.push(el.getAttribute("data-news"));
  });
  return out;
}
document.addEventListener("DOMContentLoaded", function () {
  if (!document.getElementById("live")) { return; }
  liveSaid = new Set(liveNews());
  // a step marked without htmx (?marked=N: the page came back whole): read out that
  // change, as the swap would have
  var marked = new URLSearchParams(window.location.search).get("marked") || "";
  var step = /^\d+$/.test(marked) ? document.getElementById("step-" + marked) : null;
  var news = document.getElementById("live-news");
  if (step && news && step.getAttribute("data-news")) {
    window.setTimeout(function () { news.textContent = step.getAttribute("data-news"); }, 50);
  }
});
// The focus before a swap of the live panel: kept on the same control, or, when it was a
// step's button (gone once the step is done), moved to the next step still to do.
// (A step's button posts with hx-target="#live": its events are dispatched on the form,
// which the swap removes, so the new panel's htmx:load applies the focus too. The post
// cancels a poll in flight and no poll starts until it is answered (hx-sync), so an older
// panel never lands after the step's own.)
var liveFocus = null;
function livePanel(el) {
  return el && el.closest ? el.closest("#live") || (el.id === "live" ? el : null) : null;
}
document.addEventListener("htmx:beforeRequest", function (event) {
  var here = document.activeElement;
  if (livePanel(event.detail.elt) && here && livePanel(here) && here.id) { liveFocus = here.id; }
});
document.addEventListener("htmx:beforeSwap", function (event) {
  var panel = event.detail.target;
  if (!panel || panel.id !== "live") { return; }
  var here = document.activeElement;
  if (here && panel.contains(here) && here.id) { liveFocus = here.id; }
});
function liveAfterSwap() {
  var panel = document.getElementById("live");
  if (!panel) { return; }
  if (liveFocus && !panel.contains(document.activeElement)) {
    var same = document.getElementById(liveFocus);
    var step = /^step-(\d+)-/.exec(liveFocus);
    if (same) {
      same.focus();
    } else if (step) {
      var n = parseInt(step[1], 10);
      var next = null;
      panel.querySelectorAll("button[id$='-done']").forEach(function (b) {
        var m = parseInt(b.id.split("-")[1], 10);
        if (!next && m > n) { next = b; }
      });
      (next || document.getElementById("step-" + n) || panel).focus();
    }
  }
  if (panel.contains(document.activeElement)) { liveFocus = null; }
  var news = document.getElementById("live-news");
  if (!news) { return; }
  if (liveSaid === null) { liveSaid = new Set(); }
  var fresh = liveNews().filter(function (text) { return !liveSaid.has(text); });
  fresh.forEach(function (text) { liveSaid.add(text); });
  if (fresh.length) { news.textContent = fresh.join(" "); }
}
document.addEventListener("htmx:afterSwap", function (event) {
  tickClock();
  var panel = event.detail.target;
  if (panel && panel.id === "live") { liveAfterSwap(); }
});
document.addEventListener("htmx:load", function (event) {
  if (livePanel(event.detail.elt)) { liveAfterSwap(); }
});
// On a narrow screen a wide table scrolls in place: it must then be reachable with the
// keyboard (Tab, then the arrow keys), so it joins the tab order while it scrolls.
function scrollableTables() {
  document.querySelectorAll("table.list").forEach(function (table) {
    if (table.scrollWidth > table.clientWidth + 1) {
      table.setAttribute("tabindex", "0");
    } else if (table.getAttribute("tabindex") === "0") {
      table.removeAttribute("tabindex");
    }
  });
}
document.addEventListener("DOMContentLoaded", scrollableTables);
window.addEventListener("resize", scrollableTables);
document.addEventListener("htmx:afterSwap", scrollableTables);

// Print buttons (the runbook, the call sheet): no inline onclick under the CSP.
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) { window.print(); }
});

// Passkeys (WebAuthn) as the second factor: the server's options go to the browser's
// passkey prompt and its answer back to the server. Buttons marked data-passkey say
// where (data-begin, data-complete) and what to tell the user (data-unavailable,
// data-cancelled) in the page's language.
function passkeysOffered() {
  return !!(window.PublicKeyCredential && window.isSecureContext &&
    PublicKeyCredential.parseCreationOptionsFromJSON &&
    PublicKeyCredential.parseRequestOptionsFromJSON);
}
function passkeyPost(url, data) {
  var csrf = (JSON.parse(document.body.getAttribute("hx-headers") || "{}"))["X-CSRFToken"];
  return fetch(url, {
    method: "POST", credentials: "same-origin",
    headers: {"X-CSRFToken": csrf, "Content-Type": "application/json", "Accept": "application/json"},
    body: JSON.stringify(data || {})
  }).then(function (response) {
    return response.json().then(function (body) {
      if (!response.ok) {
        var error = (body.errors && body.errors[0]) || {};
        throw new Error(error.message || response.statusText);
      }
      return body;
    });
  });
}
function passkeyCeremony(button) {
  var status = document.getElementById(button.dataset.status);
  var register = button.dataset.passkey === "register";
  var complete = button.dataset.complete;
  if (register && button.dataset.name) {
    var name = document.getElementById(button.dataset.name).value.trim();
    complete += "?name=" + encodeURIComponent(name);
  }
  status.textContent = "";
  button.disabled = true;
  passkeyPost(button.dataset.begin).then(function (options) {
    return register
      ? navigator.credentials.create({publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options)})
      : navigator.credentials.get({publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options)});
  }).then(function (credential) {
    return passkeyPost(complete, credential.toJSON());
  }).then(function (answer) {
    window.location.assign(register ? button.dataset.done : answer.redirect_url);
  }).catch(function (error) {
    button.disabled = false;
    if (error && error.name === "NotAllowedError") {
      status.textContent = button.dataset.cancelled;
    } else if (error && (error.name === "SecurityError" || error.name === "NotSupportedError")) {
      status.textContent = button.dataset.unavailable;
    } else {
      status.textContent = (error && error.message) || button.dataset.unavailable;
    }
    button.focus();
  });
}
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-passkey]").forEach(function (button) {
    if (passkeysOffered()) {
      button.hidden = false;
    } else {
      button.hidden = true;
      document.getElementById(button.dataset.status).textContent = button.dataset.unavailable;
    }
  });
});
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-passkey]");
  if (button) { passkeyCeremony(button); }
});
// A diagnostic guide's "Next": the cursor goes to the next step's "Solved" button.
document.addEventListener("click", function (event) {
  var next = event.target.closest && event.target.closest("[data-next]");
  if (!next) { return; }
  var target = document.getElementById(next.getAttribute("data-next"));
  if (target) { target.focus(); }
});
