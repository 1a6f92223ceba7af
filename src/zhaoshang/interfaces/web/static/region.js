/* 地区画像: the region's position map, chain breakdown, partners and funding charts, drawn from the
   profile document embedded in the page (the same document as /api/region-profile/{code}). */
(function () {
  const ZS = window.ZS;
  const P = JSON.parse(document.getElementById('profile-data').textContent);
  const en = ZS.lang === 'en';
  const tz = (zh, e) => (en ? e : zh);
  const rname = r => (en && r.name_en) || r.name;
  const COLORS = ZS.STATUS_COLORS || {strong: '#1f9d63', average: '#d39b1f', weak: '#e0703a', missing: '#c9414a'};
  ZS.regionCharts = {};

  function init(id) {
    const el = document.getElementById(id);
    if (!el || !window.echarts) return null;
    const c = echarts.init(el, null, {renderer: 'canvas'});
    if (ZS.onResize) ZS.onResize(c);
    ZS.regionCharts[id] = c;
    return c;
  }

  async function drawMap() {
    const m = P.map;
    if (!m || !m.available) return;
    const c = init('rp-map');
    if (!c) return;
    const geo = await ZS.getJSON('/api/geo/' + m.view + '?lang=' + ZS.lang);
    echarts.registerMap('rp-' + m.view, geo);
    const hl = new Set(m.highlight || []);
    const names = {};
    geo.features.forEach(f => { names[f.properties.name] = f.properties.label; });
    const data = m.rows.map(r => ({
      name: r.code, value: r.count, label_: rname(r),
      itemStyle: hl.has(r.code) ? {borderColor: '#d4542b', borderWidth: 2.5} : undefined,
      // white with a dark outline: readable on the darkest fill (the region usually leads its peers) and the lightest
      label: hl.has(r.code) ? {show: true, color: '#fff', fontWeight: 'bold', textBorderColor: '#7a2a10', textBorderWidth: 3} : undefined,
    }));
    const max = Math.max(1, ...m.rows.map(r => r.count || 0));
    if (geo.fallback === 'scatter') {
      // only the city's outline is packaged: its districts as bubbles at their seats, this region outlined
      const pts = m.rows.filter(r => r.lng != null).map(r => ({
        name: r.code, value: [r.lng, r.lat, r.count || 0], label_: rname(r),
        itemStyle: hl.has(r.code) ? {borderColor: '#d4542b', borderWidth: 2.5} : undefined,
        label: {show: hl.has(r.code) || (r.count || 0) >= max * 0.25, formatter: p => p.data.label_, position: 'right', fontSize: 11,
                fontWeight: hl.has(r.code) ? 'bold' : 'normal'},
      })).sort((a, b) => b.value[2] - a.value[2]);
      c.setOption({
        tooltip: {trigger: 'item', formatter: p => {
          const r = m.rows.find(x => x.code === p.name);
          return r ? '<b>' + ZS.esc(rname(r)) + '</b><br>' + tz('企业数：', 'Enterprises: ') + ZS.num(r.count) + '<br>' + tz('占全国：', 'Share: ') + ZS.pct(r.share) : '';
        }},
        visualMap: {min: 0, max: max, left: 8, bottom: 8, calculable: false, itemHeight: 90, text: [ZS.num(max), '0'], dimension: 2,
                    inRange: {color: ['#eef4fb', '#a9c8e8', '#4585c1', '#143f78']}},
        geo: {map: 'rp-' + m.view, roam: false, itemStyle: {areaColor: '#f4f6f8', borderColor: '#9fb0cc'}, emphasis: {disabled: true}, label: {show: false}},
        series: [{type: 'scatter', coordinateSystem: 'geo', data: pts, symbolSize: d => 8 + 30 * Math.sqrt((d[2] || 0) / max)}],
      });
      c.on('click', p => { if (p.name && /^\d{6}$/.test(p.name)) location.href = '/region/' + p.name + location.search; });
      return;
    }
    // the region's name in the page's language (the boundary file carries the Chinese name only)
    const mapLabel = p => (p.data && p.data.label_) || names[p.name] || p.name;
    c.setOption({
      tooltip: {trigger: 'item', formatter: p => {
        const r = m.rows.find(x => x.code === p.name);
        return '<b>' + ZS.esc(r ? rname(r) : (names[p.name] || p.name)) + '</b><br>' + tz('企业数：', 'Enterprises: ') +
          ZS.num(r ? r.count : 0) + '<br>' + tz('占全国：', 'Share: ') + ZS.pct(r ? r.share : 0);
      }},
      visualMap: {min: 0, max: max, left: 8, bottom: 8, calculable: false, itemHeight: 90, text: [ZS.num(max), '0'],
                  inRange: {color: ['#eef4fb', '#a9c8e8', '#4585c1', '#143f78']}},
      series: [{type: 'map', map: 'rp-' + m.view, roam: false, data: data, nameProperty: 'name',
                label: {show: false, formatter: mapLabel, fontSize: 11},
                emphasis: {label: {show: true, formatter: mapLabel}},
                // a macro-region's members are small neighbours (上海 beside 江苏, 浙江): a label that would cover
                // another is left out; every member keeps its outline and its name on hover
                labelLayout: {hideOverlap: true},
                itemStyle: {borderColor: '#fff', borderWidth: 0.6, areaColor: '#f4f6f8'}}],
    });
    c.on('click', p => { if (p.name && /^\d{6}$/.test(p.name)) location.href = '/region/' + p.name + location.search; });
  }

  function drawChain() {
    const rows = (P.chain_rows || []).slice().reverse();
    if (!rows.length) return;
    const c = init('rp-chain');
    if (!c) return;
    const label = r => (en ? r.name_en : r.name_zh) || r.code;
    const LOCAL = tz('本地结构占比（颜色：优势 / 一般 / 薄弱）', 'Local mix (colour: strong / average / weak)');
    c.setOption({
      tooltip: {trigger: 'axis', axisPointer: {type: 'shadow'}, formatter: ps => {
        const r = rows[ps[0].dataIndex];
        return '<b>' + ZS.esc(label(r)) + '</b> ' + ZS.labelBadge(r) + '<br>' + tz('本地', 'Local') + ' ' + r.count + ' / ' +
          tz('全国', 'National') + ' ' + r.national_count + '<br>' + tz('本地结构占比', 'Local mix') + ' ' + ZS.pct(r.region_mix) +
          '<br>' + tz('全国结构占比', 'National mix') + ' ' + ZS.pct(r.national_mix) + '<br>LQ ' + ZS.lq(r.lq);
      }},
      // the local bars take the colour of their segment's label: the legend says so (its icon in the 一般 colour)
      legend: {data: [LOCAL, tz('全国结构占比', 'National mix')], top: 0},
      grid: {left: 150, right: 60, top: 28, bottom: 24},
      xAxis: {type: 'value', axisLabel: {formatter: v => (v * 100).toFixed(0) + '%'}},
      yAxis: {type: 'category', data: rows.map(label), axisLabel: {fontSize: 11}},
      series: [
        {name: LOCAL, type: 'bar', barGap: '10%', itemStyle: {color: COLORS.average},
         data: rows.map(r => ({value: r.region_mix, itemStyle: {color: COLORS[r.status] || '#4585c1'}})),
         label: {show: true, position: 'right', fontSize: 10, color: '#4b5563', formatter: p => 'LQ ' + ZS.lq(rows[p.dataIndex].lq)}},
        {name: tz('全国结构占比', 'National mix'), type: 'bar', data: rows.map(r => r.national_mix), itemStyle: {color: '#c7ccd3'}},
      ],
    });
  }

  function drawPartners() {
    const pr = P.partners;
    if (!pr || !pr.available) return;
    const rows = pr.rows.slice(0, 10).reverse();
    const c = init('rp-partners');
    if (!c) return;
    // the kinds' words are labels.py's (PARTNER_KINDS), as the partners' table beneath says them
    const kinds = [['patent', '#2463a6'], ['investment', '#4cab8a'], ['branch', '#d39b1f'], ['people', '#9b6bc4']]
      .map(([k, colour]) => [k, ZS.T('partner_kind.' + k), colour]);
    c.setOption({
      tooltip: {trigger: 'axis', axisPointer: {type: 'shadow'}},
      legend: {top: 0, data: kinds.map(k => k[1])},
      grid: {left: 90, right: 30, top: 30, bottom: 20},
      xAxis: {type: 'value'}, yAxis: {type: 'category', data: rows.map(rname)},
      series: kinds.map(k => ({name: k[1], type: 'bar', stack: 'w', itemStyle: {color: k[2]}, data: rows.map(r => +(r[k[0]] || 0).toFixed(2))})),
    });
  }

  function quarterSeries() {
    const t = P.trends || {};
    if (!t.available) return [];
    const q = t.by_period || t.by_quarter || t.quarters || t.series || t.rows || [];
    return q.map(r => ({
      label: String(r.quarter || r.period || r.label || r.year),
      amount: ['amount_wan', 'funding_wan', 'amount', 'sum_wan'].map(k => r[k]).find(v => v != null) || 0,
      count: ['rounds', 'events', 'count', 'deals', 'n', 'fundings'].map(k => r[k]).find(v => v != null) || 0,
    }));
  }

  function drawTrend() {
    const s = quarterSeries();
    if (!s.length) return;
    const c = init('rp-trend');
    if (!c) return;
    c.setOption({
      tooltip: {trigger: 'axis'},
      legend: {top: 0, data: [tz('融资额（亿元）', 'Amount (CNY million)'), tz('融资事件（起）', 'Rounds')]},
      grid: {left: 50, right: 40, top: 30, bottom: 40},
      xAxis: {type: 'category', data: s.map(r => r.label), axisLabel: {rotate: 40, fontSize: 10}},
      yAxis: [{type: 'value', name: tz('亿元', 'CNY million')}, {type: 'value', name: tz('起', 'rounds'), splitLine: {show: false}}],
      series: [
        // 亿元 in Chinese, CNY million in English (a "hundred million" is no English unit)
        {name: tz('融资额（亿元）', 'Amount (CNY million)'), type: 'bar', data: s.map(r => +(r.amount / (en ? 100 : 10000)).toFixed(3)), itemStyle: {color: '#4585c1'}},
        {name: tz('融资事件（起）', 'Rounds'), type: 'line', yAxisIndex: 1, data: s.map(r => r.count), itemStyle: {color: '#d4542b'}},
      ],
    });
  }

  function deepest() {
    const v = id => { const el = document.getElementById(id); return el ? el.value : ''; };
    return v('sel-district') || v('sel-city') || v('sel-province');
  }
  function go(code) {
    // the box shows the page's date; it goes into the next URL when the user gave or changed it
    const asOf = document.getElementById('rp-as-of').value;
    const keep = asOf && (new URLSearchParams(location.search).get('as_of') || asOf !== P.as_of);
    location.href = '/region/' + (code || deepest()) + (keep ? '?as_of=' + asOf : '');
  }
  const btn = document.getElementById('rp-go');
  if (btn) btn.addEventListener('click', () => go());
  const on = (id, fn) => { const el = document.getElementById(id); if (el) el.addEventListener('change', () => fn(el.value)); };
  on('sel-province', v => go(v));
  on('sel-city', v => go(v || document.getElementById('sel-province').value));
  on('sel-district', v => go(v || document.getElementById('sel-city').value));

  drawChain();
  drawPartners();
  drawTrend();
  drawMap().catch(e => { const el = document.getElementById('rp-map'); if (el) el.innerHTML = '<div class="nodata">' + ZS.esc(e.message) + '</div>'; })
    .finally(() => { ZS.regionReady = true; });
})();
// the toolbar's controls act through the script above; Enter in a field must not submit the form
document.getElementById('region-form')?.addEventListener('submit', e => e.preventDefault());
