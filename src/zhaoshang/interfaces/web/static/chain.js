/* 产业链图谱: region pickers, node selection and the region-vs-nation mix chart. */
(function () {
  const ZS = window.ZS, T = ZS.T;
  const input = document.getElementById('region-input');
  document.querySelectorAll('select[data-regsel]').forEach(sel => sel.addEventListener('change', () => {
    let code = sel.value;
    if (!code) {
      const order = ['province', 'city', 'district'];
      const i = order.indexOf(sel.dataset.regsel);
      for (let j = i - 1; j >= 0 && !code; j--) {
        const up = document.querySelector('select[data-regsel="' + order[j] + '"]');
        code = up ? up.value : '';
      }
    }
    input.value = code;
    document.getElementById('chain-form').submit();
  }));
  // a segment chosen: the address names it (?node=, which the page reads), so that a reload, the language switch and
  // a shared link open its enterprises again; the links follow (ZS.navFollow)
  document.querySelectorAll('[data-node][hx-get]').forEach(n => n.addEventListener('click', ev => {
    ev.stopPropagation();
    document.querySelectorAll('.node.sel, .sub.sel').forEach(x => x.classList.remove('sel'));
    n.classList.add('sel');
    const p = new URLSearchParams(location.search);
    p.set('node', n.dataset.node);
    history.replaceState(null, '', location.pathname + '?' + p.toString());
    ZS.navFollow();
  }));
  // the segment's enterprises, drawn below the chain (far below it in a narrow window): brought into view
  document.body.addEventListener('htmx:afterSwap', ev => {
    const cell = ev.detail.target;
    if (cell.id !== 'cell') return;
    const top = cell.getBoundingClientRect().top;
    if (top < 0 || top > window.innerHeight - 120) cell.scrollIntoView({block: 'start'});
  });
  const el = document.getElementById('mix-chart');  // none when the form could not take a value: nothing is drawn
  if (!window.echarts || !el) return;
  const data = JSON.parse(document.getElementById('tree-data').textContent);
  const nodes = [];
  data.forEach(s => (s.children || []).forEach(n => nodes.push(n)));
  el.style.height = Math.max(420, nodes.length * 26 + 60) + 'px';
  const chart = echarts.init(el);
  ZS.onResize(chart);
  const name = n => (ZS.lang === 'en' ? n.name_en : n.name_zh);
  chart.setOption({
    grid: {left: 8, right: 16, top: 30, bottom: 8, containLabel: true},
    legend: {top: 0, data: [T('region'), T('national')], textStyle: {color: '#4a5468'}},
    tooltip: {trigger: 'axis', axisPointer: {type: 'shadow'}, valueFormatter: ZS.pct},
    xAxis: {type: 'value', axisLabel: {formatter: v => Math.round(v * 100) + '%', color: '#6b7488'}, splitLine: {lineStyle: {color: '#eef0f4'}}},
    yAxis: {type: 'category', inverse: true, data: nodes.map(name), axisLabel: {color: '#2b3447', fontSize: 11, interval: 0}},
    series: [
      {name: T('region'), type: 'bar', data: nodes.map(n => ({value: ZS.hasRegion ? n.region_mix : n.national_mix, itemStyle: {color: ZS.hasRegion && n.status ? ZS.STATUS_COLORS[n.status] : '#2f6fed'}})), barGap: '10%', barMaxWidth: 12},
      {name: T('national'), type: 'bar', data: nodes.map(n => n.national_mix), itemStyle: {color: '#c4cbd8'}, barMaxWidth: 12},
    ],
  });
})();
