/* Progressive enhancement only: everything works without this file.
   - one tab-bar sheet open at a time; Escape or a tap outside closes it
   - the QR sheet's print button */
(function () {
  "use strict";
  var sheets = document.querySelectorAll(".tabbar details");
  function closeAll(except) {
    for (var i = 0; i < sheets.length; i++) {
      if (sheets[i] !== except) sheets[i].open = false;
    }
  }
  for (var i = 0; i < sheets.length; i++) {
    sheets[i].addEventListener("toggle", function (e) {
      if (e.target.open) closeAll(e.target);
    });
  }
  document.addEventListener("click", function (e) {
    if (!e.target.closest || !e.target.closest(".tabbar")) closeAll(null);
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    for (var i = 0; i < sheets.length; i++) {
      if (sheets[i].open) {
        sheets[i].open = false;
        sheets[i].querySelector("summary").focus();
      }
    }
  });
  var print = document.querySelector("[data-print]");
  if (print && window.print) {
    print.hidden = false;
    print.addEventListener("click", function () { window.print(); });
  }
})();
