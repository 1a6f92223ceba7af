/* The shared date field (templates/_date.html): the text shows YYYY-MM-DD on every page in either language,
   never the browser's locale form. A typed 2025年12月31日, 2025/12/31, 2025.12.31 or 20251231 becomes 2025-12-31
   before any page script sees the change; a day that does not exist, or lies outside the parser's years, is
   refused in the page's language and the change goes no further. The calendar button is the browser's own
   picker; its pick is copied into the text. */
(function () {
  const ZS = window.ZS = window.ZS || {};
  const pad = n => String(n).padStart(2, '0');
  // text → 'YYYY-MM-DD', '' for empty, null when it is no date
  ZS.isoDate = function (text) {
    const s = String(text == null ? '' : text).trim().replace(/[０-９]/g, c => String.fromCharCode(c.charCodeAt(0) - 0xFEE0));
    if (!s) return '';
    const m = s.match(/^(\d{4})\s*(?:[-/.年])\s*(\d{1,2})\s*(?:[-/.月])\s*(\d{1,2})\s*[日号]?$/) || s.match(/^(\d{4})(\d{2})(\d{2})$/);
    if (!m) return null;
    const y = +m[1], mo = +m[2], d = +m[3];
    const dt = new Date(Date.UTC(y, mo - 1, d));
    if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d) return null;
    return y + '-' + pad(mo) + '-' + pad(d);
  };
  // how a date reads in the page's language: 2025年12月31日 / 2025-12-31
  ZS.dateText = function (iso) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || '');
    if (!m) return iso || '';
    return ZS.lang === 'en' ? iso : m[1] + '年' + (+m[2]) + '月' + (+m[3]) + '日';
  };
  function show(field) {
    field.title = ZS.dateText(field.value);
    const pick = field.parentNode.querySelector('.zs-date-pick');
    if (pick) pick.value = /^\d{4}-\d{2}-\d{2}$/.test(field.value) ? field.value : '';
  }
  // a day outside the one date parser's years (the field's data-min … data-max) is refused with the range
  function check(field) {
    const iso = ZS.isoDate(field.value);
    if (iso !== null) field.value = iso;
    const outside = iso && ((field.dataset.min && iso < field.dataset.min) || (field.dataset.max && iso > field.dataset.max));
    field.setCustomValidity(iso === null ? field.dataset.invalid : outside ? field.dataset.range : '');
    show(field);
    return iso !== null && !outside;
  }
  // capture phase on the document: runs before the page's own listeners on the field
  document.addEventListener('change', e => {
    const el = e.target;
    if (el.classList && el.classList.contains('zs-date-pick')) {
      e.stopPropagation();  // the pick is not a field of the form; the text field reports the change
      const field = el.closest('.date-field').querySelector('.zs-date');
      field.value = el.value;
      check(field);
      field.dispatchEvent(new Event('change', {bubbles: true}));
    } else if (el.classList && el.classList.contains('zs-date') && !check(el)) {
      e.stopPropagation();
      el.reportValidity();
    }
  }, true);
  // a form is not sent with a date that does not exist (a typed 2025年1月5日 is sent as 2025-01-05)
  document.addEventListener('submit', e => {
    e.target.querySelectorAll('.zs-date').forEach(f => {
      if (!check(f)) { e.preventDefault(); f.reportValidity(); }
    });
  }, true);
  // the calendar opens on the field's date
  document.addEventListener('click', e => {
    const pick = e.target.classList && e.target.classList.contains('zs-date-pick') ? e.target : null;
    if (!pick) return;
    show(pick.closest('.date-field').querySelector('.zs-date'));
    try { pick.showPicker(); } catch (err) { /* older browsers open it themselves */ }
  }, true);
  document.addEventListener('input', e => {
    if (e.target.classList && e.target.classList.contains('zs-date')) e.target.setCustomValidity('');
  }, true);
  const init = () => document.querySelectorAll('.zs-date').forEach(show);
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init); else init();
  ZS.showDate = show;  // after a script sets a field's value
})();
