// Quick exit: leave for a neutral site and replace this page in history, so the
// Back button does not return here.
document.addEventListener("click", function (event) {
  var link = event.target.closest && event.target.closest("[data-quick-exit]");
  if (!link) return;
  event.preventDefault();
  window.location.replace(link.href);
});
