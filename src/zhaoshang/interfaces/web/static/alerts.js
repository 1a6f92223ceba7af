/* 预警规则 page: the alert feed updates live. One EventSource on /api/alerts/stream (server-sent events) from
   the newest alert the page was rendered with; each new alert becomes the first row of the feed. */
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
    const ent = a.enterprise_id == null ? '' :
      '<a href="/enterprises/' + encodeURIComponent(a.enterprise_id) + '">' + esc(a.enterprise_name || a.enterprise_id) + '</a>';
    tr.innerHTML = '<td>' + esc(a.id) + '</td><td class="date">' + esc(a.event_date || '') + '</td><td>' + esc(a.rule_shown || a.rule_name) +
      '</td><td>' + ent + '</td><td>' + esc((cfg.types || {})[a.event_type] || a.event_type) + '</td><td>' +
      esc(a.shown_title != null ? a.shown_title : (((window.ZS || {}).lang === 'en' && a.title_en) || a.title || '')) + '</td><td><a class="al-evidence" href="/alerts/' + encodeURIComponent(a.id) + '">' +
      esc((cfg.labels || {}).evidence || '依据') + '</a></td>';
    return tr;
  }
  const src = new EventSource('/api/alerts/stream?after=' + encodeURIComponent(cfg.latest || 0));
  src.addEventListener('ready', () => { if (live) live.dataset.state = 'on'; });
  src.addEventListener('alert', ev => {
    const a = JSON.parse(ev.data);
    if (body.querySelector('tr[data-id="' + a.id + '"]')) return;
    body.insertBefore(row(a), body.firstChild);
    const empty = document.getElementById('al-empty');
    if (empty) empty.hidden = true;
  });
  src.onerror = () => { if (live) live.dataset.state = 'off'; };
})();
