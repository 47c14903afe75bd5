/* The brief page's "Print or save as PDF" button (web/brief.py). Without JavaScript the
   page says how to print it instead. */
(function () {
  "use strict";
  var button = document.querySelector(".brief__print");
  if (!button || typeof window.print !== "function") return;
  button.hidden = false;
  button.addEventListener("click", function () {
    window.print();
  });
  var hint = document.querySelector(".brief__print-hint");
  if (hint) hint.hidden = true;
})();
