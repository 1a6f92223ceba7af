/* A region a form refused: a suggested region (.region-fill-choice, templates/_region_fill.html) replaces, in the
   form's region field that holds it, the text the region service could not read — the other entries of a comma
   list stay — and sends the form again. */
(function () {
  document.addEventListener('click', ev => {
    const b = ev.target.closest('.region-fill-choice');
    if (!b) return;
    const box = b.closest('.region-fill');
    const typed = box.dataset.text;
    const split = v => v.split(/[,，、]/).map(x => x.trim()).filter(Boolean);
    const field = box.dataset.fields.split(' ').map(id => document.getElementById(id))
      .find(f => f && split(f.value).includes(typed));
    if (!field) return;
    field.value = split(field.value).map(x => (x === typed ? b.dataset.fill : x)).join(',');
    if (field.form.requestSubmit) field.form.requestSubmit(); else field.form.submit();
  });
})();

/* A filter chip (a[data-toggle-field], templates/leads.html's 须有) switches its value in its form's comma-list field
   and sends the form as it stands, so that the boxes typed in but not yet applied are kept (its link, built from the
   last request, dropped them); a new tab or window, or no script, follows the link. */
(function () {
  document.addEventListener('click', ev => {
    const a = ev.target.closest('a[data-toggle-field]');
    if (!a || ev.button !== 0 || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.altKey) return;
    const field = document.getElementById(a.dataset.toggleField);
    if (!field || !field.form) return;
    ev.preventDefault();
    const k = a.dataset.toggle;
    const on = field.value.split(',').map(x => x.trim()).filter(Boolean);
    field.value = (on.includes(k) ? on.filter(x => x !== k) : on.concat(k)).join(',');
    if (field.form.requestSubmit) field.form.requestSubmit(); else field.form.submit();
  });
})();
