/* Shared helpers of the Zhaoshang pages: strings, number formats, JSON fetch, sortable tables. */
(function () {
  const ZS = window.ZS = window.ZS || {};
  ZS.T = function (key) {
    const s = (ZS.strings || {})[key];
    if (!s) return key;
    return ZS.lang === 'en' ? s[1] : s[0];
  };
  // a [Chinese, English] pair of an answer (a level's name from the region service) in the page's language
  ZS.pick = pair => (ZS.lang === 'en' ? pair[1] : pair[0]);
  // a level's name as a heading says it (Cities): its key, or the [zh, en] the answer names it by (Districts under Hong Kong)
  ZS.levelName = level => (Array.isArray(level) ? ZS.pick(level) : ZS.T('level.' + level));
  // "另有 N 家企业未定位到地市，未列入": n enterprises a breakdown by regions of ``level`` (as ZS.levelName takes it)
  // leaves out (the i18n wording the trends page says of its rounds)
  ZS.unplaced = (n, level) => ZS.T('unplaced').replace('{what}', ZS.T(n === 1 ? 'unplaced.enterprise' : 'unplaced.enterprises')
    .replace('{n}', ZS.num(n))).replace('{level}', ZS.lang === 'en' ? ZS.levelName(level).toLowerCase() : ZS.levelName(level));
  ZS.colon = () => (ZS.lang === 'en' ? ': ' : '：');
  // a note in brackets after a word: full-width in Chinese, ' (…)' in English
  ZS.paren = s => (ZS.lang === 'en' ? ' (' + s + ')' : '（' + s + '）');
  // x × 10^scale with d decimals, rounded half away from zero on its decimal value (a share of 0.0025 is 0.3 %,
  // whatever the float's binary digits say) — the rounding of interfaces/labels.py::fixed
  ZS.fixed = function (x, d, scale = 0) {
    if (!Number.isFinite(x)) return (x * 10 ** scale).toFixed(d);
    const shift = (v, k) => { const [m, e] = String(v).split('e'); return Number(m + 'e' + ((+e || 0) + k)); };
    const n = Math.round(Math.abs(shift(x, scale + d)));
    return (x < 0 && n ? '-' : '') + shift(n, -d).toFixed(d);
  };
  ZS.pct = x => (x == null || Number.isNaN(x) ? '—' : ZS.fixed(x, Math.abs(x) >= 0.001 || x === 0 ? 1 : 2, 2) + '%');  // as labels.pct_text
  // a path's or a tie's strength: two decimals, more only where two would print a non-zero strength as 0.00 — the
  // rule of core/numbers.py::strength_text (the CLI's tables and a lead's reasons print it alike)
  ZS.strength = function (x) {
    if (x == null || !Number.isFinite(Number(x))) return '—';
    for (let d = 2; d <= 6; d++) {
      const shown = ZS.fixed(Number(x), d);
      if (Number(x) === 0 || Number(shown) !== 0) return shown;
    }
    return ZS.fixed(Number(x), 6);
  };
  ZS.num = x => (x == null ? '—' : Number(x).toLocaleString(ZS.lang === 'en' ? 'en-US' : 'zh-CN'));
  // an LQ with two decimals, or more where two would put it on the other side of a label threshold
  // (1.197 next to 延链 under LQ ≥ 1.2) — the rule of interfaces/labels.py::lq_text
  ZS.lq = function (x) {
    if (x == null) return '—';
    const th = ZS.thresholds ? [ZS.thresholds.strong_lq, ZS.thresholds.weak_lq] : [1.2, 0.5];
    for (let d = 2; d <= 6; d++) {
      const shown = ZS.fixed(Number(x), d);
      if (th.every(t => (x >= t) === (+shown >= t))) return shown;
    }
    return ZS.fixed(Number(x), 6);
  };
  ZS.esc = s => String(s == null ? '' : s).replace(/[&<>"']/g, c => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]));
  ZS.getJSON = async function (url) {
    const r = await fetch(url, {headers: {Accept: 'application/json'}});
    if (!r.ok) {
      let msg = r.status + '';
      try { msg = (await r.json()).error || msg; } catch (e) { /* not JSON */ }
      throw new Error(msg);
    }
    return r.json();
  };
  ZS.labelBadge = function (row) {
    if (!row || !row.label) return '';
    const en = {strong: 'Strong', average: 'Extend', weak: 'Fill', missing: 'Fill'};
    return '<span class="lbl lbl-' + row.status + '">' + (ZS.lang === 'en' ? en[row.status] : row.label) + '</span>';
  };
  ZS.STATUS_COLORS = {strong: '#1f9d63', average: '#d39b1f', weak: '#e0703a', missing: '#c9414a'};
  // click-to-sort for tables with class "sortable" whose rows carry data-* values
  ZS.sortable = function (table, onSort) {
    table.querySelectorAll('th[data-key]').forEach(th => {
      th.classList.add('sortable-th');
      th.addEventListener('click', () => {
        const key = th.dataset.key;
        const dir = th.classList.contains('desc') ? 'asc' : 'desc';
        table.querySelectorAll('th').forEach(x => x.classList.remove('asc', 'desc'));
        th.classList.add(dir);
        onSort(key, dir);
      });
    });
  };
  // a chart follows its box's size once the box has settled — the window resized, or the box narrowed without it (a
  // scroll bar appearing as the page grows: the canvas kept its width and the box cut its right edge off) — but not
  // into a box of no size (a window shrunk to nothing, a tab laid out at 1 × 1 px for a moment): ECharts lays a map
  // (geo) out in no room with a singular transform and throws (Cannot read properties of null (reading '0')); the
  // chart keeps its size until the box has one again. ``then``: what to do after the chart took the new size.
  ZS.onResize = function (chart, then) {
    let t = null;
    const el = chart.getDom();
    const fit = () => {
      clearTimeout(t);
      t = setTimeout(() => {
        if (chart.isDisposed() || !(el.clientWidth > 0 && el.clientHeight > 0)) return;
        if (el.clientWidth === chart.getWidth() && el.clientHeight === chart.getHeight()) return;
        chart.resize();
        if (then) then();
      }, 120);
    };
    window.addEventListener('resize', fit);
    if (window.ResizeObserver) new ResizeObserver(fit).observe(el);
  };
})();
