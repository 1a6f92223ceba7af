/* 资本风向: amount and rounds by period, by segment, by region, and investor → segment flows.
   Data: window.ZS.trends (the same document as /api/trends). */
(function () {
  const ZS = window.ZS, d = ZS.trends, en = ZS.lang === 'en';
  const tr = (zh, e) => (en ? e : zh);

  // filters: province / city selects write the hidden region field and submit
  const form = document.getElementById('trends-form');
  const hidden = document.getElementById('f-region');
  const prov = document.getElementById('sel-province'), city = document.getElementById('sel-city');
  if (prov) prov.addEventListener('change', () => { hidden.value = prov.value; form.submit(); });
  if (city) city.addEventListener('change', () => { hidden.value = city.value || prov.value; form.submit(); });
  ['sel-node', 'sel-by'].forEach(id => { const s = document.getElementById(id); if (s) s.addEventListener('change', () => form.submit()); });

  if (!window.echarts || !d || !d.totals.rounds) return;
  const STAGE = {upstream: '#4f7fe0', midstream: '#8a6fe0', downstream: '#1f9d9d'};
  const STAGE_NAME = {upstream: tr('上游', 'Upstream'), midstream: tr('中游', 'Midstream'), downstream: tr('下游', 'Downstream')};
  // amounts in 亿元 in Chinese, in CNY million in English (a "hundred million" is no English unit), 2 decimals
  const yi = x => (en ? Math.round(x || 0) : Math.round((x || 0) / 100)) / 100;
  const UNIT = tr('亿元', 'CNY million');
  // a tooltip's exact amount: 万元 as stored in Chinese, CNY million in English
  const exact = wan => (en ? ZS.num(Math.round(wan) / 100) + ' CNY million' : ZS.num(Math.round(wan)) + ' 万元');
  // a bar's label: its amount with thousands grouped, the same decimals on every bar, the unit, and its rounds
  const DIGITS = en ? 1 : 2;
  const barLabel = (v, rounds) => Number(v).toLocaleString(en ? 'en-US' : 'zh-CN',
    {minimumFractionDigits: DIGITS, maximumFractionDigits: DIGITS}) + tr('亿', ' CNY million') + ' · ' + ZS.num(rounds) + tr('轮', ' rounds');
  // amounts the sources gave as ranges are summed at their estimates: then the sums are not called disclosed
  const EST = d.totals.estimated > 0;
  const AMOUNT = EST ? tr('金额（含估算）', 'Amount (estimates included)') : tr('披露金额', 'Disclosed');
  const AMOUNT_UNIT = EST ? tr('金额（亿元，含估算）', 'Amount (CNY million, estimates included)') : tr('披露金额（亿元）', 'Disclosed (CNY million)');
  // a row's amount with its estimated part apart, as the JSON gives them (estimated_wan)
  const amountOf = r => exact(r.amount_wan) + (r.estimated_wan > 0 ? ZS.paren(tr('其中按区间估算 ', 'estimated from ranges: ') + exact(r.estimated_wan)) : '');
  // the amount axis of the horizontal bars: the bars' value labels take much of the width (in English the longest), so
  // the axis keeps few ticks, written short (10K, not 10,000) in English, and ECharts hides a label that would touch
  // its neighbour (5,0000000000… where the ticks ran together)
  const compact = new Intl.NumberFormat(en ? 'en-US' : 'zh-CN', {notation: 'compact', maximumFractionDigits: 1});
  const AMOUNT_AXIS = {type: 'value', splitNumber: 3, splitLine: {lineStyle: {color: '#eef1f5'}},
    axisLabel: {color: '#8a93a6', fontSize: 10, hideOverlap: true, formatter: v => (en ? compact.format(v) : ZS.num(v))}};
  const nodeName = n => (en ? n.name_en : n.name_zh) || n.node;
  const base = {textStyle: {fontFamily: 'inherit'}, animationDuration: 400};
  function make(id, option) {
    const el = document.getElementById(id);
    if (!el) return null;
    const c = echarts.init(el, null, {renderer: 'canvas'});
    c.setOption(Object.assign({}, base, option));
    ZS.onResize(c);
    return c;
  }

  // 1. by period: disclosed amount (bars), rounds and undisclosed rounds (lines)
  const P = d.by_period;
  make('chart-period', {
    grid: {left: 56, right: 56, top: 40, bottom: 56},
    legend: {top: 0, data: [AMOUNT_UNIT, tr('融资轮次', 'Rounds'), tr('未披露轮次', 'Undisclosed rounds')]},
    tooltip: {trigger: 'axis', axisPointer: {type: 'shadow'}, formatter: ps => {
      const r = P[ps[0].dataIndex];
      return '<b>' + r.period + '</b><br>' + AMOUNT + ZS.colon() + amountOf(r) +
        '<br>' + tr('轮次', 'Rounds') + ZS.colon() + r.rounds + ZS.paren(tr('未披露 ', 'undisclosed ') + r.undisclosed) + '<br>' +
        tr('企业', 'Firms') + ZS.colon() + r.enterprises;
    }},
    dataZoom: P.length > 24 ? [{type: 'slider', height: 16, bottom: 8, startValue: Math.max(0, P.length - 24)}, {type: 'inside'}] : [],
    xAxis: {type: 'category', data: P.map(r => r.period), axisTick: {alignWithLabel: true}, axisLabel: {color: '#4a5468'}},
    yAxis: [{type: 'value', name: UNIT, splitLine: {lineStyle: {color: '#eef1f5'}}},
            {type: 'value', name: tr('轮', 'rounds'), minInterval: 1, splitLine: {show: false}}],
    series: [
      {name: AMOUNT_UNIT, type: 'bar', data: P.map(r => yi(r.amount_wan)), barMaxWidth: 22,
       itemStyle: {color: '#2f6fed', borderRadius: [3, 3, 0, 0]}},
      {name: tr('融资轮次', 'Rounds'), type: 'line', yAxisIndex: 1, data: P.map(r => r.rounds), symbolSize: 5,
       itemStyle: {color: '#e0703a'}, lineStyle: {width: 2}},
      {name: tr('未披露轮次', 'Undisclosed rounds'), type: 'line', yAxisIndex: 1, data: P.map(r => r.undisclosed), symbolSize: 4,
       itemStyle: {color: '#b0b8c6'}, lineStyle: {type: 'dashed', width: 1.5}},
    ],
  });

  // 2. by segment (top 16 by amount)
  const N = d.by_node.slice(0, 16).reverse();
  make('chart-node', {
    grid: {left: 8, right: en ? 175 : 130, top: 8, bottom: 8, containLabel: true},  // room for the longest bar's value label
    tooltip: {trigger: 'item', formatter: p => {
      const r = N[p.dataIndex];
      return '<b>' + r.node + ' ' + ZS.esc(nodeName(r)) + '</b><br>' + AMOUNT + ZS.colon() + amountOf(r) + '<br>' + tr('轮次', 'Rounds') + ZS.colon() + r.rounds + ZS.paren(tr('未披露 ', 'undisclosed ') + r.undisclosed) + '<br>' + tr('企业', 'Firms') + ZS.colon() + r.enterprises;
    }},
    xAxis: AMOUNT_AXIS,
    yAxis: {type: 'category', data: N.map(nodeName), axisTick: {show: false}, axisLabel: {color: '#2b3447', width: en ? 200 : 150, overflow: en ? 'break' : 'truncate', lineHeight: 13}},  // English names are longer: on two lines
    series: [{type: 'bar', data: N.map(r => ({value: yi(r.amount_wan), itemStyle: {color: STAGE[r.stage] || '#7aa2ee', borderRadius: [0, 3, 3, 0]}})),
      barMaxWidth: 16, label: {show: true, position: 'right', color: '#4a5468', fontSize: 11, formatter: p => barLabel(p.value, N[p.dataIndex].rounds)}}],
  });

  // 3. by region (top 15)
  const R = d.by_region.slice(0, 15).reverse();
  const rname = r => (en && r.name_en ? r.name_en : r.name) || r.region;
  make('chart-region', {
    grid: {left: 8, right: en ? 175 : 130, top: 8, bottom: 8, containLabel: true},  // room for the longest bar's value label
    tooltip: {trigger: 'item', formatter: p => {
      const r = R[p.dataIndex];
      return '<b>' + ZS.esc(rname(r)) + '</b> ' + r.region + '<br>' + AMOUNT + ZS.colon() + amountOf(r) + '<br>' + tr('轮次', 'Rounds') + ZS.colon() + r.rounds + '<br>' + tr('企业', 'Firms') + ZS.colon() + r.enterprises;
    }},
    xAxis: AMOUNT_AXIS,
    yAxis: {type: 'category', data: R.map(rname), axisTick: {show: false}, axisLabel: {color: '#2b3447'}},
    series: [{type: 'bar', data: R.map(r => yi(r.amount_wan)), barMaxWidth: 16,
      itemStyle: {color: new echarts.graphic.LinearGradient(0, 0, 1, 0, [{offset: 0, color: '#9dbbf5'}, {offset: 1, color: '#2f6fed'}]), borderRadius: [0, 3, 3, 0]},
      label: {show: true, position: 'right', color: '#4a5468', fontSize: 11, formatter: p => barLabel(p.value, R[p.dataIndex].rounds)}}],
  });

  // 4. investors → segments (sankey, rounds)
  const inv = d.investors.slice(0, 8);
  const nodesSeen = {}, data = [], links = [], invLabels = [], nodeLabels = [];
  inv.forEach((r, i) => {
    const key = 'i' + i;
    invLabels.push(r.name);
    data.push({name: key, label: {formatter: r.name, position: 'left'}, itemStyle: {color: r.type === 'government_fund' ? '#e0703a' : '#2f6fed'}, full: r.name});
    r.nodes.forEach(x => {
      if (!nodesSeen[x.node]) {
        nodesSeen[x.node] = true;
        const text = x.node + ' ' + ((en ? x.name_en : x.name_zh) || '');
        nodeLabels.push(text);
        data.push({name: x.node, label: {formatter: text}, itemStyle: {color: '#8fa3c4'}, full: (en ? x.name_en : x.name_zh)});
      }
      links.push({source: key, target: x.node, value: x.rounds, amount: x.amount_wan});
    });
  });
  const flowEl = document.getElementById('chart-flow');
  if (links.length && flowEl) {
    // each side's labels get the width of its longest label (an investor's legal name, a segment's English name), up
    // to a third of the chart: the names are whole (北京市人工智能产业投资… and D07 Smart manufacturing and i… were cut
    // at 12 characters and at 180 px); a name longer than its third is cut at the width, whole in the tooltip
    // (measured as ECharts measures the labels it draws: their font, its text measure)
    const FONT = 11, font = 'normal normal ' + FONT + 'px ' + base.textStyle.fontFamily;
    const width = t => echarts.format.getTextRect(t, font).width;
    const room = labels => Math.ceil(Math.min(flowEl.clientWidth / 3, Math.max(0, ...labels.map(width)) + 16));
    const left = room(invLabels), right = room(nodeLabels);
    make('chart-flow', {
      tooltip: {trigger: 'item', formatter: p => p.dataType === 'edge'
        ? ZS.esc(inv[+p.data.source.slice(1)].name) + ' → ' + p.data.target + '<br>' + tr('轮次', 'Rounds') + ZS.colon() + p.data.value + '<br>' + AMOUNT + ZS.colon() + exact(p.data.amount)
        : ZS.esc(p.data.full || p.name)},
      series: [{type: 'sankey', left: left, right: right, top: 10, bottom: 10, nodeWidth: 12, nodeGap: 8, data: data, links: links,
        emphasis: {focus: 'adjacency'}, lineStyle: {color: 'source', opacity: 0.28, curveness: 0.5},
        label: {color: '#2b3447', fontSize: FONT, overflow: 'truncate'},
        levels: [{depth: 0, label: {width: left - 10}}, {depth: 1, label: {width: right - 10}}]}],
    });
  }
})();
