// Progressive enhancements only: every page works without this file.
(function () {
  "use strict";
  // Filter panels start open (so no-JS users see them) and fold away on small screens.
  document.querySelectorAll("details[data-collapse-below]").forEach(function (panel) {
    var width = parseInt(panel.getAttribute("data-collapse-below"), 10);
    if (window.matchMedia("(max-width: " + width + "px)").matches) panel.removeAttribute("open");
  });
  // Close the user menu when clicking elsewhere or pressing Escape.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.user-menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("details.user-menu[open]").forEach(function (menu) {
      menu.removeAttribute("open");
      menu.querySelector("summary").focus();
    });
  });
})();
