/* 产业地图: choropleth by count / share / LQ, drill-down province → city → district, side panel, table.
   The drilled region, the node, the metric and the date live in the URL, so a reload or a shared link
   returns to the same view. */
(function () {
  const ZS = window.ZS, T = ZS.T;
  const el = document.getElementById('map');
  if (!window.echarts || !el) return;
  const chart = echarts.init(el, null, {renderer: 'canvas'});
  ZS.chart = chart;
  ZS.onResize(chart);
  const MUNI = (el.dataset.municipalities || '').split(' ').filter(Boolean);  // from the region service
  ZS.mapChain = el.dataset.chain;  // the map counts enterprises placed on this chain: its lists say the same
  const geoCache = {};
  const state = {node: '', metric: 'count', asOf: '', stack: [{geo: '100000', level: 'province', parent: null, name: T('nation'), code: null}], rows: [], sortKey: null, sortDir: 'desc'};
  ZS.mapState = state;

  const params = new URLSearchParams(location.search);
  if (params.get('node')) state.node = params.get('node');
  if (params.get('metric')) state.metric = params.get('metric');
  // an as-of date asked for: the day the server read in it, as its box shows it (2020/06/30 → 2020-06-30)
  if (params.get('as_of')) state.asOf = document.getElementById('as-of-input').value || params.get('as_of');
  document.getElementById('node-select').value = state.node;
  document.querySelectorAll('#metric-seg button').forEach(b => b.classList.toggle('on', b.dataset.metric === state.metric));

  function view() { return state.stack[state.stack.length - 1]; }
  const rname = r => (ZS.lang === 'en' && r.name_en) || r.name;

  async function geoFor(code) {
    if (!geoCache[code]) {
      const g = await ZS.getJSON('/api/geo/' + code + '?lang=' + ZS.lang);
      echarts.registerMap('zs-' + code, g);
      geoCache[code] = g;
    }
    return geoCache[code];
  }

  function qs(extra) {
    const p = new URLSearchParams();
    Object.entries(extra).forEach(([k, v]) => { if (v != null && v !== '') p.set(k, v); });
    return p.toString();
  }
  // a page the panel links: as of the map's date, as its enterprises are (the language rides on the page's cookie)
  function href(path, params) {
    const s = qs(Object.assign({}, params, {as_of: state.asOf}));
    return path + (s ? '?' + s : '');
  }

  // the view's segment as every list heads it: its code and name (labels.node_names, as the map command's title)
  const nodeText = () => (state.node ? (ZS.nodeNames || {})[state.node] || state.node : T('node.all'));
  // no LQ without a segment (matrix.metric_note): the map shows the counts, the LQ button says why
  const shownMetric = () => (state.metric === 'lq' && !state.node ? 'count' : state.metric);
  function lqButton() {
    const b = document.querySelector('#metric-seg button[data-metric="lq"]');
    b.title = state.node ? '' : T('lq.needs_node');
    b.classList.toggle('wants', !state.node);
  }

  function syncUrl(twin) {
    const p = new URLSearchParams(location.search);
    ['node', 'metric', 'as_of', 'region'].forEach(k => p.delete(k));
    if (view().code) p.set('region', view().code);
    if (state.node) p.set('node', state.node);
    if (state.metric !== 'count') p.set('metric', state.metric);
    if (state.asOf) p.set('as_of', state.asOf);
    const s = p.toString();
    history.replaceState(null, '', location.pathname + (s ? '?' + s : ''));
    ZS.navFollow(twin);
  }

  function valueOf(r) { return shownMetric() === 'lq' ? (r.lq == null ? null : r.lq) : r[shownMetric()]; }

  function tooltip(r) {
    if (!r) return '';
    return '<b>' + ZS.esc(rname(r)) + '</b><br>' + T('count') + ZS.colon() + ZS.num(r.count) +
      '<br>' + T('share') + ZS.colon() + ZS.pct(r.share) + (state.node ? '<br>' + T('lq') + ZS.colon() + ZS.lq(r.lq) + ' ' + ZS.labelBadge(r) : '') +
      '<br><span style="color:#8892a6">' + T('node.all') + ZS.colon() + ZS.num(r.region_total) + '</span>';
  }

  // District bubbles crowd around a city centre: each label takes the first free spot among right, left,
  // above, below and then further out (with a leader line), so that no two labels overlap.
  let placedLabels = [];
  function placeLabel(p) {
    if (p.dataIndex === 0) placedLabels = [];
    const s = p.rect, w = p.labelRect.width, h = p.labelRect.height, cx = s.x + s.width / 2, cy = s.y + s.height / 2;
    const spots = [[s.x + s.width + 3, cy - h / 2], [s.x - w - 3, cy - h / 2], [cx - w / 2, s.y - h - 2], [cx - w / 2, s.y + s.height + 2]];
    for (let k = 1; k <= 8; k++) {
      [-1, 1].forEach(d => {
        spots.push([s.x + s.width + 10, cy - h / 2 + d * k * (h + 2)]);
        spots.push([s.x - w - 10, cy - h / 2 + d * k * (h + 2)]);
      });
    }
    const free = ([x, y]) => placedLabels.every(r => x + w <= r.x || r.x + r.w <= x || y + h <= r.y || r.y + r.h <= y);
    const i = Math.max(0, spots.findIndex(free));
    const [x, y] = spots[i];
    placedLabels.push({x: x, y: y, w: w, h: h});
    // no free spot left: ECharts hides it rather than draw it over another (shown on hover)
    const out = {x: x, y: y, align: 'left', verticalAlign: 'top', hideOverlap: true};
    if (i >= 4) {  // moved away from its bubble: a leader line back to it
      const lx = x > cx ? x : x + w;
      out.labelLinePoints = [[cx, cy], [lx, y + h / 2], [lx, y + h / 2]];
    }
    return out;
  }

  async function render() {
    const v = view();
    const api = '/api/map?' + qs({level: v.level, parent: v.parent, node: state.node, metric: state.metric, as_of: state.asOf});
    const [geo, data] = await Promise.all([geoFor(v.geo), ZS.getJSON(api)]);
    state.rows = data.rows;
    state.unplaced = data.unplaced;
    state.levelName = data.level_name || v.level;  // the region service's name of the level here (Hong Kong's districts)
    state.asOfUsed = data.as_of;
    const byCode = {};
    data.rows.forEach(r => { byCode[r.code] = r; });
    const vals = data.rows.map(valueOf).filter(x => x != null);
    const max = Math.max(1e-9, ...vals);
    const mapName = 'zs-' + v.geo;
    let visualMap;
    if (shownMetric() === 'lq') {
      visualMap = {type: 'piecewise', left: 16, bottom: 16, dimension: geo.fallback === 'scatter' ? 2 : undefined,
        pieces: [{gte: 1.2, label: 'LQ ≥ 1.2 ' + T('strong'), color: '#1f9d63'}, {gte: 0.5, lt: 1.2, label: '0.5–1.2 ' + T('status.average'), color: '#e8c36a'},
          {gt: 0, lt: 0.5, label: 'LQ < 0.5 ' + T('fill'), color: '#ef9a6b'}, {value: 0, label: '0', color: '#e6e9ef'}],
        textStyle: {color: '#4a5468'}};
    } else {
      visualMap = {type: 'continuous', min: 0, max: max, left: 16, bottom: 16, text: [shownMetric() === 'share' ? ZS.pct(max) : ZS.num(Math.round(max)), '0'], calculable: false,
        inRange: {color: ['#eef3fb', '#b9cdf0', '#6f97e0', '#2f6fed', '#163f99']}, textStyle: {color: '#4a5468'},
        dimension: geo.fallback === 'scatter' ? 2 : undefined};
    }
    let option;
    const tip = {trigger: 'item', confine: true, formatter: p => tooltip(byCode[p.name] || (p.data && byCode[p.data.name])) || ZS.esc((p.data && p.data.label) || p.name)};
    const labelOf = {};
    geo.features.forEach(f => { labelOf[f.properties.name] = f.properties.label; });
    if (geo.fallback === 'scatter') {
      // biggest first: they get their label where they want it, smaller neighbours move around them
      const pts = data.rows.filter(r => r.lng != null).map(r => ({name: r.code, value: [r.lng, r.lat, valueOf(r) || 0], label: rname(r)}))
        .sort((a, b) => b.value[2] - a.value[2]);
      option = {tooltip: tip, visualMap: visualMap,
        geo: {map: mapName, roam: true, itemStyle: {areaColor: '#f1f4f9', borderColor: '#9fb0cc'}, emphasis: {disabled: true}, label: {show: false}},
        series: [{type: 'scatter', coordinateSystem: 'geo', data: pts,
          symbolSize: d => 8 + 34 * Math.sqrt((d[2] || 0) / max),
          // neighbouring districts: labels on a white ground, pushed apart vertically with a leader line
          label: {show: true, formatter: p => p.data.label, position: 'right', fontSize: 11, color: '#334',
                  backgroundColor: 'rgba(255,255,255,0.85)', padding: [1, 3], borderRadius: 2},
          labelLayout: placeLabel, labelLine: {show: true, lineStyle: {color: '#8892a6', width: 0.8}},
          itemStyle: {borderColor: '#fff', borderWidth: 1, opacity: 0.9}}]};
    } else {
      option = {tooltip: tip, visualMap: visualMap,
        series: [{type: 'map', map: mapName, roam: true, selectedMode: false, nameProperty: 'name',
          label: {show: v.level !== 'province', formatter: p => (byCode[p.name] && rname(byCode[p.name])) || labelOf[p.name] || '', fontSize: 10, color: '#2b3447'},
          // long names (Yau Tsim Mong District beside Kowloon City District): a label that would cover another is
          // hidden (ECharts' label layout), shown on hover and as the map is zoomed in
          labelLayout: {hideOverlap: true},
          itemStyle: {borderColor: '#fff', borderWidth: 0.8, areaColor: '#e6e9ef'},
          emphasis: {label: {show: true, formatter: p => (byCode[p.name] && rname(byCode[p.name])) || labelOf[p.name] || ''}, itemStyle: {areaColor: '#ffd36b'}},
          data: geo.features.map(f => {
            const r = byCode[f.properties.name];
            return {name: f.properties.name, value: r ? valueOf(r) : null, label: f.properties.label};
          })}]};
    }
    chart.setOption(option, true);
    renderUnshaped(geo.unshaped || [], byCode);
    el.dataset.view = v.geo;
    el.dataset.level = v.level;
    renderCrumbs();
    renderTable();
    renderNotes(data);
    lqButton();
    syncUrl(api);
    const asof = document.getElementById('as-of');
    if (asof) asof.textContent = data.as_of;
  }

  // the view's regions without a boundary to fill (a region a user's boundary file leaves out): named under the map
  // with their count, a link as in the table, so that no count in the table is missing from the map
  function renderUnshaped(unshaped, byCode) {
    const note = document.getElementById('map-unshaped');
    const rows = unshaped.map(u => byCode[u.code]).filter(r => r && r.count);
    note.hidden = !rows.length;
    note.innerHTML = rows.length ? ZS.esc(T('unshaped')) + rows.map(r => '<a href="#" class="rg" data-code="' + r.code + '">' +
      ZS.esc(T('unshaped.item').replace('{name}', rname(r)).replace('{n}', ZS.num(r.count))) + '</a>').join(ZS.lang === 'en' ? ', ' : '、') : '';
    note.querySelectorAll('a.rg').forEach(a => a.addEventListener('click', e => { e.preventDefault(); onRegion(a.dataset.code); }));
  }

  // why numbers are missing (the API's notes: no segment for an LQ, no enterprise placed on the chain yet)
  function renderNotes(data) {
    const note = document.getElementById('map-notes'), notes = (ZS.lang === 'en' ? data.notes_en : data.notes) || [];
    note.hidden = !notes.length;
    note.innerHTML = notes.map(ZS.esc).join('<br>');
  }

  function renderCrumbs() {
    const c = document.getElementById('crumbs');
    c.innerHTML = state.stack.map((s, i) => i === state.stack.length - 1
      ? '<b>' + ZS.esc(s.name) + '</b>' : '<a href="#" data-i="' + i + '">' + ZS.esc(s.name) + '</a>').join(' <span class="sep">›</span> ');
    c.querySelectorAll('a').forEach(a => a.addEventListener('click', e => {
      e.preventDefault();
      state.stack = state.stack.slice(0, +a.dataset.i + 1);
      render();
    }));
  }

  function renderTable() {
    let rows = state.rows.slice();
    if (state.sortKey) {
      const k = state.sortKey, d = state.sortDir === 'asc' ? 1 : -1;
      rows.sort((a, b) => {
        const x = a[k], y = b[k];
        if (typeof x === 'string' || typeof y === 'string') return d * String(x || '').localeCompare(String(y || ''), 'zh');
        return d * ((x == null ? -1 : x) - (y == null ? -1 : y));
      });
    }
    const tb = document.querySelector('#map-table tbody');
    tb.innerHTML = rows.map(r => '<tr data-code="' + r.code + '"><td><a href="#" class="rg">' + ZS.esc(rname(r)) + '</a> <small class="muted">' + r.code + '</small></td>' +
      '<td class="num">' + ZS.num(r.count) + '</td><td class="num">' + ZS.pct(r.share) + '</td><td class="num">' + ZS.lq(r.lq) + '</td>' +
      '<td class="num">' + ZS.num(r.region_total) + '</td><td>' + ZS.labelBadge(r) + '</td></tr>').join('');
    tb.querySelectorAll('a.rg').forEach(a => a.addEventListener('click', e => { e.preventDefault(); onRegion(a.closest('tr').dataset.code); }));
    const v = view();
    const note = document.getElementById('map-unplaced');
    note.hidden = !state.unplaced;
    note.textContent = state.unplaced ? ZS.unplaced(state.unplaced, state.levelName) : '';
    document.getElementById('table-caption').textContent = v.name + ' · ' + ZS.levelName(state.levelName) + ' · ' + nodeText() + ' · ' + T('as_of') + ' ' + (state.asOfUsed || '');
  }

  // the open panel's region: a change of the date or the node draws it again, as of the new date (it kept the old
  // date's figures); an answer that comes after a newer request is dropped
  let shown = null, asked = 0;
  async function panel(code) {
    const body = document.getElementById('panel-body'), mine = ++asked;
    shown = code;
    body.innerHTML = '<p class="muted">…</p>';
    const d = await ZS.getJSON('/api/regions/' + code + '?' + qs({node: state.node, as_of: state.asOf}));
    if (mine !== asked) return d;
    const stages = d.nodes.filter(n => n.depth === 0), subs = d.nodes.filter(n => n.depth === 1);
    const maxMix = Math.max(1e-9, ...subs.map(n => Math.max(n.region_mix, n.national_mix)));
    let h = '<h2 id="panel-title">' + ZS.esc(rname(d.region)) + '</h2>' +
      '<p class="muted small">' + T('node.all') + ' <b>' + ZS.num(d.region_total) + '</b> · ' + T('share') + ' ' + ZS.pct(d.national_total ? d.region_total / d.national_total : 0) + ' · ' + T('as_of') + ' ' + d.as_of + '</p>' +
      (d.unplaced ? '<p class="muted small" id="panel-unplaced">' + ZS.esc(ZS.unplaced(d.unplaced, d.child_level_name || d.child_level)) + '</p>' : '') +
      '<h3>' + T('breakdown') + '</h3><div class="mix">';
    stages.forEach(s => {
      h += '<div class="mix-stage">' + ZS.esc(ZS.lang === 'en' ? s.name_en : s.name_zh) + ' <b>' + ZS.num(s.count) + '</b></div>';
      subs.filter(n => n.parent_code === s.code).forEach(n => {
        h += '<div class="mix-row' + (n.code === state.node ? ' on' : '') + '"><span class="mix-name" title="' + n.code + '">' + ZS.esc(ZS.lang === 'en' ? n.name_en : n.name_zh) + '</span>' +
          '<span class="mix-bar"><i style="width:' + (100 * n.region_mix / maxMix).toFixed(1) + '%"></i><em style="left:' + (100 * n.national_mix / maxMix).toFixed(1) + '%"></em></span>' +
          '<span class="mix-n">' + ZS.num(n.count) + '</span>' + ZS.labelBadge(n) + '</div>';
      });
    });
    h += '</div><h3>' + T('top') + (state.node ? ' · ' + ZS.esc(nodeText()) : '') + '</h3><ol class="tops-list">' +
      (d.top.length ? d.top.map(e => '<li><a href="' + ZS.esc(ZS.entHref(e.id, state.asOf)) + '">' + ZS.esc(e.name) + '</a>' + (e.capital_wan ? ' <small class="muted">' + (ZS.lang === 'en' ? ZS.num(Math.round(e.capital_wan * 10)) + 'k CNY' : ZS.num(Math.round(e.capital_wan)) + '万') + '</small>' : '') + '</li>').join('') : '<li class="muted">' + T('none') + '</li>') +
      '</ol><p class="panel-links"><a class="to-region" href="' + ZS.esc(href('/region/' + encodeURIComponent(code), {})) + '">' + T('nav.region') + ' →</a>' +
      ' <a class="to-chain" href="' + ZS.esc(href('/chain', {region: code})) + '">' + T('nav.chain') + ' →</a>' +
      ' <a class="to-list" href="' + ZS.esc(href('/enterprises', {region: code, node: state.node || ZS.mapChain})) + '">' + T('nav.enterprises') + ' →</a>' +
      ' <a class="by-score" href="' + ZS.esc(href('/enterprises', {region: code, node: state.node || ZS.mapChain, sort: '-score'})) + '">' + (ZS.lang === 'en' ? 'by score →' : '按评分 →') + '</a></p>';
    body.innerHTML = h;
    return d;
  }

  async function onRegion(code) {
    const v = view();
    const row = state.rows.find(r => r.code === code);
    if (!row) return;
    const d = await panel(code);
    if (v.level === 'province') {
      const muni = MUNI.includes(code);
      state.stack.push({geo: code, level: muni ? 'district' : 'city', parent: code, name: rname(row), code: code});
      await render();
    } else if (v.level === 'city') {
      state.stack.push({geo: code, level: 'district', parent: code, name: rname(row), code: code});
      await render();
    }
    return d;
  }
  ZS.drill = onRegion;

  chart.on('click', p => {
    const code = (p.data && p.data.name) || p.name;
    if (code) onRegion(code).catch(err => console.warn(err.message));
  });
  const again = () => (shown ? panel(shown) : null);
  document.getElementById('node-select').addEventListener('change', e => { state.node = e.target.value; render(); again(); });
  document.getElementById('as-of-input').addEventListener('change', e => { state.asOf = e.target.value; render(); again(); });
  document.querySelectorAll('#metric-seg button').forEach(b => b.addEventListener('click', () => {
    state.metric = b.dataset.metric;
    document.querySelectorAll('#metric-seg button').forEach(x => x.classList.toggle('on', x === b));
    render();
  }));
  ZS.sortable(document.getElementById('map-table'), (k, d) => { state.sortKey = k; state.sortDir = d; renderTable(); });
  // a drilled view from the URL: the region's ancestors (its breadcrumb) become the drill stack
  async function restore(code) {
    const d = await ZS.getJSON('/api/regions/' + encodeURIComponent(code) + '?' + qs({node: state.node, as_of: state.asOf}));
    (d.breadcrumb || []).forEach(b => {
      if (b.level === 'province') {
        state.stack.push({geo: b.code, level: MUNI.includes(b.code) ? 'district' : 'city', parent: b.code,
                          name: (ZS.lang === 'en' && b.name_en) || b.name, code: b.code});
      } else if (b.level === 'city') {
        state.stack.push({geo: b.code, level: 'district', parent: b.code, name: (ZS.lang === 'en' && b.name_en) || b.name, code: b.code});
      }
    });
    return d;
  }
  const start = params.get('region') ? restore(params.get('region')).catch(err => { console.warn(err.message); }) : Promise.resolve(null);
  ZS.ready = start.then(async d => {
    await render();
    if (d && d.region) await panel(d.region.code);
  }).then(() => { el.dataset.ready = '1'; });
})();
