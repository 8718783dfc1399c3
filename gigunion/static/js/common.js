// Small behaviours shared by every page (no inline scripts: the CSP forbids them).
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit") && target.form) {
    target.form.submit();
  }
});

// Region tree: a second click on an expanded node folds it instead of loading it again.
document.addEventListener("htmx:beforeRequest", function (event) {
  var button = event.detail.elt;
  if (!button.classList || !button.classList.contains("expander")) return;
  if (button.getAttribute("aria-expanded") === "true") {
    event.preventDefault();
    var subtree = button.closest("li").querySelector(".subtree");
    if (subtree) subtree.innerHTML = "";
    button.setAttribute("aria-expanded", "false");
    button.textContent = "＋";
  }
});
document.addEventListener("htmx:afterRequest", function (event) {
  var button = event.detail.elt;
  if (button.classList && button.classList.contains("expander") && event.detail.successful) {
    button.setAttribute("aria-expanded", "true");
    button.textContent = "－";
  }
});

// A print button (the join poster): <button data-print>.
document.addEventListener("click", function (event) {
  var target = event.target;
  if (target instanceof Element && target.closest("[data-print]")) {
    window.print();
  }
});

// A copy button for a read-only field (a new API key): <button data-copy="field-id" hidden>.
document.querySelectorAll("[data-copy]").forEach(function (button) {
  if (navigator.clipboard) button.hidden = false;
});
document.addEventListener("click", function (event) {
  var button = event.target instanceof Element ? event.target.closest("[data-copy]") : null;
  var field = button && document.getElementById(button.getAttribute("data-copy"));
  if (field && navigator.clipboard) navigator.clipboard.writeText(field.value);
});
