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
