// The certificate's print button. A file of its own: the page's CSP allows no inline
// handlers, and the certificate is served to visitors without the WASM.
document.addEventListener("click", function (e) {
  var b = e.target.closest && e.target.closest("[data-print]");
  if (b) window.print();
});
