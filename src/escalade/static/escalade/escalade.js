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
  var target = document.querySelector('[data-shortcut="' + key + '"]');
  if (target) {
    event.preventDefault();
    target.click();
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
