/* 合作网络: flow map on the China map (/api/geo/100000 + ECharts lines), chord diagram, yearly trend.
   Data: window.ZS.network (the same document as /api/network). */
(function () {
  const ZS = window.ZS, d = ZS.network, en = ZS.lang === 'en';
  const tr = (zh, e) => (en ? e : zh);
  ['sel-kind', 'sel-level'].forEach(id => {
    const s = document.getElementById(id);
    if (s) s.addEventListener('change', () => {
      if (id === 'sel-level') document.getElementById('group-input').value = '';  // a group is per level
      document.getElementById('network-form').submit();
    });
  });
  // no flow map: nothing is drawn (no cross-region link, or the form could not take a value)
  if (!window.echarts || !d || !d.nodes.length || !document.getElementById('flow-map')) return;

  const GROUP = '#2f6fed', SECOND = '#e0703a', OTHER = '#8fa3c4';
  const secondary = new Set(d.secondary_nodes.map(s => s.region));
  const byCode = {};
  d.nodes.forEach(n => { byCode[n.region] = n; });
  const colorOf = code => (byCode[code] && byCode[code].in_group ? GROUP : secondary.has(code) ? SECOND : OTHER);
  const nameOf = code => ((en && (d.names_en || {})[code]) || (byCode[code] ? byCode[code].name : code));
  const maxW = Math.max(1e-9, ...d.edges.map(e => e.weight));
  const maxS = Math.max(1e-9, ...d.nodes.map(n => n.strength));
  function init(id) {
    const el = document.getElementById(id);
    if (!el) return null;
    const c = echarts.init(el, null, {renderer: 'canvas'});
    ZS.onResize(c);
    return c;
  }
  const fmtW = w => (Math.round(w * 100) / 100).toString();

  // 1. flow map
  const mapChart = init('flow-map');
  ZS.getJSON('/api/geo/100000?lang=' + ZS.lang).then(geo => {
    echarts.registerMap('zs-100000', geo);
    const C = d.coords || {};
    const lines = d.edges.filter(e => C[e.src] && C[e.dst]).map(e => ({
      coords: [C[e.src], C[e.dst]], value: e.weight, src: e.src, dst: e.dst,
      lineStyle: {width: 0.8 + 5 * Math.sqrt(e.weight / maxW), color: colorOf(e.src), opacity: 0.25 + 0.55 * Math.sqrt(e.weight / maxW)}}));
    const pts = d.nodes.filter(n => C[n.region]).map(n => ({
      name: nameOf(n.region), code: n.region, value: C[n.region].concat([n.strength]),
      symbolSize: 6 + 22 * Math.sqrt(n.strength / maxS), itemStyle: {color: colorOf(n.region), borderColor: '#fff', borderWidth: 1}}));
    const labelled = new Set(d.nodes.slice(0, 12).map(n => n.region).concat(d.group));
    mapChart.setOption({
      textStyle: {fontFamily: 'inherit'},
      tooltip: {trigger: 'item', confine: true, formatter: p => {
        if (p.seriesType === 'lines') return ZS.esc(nameOf(p.data.src)) + (d.directed ? ' → ' : ' — ') + ZS.esc(nameOf(p.data.dst)) + '<br>' + tr('权重', 'Weight') + ZS.colon() + fmtW(p.data.value);
        if (p.seriesType === 'scatter' || p.seriesType === 'effectScatter') {
          const n = byCode[p.data.code];
          return '<b>' + ZS.esc(nameOf(n.region)) + '</b><br>' + tr('强度', 'Strength') + ZS.colon() + fmtW(n.strength) + '<br>' + tr('度', 'Degree') + ZS.colon() + n.degree + '<br>PageRank' + ZS.colon() + n.pagerank.toFixed(4);
        }
        return '';
      }},
      geo: {map: 'zs-100000', roam: true, zoom: 1.3, center: [108, 34.5], itemStyle: {areaColor: '#eef2f8', borderColor: '#c3cee0', borderWidth: 0.8},
        emphasis: {disabled: true}, label: {show: false}, silent: true},
      series: [
        {type: 'lines', coordinateSystem: 'geo', zlevel: 1, data: lines, lineStyle: {curveness: 0.22},
         effect: d.directed ? {show: true, period: 5, trailLength: 0.15, symbol: 'arrow', symbolSize: 5} : {show: false}},
        {type: 'scatter', coordinateSystem: 'geo', zlevel: 2, data: pts,
         label: {show: true, formatter: p => (labelled.has(p.data.code) ? p.data.name : ''), position: 'right', fontSize: 11, color: '#1d2433', textBorderColor: '#fff', textBorderWidth: 2}},
      ],
    });
    placeLabels(mapChart, pts, labelled);
    mapChart.on('georoam', () => placeLabels(mapChart, pts, labelled));
    document.getElementById('flow-map').dataset.ready = '1';
  }).catch(err => {
    document.getElementById('flow-map').innerHTML = '<p class="warn">' + ZS.esc(tr('地图边界不可用：', 'map boundaries unavailable: ') + err.message) + '</p>';
  });

  // Places close together (上海, 江苏, 浙江, 安徽 near the coast) drew their labels over one another: each label takes
  // the first side of its point — right, left, above, below, then right or left a line higher or lower — where it
  // meets no label placed before it (the strongest places first) and, if it can, no other point.
  function placeLabels(chart, pts, labelled) {
    const ctx = document.createElement('canvas').getContext('2d');
    ctx.font = '11px ' + getComputedStyle(document.getElementById('flow-map')).fontFamily;
    // no map to place on (the chart disposed or not drawn yet, as when the page is left mid-zoom): labels stay as they are
    if (chart.isDisposed()) return;
    const at = pts.map(p => chart.convertToPixel({geoIndex: 0}, p.value.slice(0, 2)));
    if (at.some(a => !a || !isFinite(a[0]) || !isFinite(a[1]))) return;
    const dots = pts.map((p, i) => ({x: at[i][0] - p.symbolSize / 2, y: at[i][1] - p.symbolSize / 2, w: p.symbolSize, h: p.symbolSize}));
    const meets = (a, b) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
    const placed = [], side = {};
    const order = pts.map((p, i) => i).filter(i => labelled.has(pts[i].code)).sort((a, b) => pts[b].value[2] - pts[a].value[2]);
    order.forEach(i => {
      const [x, y] = at[i], r = pts[i].symbolSize / 2, w = ctx.measureText(pts[i].name).width + 4, h = 14, gap = 5;
      const sides = [['right', 0, x + r + gap, y - h / 2], ['left', 0, x - r - gap - w, y - h / 2],
        ['top', 0, x - w / 2, y - r - gap - h], ['bottom', 0, x - w / 2, y + r + gap],
        ['right', -h, x + r + gap, y - h / 2 - h], ['right', h, x + r + gap, y + h / 2],
        ['left', -h, x - r - gap - w, y - h / 2 - h], ['left', h, x - r - gap - w, y + h / 2]]
        .map(([pos, dy, bx, by]) => ({pos, dy, box: {x: bx, y: by, w, h}}));
      const free = s => !placed.some(b => meets(s.box, b));
      const clear = s => free(s) && !dots.some((d, j) => j !== i && meets(s.box, d));
      const pick = sides.find(clear) || sides.find(free) || sides[0];
      placed.push(pick.box);
      side[pts[i].code] = pick;
    });
    chart.setOption({series: [{}, {data: pts.map(p => {
      const s = side[p.code];
      return s ? Object.assign({}, p, {label: {position: s.pos, offset: [0, s.dy]}}) : p;
    })}]});
  }

  // 2. chord diagram of the strongest regions (links among them from the edges served)
  const top = d.nodes.slice(0, 12).map(n => n.region);
  const inTop = new Set(top);
  const chordLinks = d.edges.filter(e => inTop.has(e.src) && inTop.has(e.dst)).map(e => ({source: e.src, target: e.dst, value: e.weight}));
  const used = new Set(chordLinks.flatMap(l => [l.source, l.target]));
  const chordData = top.filter(c => used.has(c)).map(c => ({name: c, itemStyle: {color: colorOf(c)}}));
  const topStrength = chordData.reduce((a, x) => a + ((byCode[x.name] || {}).strength || 0), 0);
  const chord = init('chord');
  chord.setOption({
    textStyle: {fontFamily: 'inherit'},
    tooltip: {trigger: 'item', formatter: p => (p.dataType === 'edge'
      ? ZS.esc(nameOf(p.data.source)) + (d.directed ? ' → ' : ' — ') + ZS.esc(nameOf(p.data.target)) + '<br>' + tr('权重', 'Weight') + ZS.colon() + fmtW(p.data.value)
      : '<b>' + ZS.esc(nameOf(p.name)) + '</b><br>' + tr('强度', 'Strength') + ZS.colon() + fmtW((byCode[p.name] || {}).strength || 0))},
    series: [{type: 'chord', data: chordData, links: chordLinks, center: ['50%', '52%'], radius: ['62%', '70%'], padAngle: 2, minAngle: 4,
      clockwise: true, lineStyle: {color: 'source', opacity: 0.35}, emphasis: {focus: 'adjacency', lineStyle: {opacity: 0.7}},
      label: {show: true, position: 'outside', formatter: p => (((byCode[p.name] || {}).strength || 0) >= 0.03 * topStrength ? nameOf(p.name) : ''), fontSize: 11, color: '#2b3447'}}],
  });

  // 3. year-by-year shares and concentration
  const T = d.trend || [];
  const trend = init('trend-chart');
  if (trend && T.length) {
    const series = [{name: tr('强度集中度 HHI', 'Strength HHI'), type: 'line', data: T.map(r => r.strength_hhi), itemStyle: {color: '#8a6fe0'}}];
    if (d.group && d.group.length) {
      series.unshift({name: tr('组内合作占比', 'Internal share'), type: 'line', data: T.map(r => r.internal_share), itemStyle: {color: GROUP}},
        {name: tr('输出占比', 'Output share'), type: 'line', data: T.map(r => r.external_output_share), itemStyle: {color: SECOND}});
    }
    trend.setOption({
      textStyle: {fontFamily: 'inherit'},
      grid: {left: 48, right: 20, top: 36, bottom: 28},
      legend: {top: 0},
      tooltip: {trigger: 'axis', valueFormatter: ZS.pct},
      xAxis: {type: 'category', data: T.map(r => String(r.year)), axisLabel: {color: '#4a5468'}},
      yAxis: {type: 'value', axisLabel: {formatter: v => Math.round(v * 100) + '%', color: '#8a93a6'}, splitLine: {lineStyle: {color: '#eef1f5'}}},
      series: series,
    });
  }
})();
