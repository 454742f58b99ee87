// Keeps what a practitioner typed in a long form if the page errors or the tab reloads.
// sessionStorage (not localStorage): drafts die with the tab, so nothing about a child
// stays behind on a shared machine. A form opts in with data-draft-key; a page that
// confirms a save clears the draft with <meta name="mash-clear-draft" content="KEY">.
(function () {
  "use strict";
  var store;
  try { store = window.sessionStorage; } catch (e) { return; }
  document.querySelectorAll('meta[name="mash-clear-draft"]').forEach(function (meta) {
    if (meta.content === "*") {
      Object.keys(store).forEach(function (key) {
        if (key.indexOf("mash-draft:") === 0) { store.removeItem(key); }
      });
    } else {
      store.removeItem("mash-draft:" + meta.content);
    }
  });
  document.querySelectorAll("form[data-draft-key]").forEach(function (form) {
    var key = "mash-draft:" + form.getAttribute("data-draft-key");
    var bound = form.getAttribute("data-bound") === "true";
    var saved = store.getItem(key);
    if (saved && !bound) {
      try {
        var values = JSON.parse(saved);
        Object.keys(values).forEach(function (name) {
          var fields = form.querySelectorAll('[name="' + CSS.escape(name) + '"]');
          fields.forEach(function (field) {
            if (field.type === "checkbox" || field.type === "radio") {
              field.checked = values[name].indexOf(field.value) !== -1;
            } else if (field.type !== "hidden" && field.type !== "password") {
              field.value = values[name][0] || "";
            }
          });
        });
        var note = form.querySelector("[data-draft-restored]");
        if (note) { note.hidden = false; }
      } catch (e) { store.removeItem(key); }
    }
    var save = function () {
      var values = {};
      Array.prototype.forEach.call(form.elements, function (field) {
        if (!field.name || field.type === "hidden" || field.type === "password" || field.type === "submit") { return; }
        if ((field.type === "checkbox" || field.type === "radio") && !field.checked) {
          values[field.name] = values[field.name] || [];
          return;
        }
        (values[field.name] = values[field.name] || []).push(field.value);
      });
      store.setItem(key, JSON.stringify(values));
    };
    form.addEventListener("input", save);
    form.addEventListener("change", save);
  });
})();
