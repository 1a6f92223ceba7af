/* 预警规则 page: the alert feed updates live. One EventSource on /api/alerts/stream (server-sent events) from
   the newest alert the page was rendered with; each new alert becomes the first row of the feed — or, when its event
   is listed already (another rule matched it), adds its rule's name to that row: one row per event. */
(function () {
  const ZS = window.ZS || {};
  const cfg = ZS.alerts || {};
  const body = document.querySelector('#al-feed tbody');
  const live = document.getElementById('al-live');
  if (!body || !window.EventSource) return;
  const esc = ZS.esc || (s => String(s == null ? '' : s));
  function row(a) {
    const tr = document.createElement('tr');
    tr.className = 'al-row unread al-new';
    tr.dataset.id = a.id;
    tr.dataset.ids = String(a.id);
    tr.dataset.event = a.event_key || '';
    const ent = a.enterprise_id == null ? '' :
      '<a href="' + esc(ZS.entHref(a.enterprise_id)) + '">' + esc(a.enterprise_name || a.enterprise_id) + '</a>';
    tr.innerHTML = '<td>' + esc(a.id) + '</td><td class="date">' + esc(a.event_date || '') + '</td><td class="al-rule">' + esc(a.rule_shown || a.rule_name) +
      '</td><td>' + ent + '</td><td class="al-type">' + esc(a.shown_type != null ? a.shown_type : ((cfg.types || {})[a.event_type] || a.event_type)) + '</td><td>' +
      esc(a.shown_title != null ? a.shown_title : (((window.ZS || {}).lang === 'en' && a.title_en) || a.title || '')) + '</td><td><a class="al-evidence" href="/alerts/' + encodeURIComponent(a.id) + '">' +
      esc((cfg.labels || {}).evidence || '依据') + '</a></td>';
    return tr;
  }
  const src = new EventSource('/api/alerts/stream?after=' + encodeURIComponent(cfg.latest || 0));
  src.addEventListener('ready', () => { if (live) live.dataset.state = 'on'; });
  src.addEventListener('alert', ev => {
    const a = JSON.parse(ev.data);
    const ids = tr => (tr.dataset.ids || tr.dataset.id || '').split(' ');
    const rows = Array.from(body.querySelectorAll('tr.al-row'));
    if (rows.some(tr => ids(tr).includes(String(a.id)))) return;
    const same = a.event_key ? rows.find(tr => tr.dataset.event === a.event_key) : null;
    if (same) {  // another rule matched an event already listed: named in its row
      const cell = same.querySelector('.al-rule');
      const name = a.rule_shown || a.rule_name;
      const sep = (window.ZS || {}).lang === 'en' ? ', ' : '、';
      if (cell && !cell.textContent.split(sep).includes(name)) cell.textContent += sep + name;
      same.dataset.ids = ids(same).concat([String(a.id)]).join(' ');
      same.classList.add('unread');
      return;
    }
    body.insertBefore(row(a), body.firstChild);
    const empty = document.getElementById('al-empty');
    if (empty) empty.hidden = true;
  });
  src.onerror = () => { if (live) live.dataset.state = 'off'; };
})();
