/* 动态监测: new events arrive by server-sent events (/api/events/stream with the page's filters) and are put at
   the top of the list, highlighted — an event dated after the page's as-of date at the top of the list apart
   (#ev-later: 晚于截至日期的事件), as the server lists it. #live-status tells whether the stream is connected. */
(function () {
  const cfg = (window.ZS || {}).monitor;
  const list = document.getElementById('ev-list');
  if (!cfg || !window.EventSource || !list) return;  // no list: the form could not take a value, nothing is drawn
  const status = document.getElementById('live-status');
  const count = document.getElementById('ev-count');
  const empty = document.getElementById('ev-empty');
  const setState = (state) => { status.dataset.state = state; status.textContent = cfg.labels[state] || state; };
  // the title as the server renders it for this page: without the head the type column already says
  const shownTitle = ev => ev.shown_title != null ? ev.shown_title : (((window.ZS || {}).lang === 'en' && ev.title_en) || ev.title);
  const cell = (text, cls) => { const td = document.createElement('td'); if (cls) td.className = cls; td.textContent = text || ''; return td; };
  const src = new EventSource(cfg.stream);
  src.addEventListener('ready', () => setState('live'));
  src.addEventListener('error', () => setState('lost'));
  src.addEventListener('event', (msg) => {
    const ev = JSON.parse(msg.data);
    if (document.querySelector(`tr[data-key="${ev.key}"]`)) return;
    const later = cfg.as_of && ev.date && ev.date > cfg.as_of;
    const tr = document.createElement('tr');
    tr.dataset.key = ev.key;
    tr.className = 'ev-' + ev.origin + ' ev-new';
    tr.appendChild(cell(ev.shown_date != null ? ev.shown_date : ev.date));  // 抓取日 … for an undated item's event
    const type = cell(''); const chip = document.createElement('span'); chip.className = 'chip';
    chip.textContent = cfg.types[ev.type] || ev.type; type.appendChild(chip);
    const also = ((ev.detail && typeof ev.detail === 'object' && ev.detail.other_types) || []).map(a => cfg.types[a.type] || a.type);
    if (also.length) {  // the other types the item's text states, after the primary one (as the server renders it)
      const small = document.createElement('small'); small.className = 'muted';
      small.textContent = cfg.labels.also + also.join(cfg.labels.also_sep); type.append(' ', small);
    }
    tr.appendChild(type);
    const ent = cell(''); const a = document.createElement('a'); a.href = ZS.entHref(ev.enterprise_id);
    a.textContent = ev.enterprise_name; ent.appendChild(a); tr.appendChild(ent);
    const title = cell('');
    if (ev.url && /^https?:\/\//.test(ev.url)) {
      const link = document.createElement('a'); link.href = ev.url; link.rel = 'noopener noreferrer'; link.target = '_blank';
      link.textContent = shownTitle(ev); title.appendChild(link);
    } else { title.textContent = shownTitle(ev); }
    tr.appendChild(title);
    tr.appendChild(cell(ev.source, 'muted'));
    tr.appendChild(cell(cfg.origins[ev.origin] || ev.origin, 'muted'));
    if (later) {
      const box = document.getElementById('ev-later');
      box.insertBefore(tr, box.firstChild);
      const n = document.getElementById('ev-later-count');
      if (n) n.textContent = String(Number(n.textContent || 0) + 1);
      const live = document.getElementById('ev-later-live-n');  // the hint says how many of them are live
      if (live && ev.origin !== 'import') {
        live.dataset.n = String(Number(live.dataset.n || 0) + 1);
        live.textContent = Number(live.dataset.n).toLocaleString('en-US');
        document.getElementById('ev-later-live').hidden = false;
      }
      document.getElementById('ev-later-card').hidden = false;
      return;
    }
    list.insertBefore(tr, list.firstChild);
    if (count) count.textContent = String(Number(count.textContent || 0) + 1);
    const noun = document.getElementById('ev-noun');  // 1 event, 2 events
    if (count && noun) noun.textContent = count.textContent === '1' ? noun.dataset.one : noun.dataset.many;
    const total = document.getElementById('ev-total');  // a cut list: 显示前 100 条，共 N 条 — one more matches
    if (total) { total.dataset.n = String(Number(total.dataset.n || 0) + 1); total.textContent = Number(total.dataset.n).toLocaleString('en-US'); }
    if (empty) empty.hidden = true;
  });
})();
