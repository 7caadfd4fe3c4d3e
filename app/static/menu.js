// The header menu folds away behind a "Menu" button on narrow screens (style.css decides
// when). Without JavaScript the class below is never set, and the menu simply stays open.
(function () {
  var header = document.querySelector("header.top");
  var toggle = header && header.querySelector(".menu-toggle");
  var nav = document.getElementById("main-nav");
  if (!toggle || !nav) return;
  header.classList.add("menu-ready");
  toggle.addEventListener("click", function () {
    var open = nav.classList.toggle("open");
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });
})();
