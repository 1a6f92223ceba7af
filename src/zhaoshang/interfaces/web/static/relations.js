/* 关系图谱: the enterprise's relationship graph (ECharts graph; click a node to expand its strongest ties, 30 at
   a time), person details (masked by role, audited by the server), paths to the key persons from a region and
   "introduce me" from the user's own contacts. Data: window.ZS.relations; JSON twins under /api/graph/…
   Every name is inserted as text (ZS.esc or textContent), never as markup. */
(function () {
  const ZS = window.ZS, d = ZS.relations, en = ZS.lang === 'en';
  const tr = (zh, e) => (en ? e : zh);
  const COLORS = {enterprise: '#2f6fed', person: '#e0703a', investor: '#1f9d63', contact: '#9b59b6', inventor: '#8fa3c4'};
  const TYPE_LABEL = {enterprise: tr('企业', 'enterprise'), person: tr('人员', 'person'), investor: tr('投资机构', 'investor'),
    contact: tr('联系人', 'contact'), inventor: tr('发明人', 'inventor')};
  const legend = document.getElementById('rel-legend');
  if (legend) legend.innerHTML = Object.keys(COLORS).map(k => '<span><i style="background:' + COLORS[k] + '"></i>' + ZS.esc(TYPE_LABEL[k]) + '</span>').join('');

  // -- the graph ------------------------------------------------------------------------------------------
  const nodes = new Map(), links = new Map(), paged = {};
  const LABEL_W = 96;  // the widest name drawn beside a dot (px): a longer one ends in … (whole in the tooltip)
  const STEP = 24;     // the least height between two dots on one side: a name (11 px) clears the next dot and name
  const PAD = 24, BASE_H = 520;
  const TYPE_ORDER = ['person', 'enterprise', 'investor', 'contact', 'inventor'];
  const el = document.getElementById('rel-graph');
  const chart = (window.echarts && el) ? echarts.init(el, null, {renderer: 'canvas'}) : null;
  // A force layout (random starting places) left names covering one another around a busy centre: hidden, they left
  // dots without a name; moved to another side of their dot, past the chart's edge. The layout is placed instead:
  // the centre in the middle, its ties on the two sides of an ellipse, spread evenly in height and never closer than
  // STEP, each name outward — right of a dot on the right, left of one on the left — in the margin kept for it; the
  // chart grows taller for more ties. The ties of a node opened later stand in a column beyond it, their dots
  // further apart than their size, each column in a band of its own; the chart grows taller for the longest column
  // too and the ellipse narrows for the columns' width, so that the drawing is never shrunk to fit (it was: a
  // column's dots nearly touched, a name hid).
  function place() {
    const all = Array.from(nodes.values()), centre = all[0];
    const ring = all.filter(n => n.parent === centre.id);
    ring.sort((a, b) => (TYPE_ORDER.indexOf(a.type) - TYPE_ORDER.indexOf(b.type)) || (a.order - b.order));
    // clockwise from the top right, so that each kind stays together
    const right = ring.slice(0, Math.ceil(ring.length / 2)), left = ring.slice(right.length).reverse();
    const side = new Map(), cols = {};
    right.forEach(n => side.set(n.id, 1));
    left.forEach(n => side.set(n.id, -1));
    all.forEach(n => {  // in the order they came: a column's node after the node it opened from
      if (n === centre || n.parent === centre.id) return;
      (cols[n.parent] = cols[n.parent] || []).push(n);
      side.set(n.id, side.get(n.parent) || 1);
    });
    const colStep = kids => Math.max(STEP, Math.max(...kids.map(n => n.symbolSize)) + 8);
    const colH = Math.max(0, ...Object.values(cols).map(kids => (kids.length - 1) * colStep(kids)));
    const h = Math.max(BASE_H, Math.round((Math.max(right.length, left.length) - 1) * STEP / 0.8) + 2 * PAD, colH + 2 * PAD);
    if (el.clientHeight !== h) { el.style.height = h + 'px'; chart.resize(); }
    // each opened column in a band of its own on its side: two columns level with one another drew their names over
    // each other; the ellipse narrows for as many bands as each side has columns
    const COL_W = LABEL_W + 3 * PAD, bands = s => Object.keys(cols).filter(pid => (side.get(pid) || 1) === s).length;
    const rx = Math.max(40, (el.clientWidth - 2 * (LABEL_W + PAD) - (bands(1) + bands(-1)) * COL_W) / 2), ry = h / 2 - PAD;
    Object.assign(centre, {x: 0, y: 0});
    // the centre's name under its dot keeps clear of the dots level with it (a narrow chart: it ends in …)
    Object.assign(centre.label, {width: Math.max(60, 2 * (0.95 * rx - 16)), overflow: 'truncate', ellipsis: '…'});
    [[right, 1], [left, -1]].forEach(([side, s]) => {
      const m = side.length, span = m > 1 ? Math.max(0.8 * 2 * ry * Math.min(1, (m - 1) / 8), (m - 1) * STEP) : 0;
      side.forEach((n, i) => {
        const y = m > 1 ? -span / 2 + i * span / (m - 1) : 0;
        Object.assign(n, {x: s * rx * Math.sqrt(Math.max(0, 1 - (y / ry) ** 2)), y: y});
        n.label.position = s > 0 ? 'right' : 'left';
      });
    });
    const edge = {1: 0, '-1': 0};  // how far out each side's last column stands
    Object.keys(cols).forEach(pid => {  // in the order they were opened: a column opened from a column after it
      const p = nodes.get(pid), s = side.get(pid) || 1, kids = cols[pid], step = colStep(kids), tall = (kids.length - 1) * step;
      if (!p) return;
      // beyond the node it opened from and beyond the side's columns opened before it (a band of its own); level
      // with the node, moved up or down as far as needed to stay inside the chart
      const x = s * (Math.max(Math.abs(p.x), edge[s]) + COL_W), top = Math.min(Math.max(p.y - tall / 2, -ry), ry - tall);
      edge[s] = Math.abs(x);
      kids.forEach((n, i) => {
        Object.assign(n, {x: x, y: top + i * step});
        n.label.position = s > 0 ? 'right' : 'left';
      });
    });
  }
  // a last guard (a graph opened node by node can outgrow its room): once a drawing is finished, a name that covers
  // one drawn before it is hidden (its name stays in the tooltip)
  function hideCovered() {
    const kept = [];
    let hid = false;
    chart.getZr().storage.getDisplayList(true).forEach(e => {
      const tc = e.getTextContent ? e.getTextContent() : null;
      if (!tc || tc.ignore || tc.invisible || !tc.style || !tc.style.text) return;
      const r = tc.getBoundingRect().clone();
      r.applyTransform(tc.getComputedTransform());
      if (kept.some(k => k.x < r.x + r.width && r.x < k.x + k.width && k.y < r.y + r.height && r.y < k.y + k.height)) {
        tc.ignore = true;
        hid = true;
      } else kept.push(r);
    });
    if (hid) chart.getZr().refresh();
  }
  if (chart) chart.on('finished', hideCovered);
  // laid out again in the box's new size (a window resized, a scroll bar come as the page grew)
  if (chart) ZS.onResize(chart, () => { if (nodes.size) draw(); });
  function addNode(n, parent) {
    if (!nodes.has(n.key)) nodes.set(n.key, {id: n.key, name: n.name == null ? n.key : String(n.name), type: n.type,
      records: n.records || [n.key],  // records linked as one person are one node (the server merges them)
      parent: parent, order: nodes.size,  // the node whose ties brought it (none: the centre), and when
      symbolSize: parent == null ? 34 : (n.type === 'enterprise' ? 22 : 14), itemStyle: {color: COLORS[n.type] || '#999'},
      // the name beside its dot in the text colour: drawn on the dot (ECharts' default) it sat on the edges meeting there;
      // the centre's (a long enterprise name) under its dot on a light ground: beside it, it ran over the neighbours
      label: parent == null ? {show: true, fontSize: 11, position: 'bottom', distance: 4, color: '#333', textBorderWidth: 0,
                               backgroundColor: 'rgba(255,255,255,0.85)', padding: [1, 3], borderRadius: 2}
                            : {show: true, fontSize: 11, position: 'right', color: '#333', textBorderWidth: 0,
                               width: LABEL_W, overflow: 'truncate', ellipsis: '…'}});
  }
  function addTies(doc) {
    addNode(doc.node, nodes.size ? undefined : null);
    doc.neighbours.forEach((x, i) => {
      // a private individual's holding shown to a role without personal data: the holder has no key (never tied to
      // a person record); a node of its own for this tie, not expandable
      if (x.node.key == null) x.node = Object.assign({}, x.node, {key: 'masked:' + doc.node.key + ':' + (doc.offset + i), records: []});
      addNode(x.node, doc.node.key);
      const id = [doc.node.key, x.node.key, x.relation].sort().join('|');
      if (!links.has(id)) links.set(id, {source: doc.node.key, target: x.node.key, relation: x.relation_label,
        strength: x.strength, start: x.start, end: x.end, lineStyle: {width: 0.5 + 3 * x.strength, opacity: 0.7}});
    });
    paged[doc.node.key] = {offset: doc.offset + doc.neighbours.length, total: doc.total};
    draw();
    const more = document.getElementById('rel-more');
    if (more) more.textContent = doc.total > paged[doc.node.key].offset
      ? tr('「' + doc.node.name + '」共 ' + doc.total + ' 个关系，已显示 ' + paged[doc.node.key].offset + ' 个；再次点击显示更多',
           '"' + doc.node.name + '" has ' + doc.total + ' ties, ' + paged[doc.node.key].offset + ' shown; click it again for more')
      : '';
  }
  function draw() {
    if (!chart) return;
    place();
    chart.setOption({
      tooltip: {confine: true, formatter: p => p.dataType === 'edge'
        ? ZS.esc(p.data.relation) + ZS.colon() + ZS.strength(p.data.strength) + (p.data.start ? '<br>' + ZS.esc(p.data.start) + ' – ' + ZS.esc(p.data.end || tr('至今', 'now')) : '')
        : ZS.esc(p.data.name) + '<br>' + ZS.esc(TYPE_LABEL[p.data.type] || p.data.type) +
          (p.data.records.length > 1 ? '<br>' + ZS.esc(tr('同一人的 ' + p.data.records.length + ' 条记录：', p.data.records.length + ' records of one person: ') + p.data.records.join(', ')) : '')},
      // the dots within the box; the margins left and right of it hold the names drawn outward of the outermost dots.
      // The drawing keeps its proportions (place() lays it out in pixels): stretched to fill the box, a few ties
      // spread over a short height were pulled to the chart's height, and every dot with them into a tall ellipse
      series: [{type: 'graph', layout: 'none', roam: true, draggable: true, left: LABEL_W + PAD, right: LABEL_W + PAD,
        top: PAD, bottom: PAD, preserveAspect: true,
        data: Array.from(nodes.values()), links: Array.from(links.values()),
        edgeLabel: {show: false}, emphasis: {focus: 'adjacency'}}]});
  }
  if (d.neighbours) addTies(d.neighbours);
  else {  // not in the graph on the date: said, not a blank chart
    const more = document.getElementById('rel-more');
    if (more) {
      more.textContent = tr('截至 ' + d.as_of + '，该企业在关系图中没有关系（无任职、股东、投资、分支或专利合作记录）',
                            'On ' + d.as_of + ' this enterprise has no ties in the relationship graph (no officers, shareholders, investments, branches or co-patents on record)');
      more.dataset.empty = '1';
    }
  }
  if (chart) chart.on('click', p => {
    if (p.dataType !== 'node' || p.data.id.startsWith('masked:')) return;
    const key = p.data.id, pg = paged[key] || {offset: 0};
    ZS.getJSON('/api/graph/neighbours?node=' + encodeURIComponent(key) + '&offset=' + pg.offset + '&limit=30' +
               (d.as_of ? '&as_of=' + encodeURIComponent(d.as_of) : '')).then(addTies);
    if (key.startsWith('p:')) showPerson(key);
  });

  // -- person details (masked by role; the server audits each read) --------------------------------------
  // as of the page's date, as the graph is: an office begun later is not listed, one ended later is held then
  const panel = document.getElementById('person-panel');
  // another record of the person (an identity link, a namesake kept apart) by its name, masked as the server gives
  // it, its number beside (records of one name told apart); a click shows that record here
  const recordLink = x => '<a href="#" class="person-record" data-pid="' + ZS.esc(x.other.key) + '">' + ZS.esc(x.other.name) + '</a> <small class="muted">' + ZS.esc(x.other.key) + '</small>';
  function showPerson(pid) {
    ZS.getJSON('/api/graph/person/' + encodeURIComponent(pid) + (d.as_of ? '?as_of=' + encodeURIComponent(d.as_of) : '')).then(doc => {
      const p = doc.person;
      // its own record's number beside its name, as the other records' below
      let h = '<h3><span id="person-name">' + ZS.esc(p.name) + '</span> <small class="muted" id="person-key">' + ZS.esc(p.key || pid) + '</small></h3><dl class="kv">';
      if (!doc.masked) h += '<dt>' + tr('性别', 'Gender') + '</dt><dd id="person-gender">' + ZS.esc(p.gender_text || '—') + '</dd><dt>' + tr('出生年份', 'Born') + '</dt><dd>' + ZS.esc(p.birth_year || '—') + '</dd>';
      h += '<dt>' + tr('来源', 'Source') + '</dt><dd>' + ZS.esc(p.source) + ' · ' + ZS.esc(p.source_key) + '</dd></dl>';
      if (doc.masked) h += '<p class="muted" id="person-masked">' + tr('个人信息已按角色遮蔽', 'personal data masked for your role') + '</p>';
      // each enterprise to its profile as of the page's date (ZS.entHref)
      const held = r => ' · ' + ZS.esc(r.start_date || '') + ' – ' + ZS.esc(r.end_date || tr('至今', 'now'));
      const entLink = r => r.enterprise_id != null ? '<a href="' + ZS.esc(ZS.entHref(r.enterprise_id)) + '">' + ZS.esc(r.enterprise) + '</a>' : ZS.esc(r.enterprise);
      h += '<ul id="person-roles">' + doc.roles.map(r => '<li>' + entLink(r) +
        ' · ' + ZS.esc(r.role_text) + held(r) + '</li>').join('') + '</ul>';
      // its holdings as the server gives them (masked as the rest of the person for a role without personal), the
      // share as the key persons' table says it (share_text)
      if ((doc.shareholdings || []).length) h += '<ul id="person-shares">' + doc.shareholdings.map(s => '<li>' + entLink(s) +
        ' · ' + tr('持股 ', 'shareholding ') + ZS.esc(s.share_text || '—') + held(s) + '</li>').join('') + '</ul>';
      // the same words on every masked panel: a count, or a line on some panels only, would say which officer holds shares
      if (doc.masked) h += '<p class="muted" id="links-masked">' + tr('涉及持股记录的身份关联不向您的角色显示', 'identity links that involve a shareholding record are not shown for your role') + '</p>';
      // why a link holds and why a namesake is kept apart, in the server's words of the page's language
      if (doc.links.length) h += '<p id="person-links">' + tr('身份关联：', 'Identity links: ') + doc.links.map(x => recordLink(x) + tr('（', ' (') + ZS.esc(x.confidence) + ' ' + ZS.esc(x.reasons_text.join(tr('、', ', '))) + tr('）', ')')).join(tr('；', '; ')) + '</p>';
      if (doc.apart.length) h += '<p class="muted" id="person-apart">' + tr('同名而分开的记录：', 'Namesakes kept apart: ') + doc.apart.map(x => recordLink(x) + tr('（', ' (') + ZS.esc(x.why_text) + tr('）', ')')).join(tr('；', '; ')) + '</p>';
      panel.innerHTML = h;
      panel.querySelectorAll('.person-record').forEach(a => a.addEventListener('click', ev => { ev.preventDefault(); showPerson(a.dataset.pid); }));
    });
  }
  document.querySelectorAll('.kp-person').forEach(a => a.addEventListener('click', () => showPerson(a.dataset.pid)));

  // -- paths ---------------------------------------------------------------------------------------------
  const out = document.getElementById('paths');
  // the contacts that start no path (no enterprise given, none in the database, a short name of several): how many,
  // and each by its line and the company as typed, in the service's words (the same as `zhaoshang reach --contacts`)
  // and, the enterprise lying in the region it is reached from, that its own people are no starts (the service's words)
  function unmatchedHtml(doc) {
    const own = doc.in_region ? '<p class="muted" id="in-region">' + ZS.esc(en ? doc.in_region.text_en : doc.in_region.text) + '</p>' : '';
    const u = doc.from && doc.from.unmatched_text;
    if (!u) return own;
    return own + '<div class="warn" id="unmatched" data-count="' + u.count + '"><p>' + ZS.esc(u.head) + '</p><ul>' +
      u.lines.map(l => '<li>' + ZS.esc(l) + '</li>').join('') + '</ul></div>';
  }
  // the other record of one person under one name (no hop: the walk goes on from the name), in the server's words
  // (labels.same_person_text: the record's kind and name, masked for a role without personal, the link and strength),
  // under the person the path goes on from, or the key person at its end
  function samePerson(node) {
    return ((node && node.same_person) || []).map(n => '<div class="hop same-person">' + ZS.esc(n.text) + '</div>').join('');
  }
  function renderPaths(doc, source) {
    out.dataset.source = source;
    if (!doc.paths.length) {
      const np = doc.no_path;  // why, as the service says it (no key person, no start, none within the hops)
      const why = np ? (en ? np.reason_en : np.reason) + (np.case === 'hops' ? tr('；可增加最多跳数（至多 6）或从自己的联系人出发', '; try more hops (up to 6) or start from your own contacts') : '')
        : tr('在给定跳数内没有找到路径', 'No path within the hop limit');
      out.innerHTML = unmatchedHtml(doc) + '<p class="muted" id="no-path">' + ZS.esc(why) + '</p>';
      return;
    }
    out.innerHTML = unmatchedHtml(doc) + doc.paths.map((p, i) => '<div class="path"><h3>' + tr('路径 ', 'Path ') + (i + 1) + ' · ' + tr('强度 ', 'strength ') + ZS.strength(p.strength) +
      ' <small class="muted">' + ZS.esc(p.origin.kind_label) + ZS.colon() + ZS.esc(p.origin.name) + ' → ' + ZS.esc(p.target.name) + '</small></h3>' +
      // a path of no hop: the key person is a start (or a record linked to one as the same person)
      (p.length === 0 ? '<div class="hop hop-none">' + tr('关键人本人即起点（' + ZS.esc(p.origin.kind_label) + '），无需中间人；强度即起点系数',
        'the key person is a start (' + ZS.esc(p.origin.kind_label) + '): no one in between; the strength is the start\'s factor') + '</div>' : '') +
      // the hop as the server writes it (relation_arrow, the words of `zhaoshang reach`): the arrow points the
      // relation's way whichever way the path walks the tie (甲 ←投资— 基金 is the fund investing in 甲), an office by
      // its title (←联合创始人—); the tie's strength after it
      p.hops.map(h => samePerson(h.from) + '<div class="hop">' + ZS.esc(h.from.name) + ' <span class="rel">' + ZS.esc(h.relation_arrow) +
        '</span> <span class="rel-strength">(' + ZS.strength(h.strength) + ')</span> ' + ZS.esc(h.to.name) +
        (h.start || h.end ? ' <small>' + ZS.esc(h.start || '') + ' – ' + ZS.esc(h.end || tr('至今', 'now')) + '</small>' : '') +
        // each record in words (source, kind, date); its table, id and source record key on hover
        (h.evidence || []).map(ev => '<span class="ev" title="' + ZS.esc(ev.table + (ev.id == null ? '' : ' #' + ev.id) + (ev.source_key ? ' · ' + ev.source_key : '')) + '">' +
          ZS.esc(ev.text || ev.table) + (ev.note ? ' · ' + ZS.esc(ev.note) : '') + '</span>').join('') + '</div>').join('') +
      samePerson(p.target) + '</div>').join('');
  }
  function fail(r) { out.innerHTML = '<p class="warn">' + ZS.esc((r && (r.detail || r.error)) || tr('请求失败', 'request failed')) + '</p>'; }
  const form = document.getElementById('reach-form');
  if (form) form.addEventListener('submit', ev => {
    ev.preventDefault();
    const q = new URLSearchParams({from_region: document.getElementById('reach-region').value,
      k: document.getElementById('reach-k').value, max_hops: document.getElementById('reach-hops').value});
    if (d.as_of) q.set('as_of', d.as_of);
    out.innerHTML = '<p class="muted">…</p>';
    out.dataset.source = '';
    fetch('/api/graph/reach/' + d.enterprise.id + '?' + q, {headers: {Accept: 'application/json'}})
      .then(r => r.json().then(j => (r.ok ? renderPaths(j, 'region') : fail(j))));
  });
  const intro = document.getElementById('intro-go');
  if (intro) intro.addEventListener('click', () => {
    // a line is 姓名,所在企业 (a comma, a full-width comma or a tab between), or the name and the enterprise as people
    // type them, a space between (the name is the first word)
    // each line keeps its number in the box (blank lines counted), by which a contact not matched is named; every
    // line goes to the service, as `reach --contacts` reads a file: a line without an enterprise (a name alone) is
    // listed among the contacts not matched, the others start paths
    const typed = document.getElementById('intro-contacts').value.split('\n').map((l, i) => [l.trim(), i + 1]).filter(x => x[0]);
    const parts = typed.map(([l]) => (/[,，\t]/.test(l) ? l.split(/[,，\t]/) : l.split(/\s+/).length > 1 ? [l.split(/\s+/)[0], l.replace(/^\S+\s+/, '')] : [l]));
    const contacts = parts.map((x, i) => ({name: (x[0] || '').trim(), enterprise: (x[1] || '').trim(), row: typed[i][1]}));
    if (!contacts.length) {  // said, not a click that does nothing
      out.dataset.source = 'contacts';
      out.innerHTML = '<p class="warn" id="intro-error">' + ZS.esc(tr('请先填写联系人：每行姓名和所在企业', 'enter your contacts first: a name and an enterprise on each line')) + '</p>';
      return;
    }
    out.innerHTML = '<p class="muted">…</p>';
    out.dataset.source = '';
    fetch('/api/graph/introduce/' + d.enterprise.id, {method: 'POST', body: JSON.stringify({contacts: contacts, as_of: d.as_of}),
      headers: {'X-CSRF-Token': ZS.csrf || '', Accept: 'application/json', 'Content-Type': 'application/json'}})
      .then(r => r.json().then(j => (r.ok ? renderPaths(j, 'contacts') : fail(j))));
  });
  if (d.from_region && form) form.requestSubmit();
})();
