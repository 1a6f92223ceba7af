/* Enterprise list: a changed filter select submits its form; the region filter goes down province → city →
   district (a municipality's single city level is skipped), the deepest chosen level is the filter. */
(function () {
  const form = document.getElementById('filters');
  if (!form) return;
  const ZS = window.ZS || {};
  const en = ZS.lang === 'en';
  const prov = document.getElementById('f-region'), city = document.getElementById('f-city'),
    dist = document.getElementById('f-district'), value = document.getElementById('f-region-value');
  form.querySelectorAll('select:not(.rg-level)').forEach(s => s.addEventListener('change', () => form.submit()));

  async function children(code) {
    const r = await fetch('/api/regions?parent=' + encodeURIComponent(code), {headers: {Accept: 'application/json'}});
    return r.ok ? r.json() : [];
  }
  function fill(sel, rows, selected) {
    sel.innerHTML = '';
    const any = document.createElement('option');
    any.value = '';
    any.textContent = sel.dataset.any;
    sel.appendChild(any);
    rows.forEach(r => {
      const o = document.createElement('option');
      o.value = r.code;
      o.textContent = (en && r.name_en) || r.name;
      o.selected = r.code === selected;
      sel.appendChild(o);
    });
    sel.hidden = rows.length === 0;
  }
  async function load() {
    city.hidden = dist.hidden = true;
    const p = prov.value;
    if (!/^\d{6}$/.test(p)) return;
    const cities = await children(p);
    let c = city.dataset.selected;
    if (cities.length === 1) {  // a municipality: its districts directly
      c = cities[0].code;
      city.innerHTML = '<option value="' + c + '" selected></option>';
    } else {
      fill(city, cities, c);
    }
    if (c) fill(dist, await children(c), dist.dataset.selected);
    form.dataset.regionReady = '1';
  }
  function submit() {
    value.value = (!dist.hidden && dist.value) || (!city.hidden && city.value) || prov.value;
    form.submit();
  }
  prov.addEventListener('change', () => { city.value = ''; dist.value = ''; city.hidden = dist.hidden = true; submit(); });
  city.addEventListener('change', () => { dist.value = ''; dist.hidden = true; submit(); });
  dist.addEventListener('change', submit);
  load();
})();
