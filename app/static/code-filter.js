// Code lists you can search: a search box above each long code list (select[data-filterable])
// hides the options whose code or name does not contain what is typed, in any case and width
// ("a1181", "Ａ１１８１", "鉛"). Options already chosen stay shown. Without scripts the plain
// list still works.
(function () {
  "use strict";
  function fold(text) { return text.normalize("NFKC").toLowerCase(); }

  function attach(select) {
    var box = document.createElement("input");
    box.type = "search";
    box.className = "code-filter";
    box.placeholder = select.dataset.filterable;
    box.setAttribute("aria-label", select.dataset.filterable);
    box.setAttribute("aria-controls", select.id);
    box.addEventListener("input", function () {
      var wanted = fold(box.value.trim());
      Array.prototype.forEach.call(select.options, function (option) {
        option.hidden = wanted !== "" && !option.selected &&
          fold(option.textContent).indexOf(wanted) === -1;
      });
    });
    select.parentNode.insertBefore(box, select);
  }

  document.querySelectorAll("select[data-filterable]").forEach(attach);
})();
