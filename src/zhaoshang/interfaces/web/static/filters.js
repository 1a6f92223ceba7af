/* Enterprise list: a changed filter select submits its form. */
document.querySelectorAll('#filters select').forEach(s => s.addEventListener('change', () => s.form.submit()));
