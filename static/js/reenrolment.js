// Réinscription request form: each "Cours souhaité" list follows its row's discipline.
// Without JavaScript the list shows every course grouped by discipline (<optgroup>) and the
// server refuses a course of another discipline; with it, only the chosen discipline's group
// is kept (all groups while no discipline is chosen), and a course of another discipline is
// unselected when the discipline changes.
(function () {
  "use strict";
  var courses = document.querySelectorAll("select[data-follows]");
  Array.prototype.forEach.call(courses, function (course) {
    var discipline = document.getElementById(course.getAttribute("data-follows"));
    if (!discipline) {
      return;
    }
    // Every group as the server wrote it; the list is rebuilt from these copies.
    var groups = Array.prototype.map.call(course.querySelectorAll("optgroup"), function (group) {
      return group.cloneNode(true);
    });
    function chosenName() {
      var option = discipline.options[discipline.selectedIndex];
      return option && option.value ? option.text : "";
    }
    function update(event) {
      var selected = course.value;
      var name = chosenName();
      // On load, a course the server refused (of another discipline) stays shown and chosen
      // next to its error message: every group is kept until the discipline changes.
      if (!event && selected && !groups.some(function (group) {
        return group.label === name && group.querySelector('option[value="' + selected + '"]');
      })) {
        name = "";
      }
      Array.prototype.forEach.call(course.querySelectorAll("optgroup"), function (group) {
        course.removeChild(group);
      });
      var kept = false;
      groups.forEach(function (group) {
        if (!name || group.label === name) {
          var copy = group.cloneNode(true);
          course.appendChild(copy);
          if (copy.querySelector('option[value="' + selected + '"]')) {
            kept = true;
          }
        }
      });
      course.value = kept ? selected : "";
    }
    discipline.addEventListener("change", update);
    update(null);
  });
})();
