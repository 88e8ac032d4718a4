// Conditional reveals as GOV.UK Frontend's radios show them: choosing an option shows the
// panel its data-reveal names and hides the others of its group. Unlike GOV.UK Frontend's
// own, it sets no aria-expanded on the radio (not an attribute a radio may have). Without
// scripts every panel shows, so every page works without this.
(function () {
  "use strict";
  var inputs = Array.prototype.slice.call(document.querySelectorAll("input[data-reveal]"));

  function update(name) {
    inputs.forEach(function (input) {
      if (input.name !== name) return;
      var panel = document.getElementById(input.getAttribute("data-reveal"));
      if (panel) panel.classList.toggle("govuk-radios__conditional--hidden", !input.checked);
    });
  }

  var names = {};
  inputs.forEach(function (input) {
    names[input.name] = true;
  });
  Object.keys(names).forEach(function (name) {
    var group = document.querySelectorAll('input[type="radio"][name="' + name + '"]');
    Array.prototype.forEach.call(group, function (radio) {
      radio.addEventListener("change", function () {
        update(name);
      });
    });
    update(name);
  });
})();
