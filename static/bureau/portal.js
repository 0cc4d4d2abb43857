// Behaviour every page may use without inline handlers (the CSP refuses them).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) { window.print(); }
});
