/* 企业评估: the radar of the scorecard's dimensions (dimensions without data drawn at 0 and named "no data"). */
(function () {
  const el = document.getElementById('sc-radar');
  if (!window.echarts || !el) return;
  const dims = JSON.parse(el.dataset.dims || '[]'), scores = JSON.parse(el.dataset.scores || '[]');
  const miss = el.dataset.missingLabel || 'missing';
  const chart = echarts.init(el);
  if (window.ZS && window.ZS.onResize) window.ZS.onResize(chart);
  chart.setOption({
    tooltip: {},
    radar: {indicator: dims.map((d, i) => ({name: scores[i] === null ? d + ZS.paren(miss) : d, max: 100})),
      radius: '62%', axisName: {color: '#2b3447'}},
    series: [{type: 'radar', areaStyle: {opacity: 0.25}, itemStyle: {color: '#2f6fd6'},
      data: [{value: scores.map(s => s === null ? 0 : s), name: document.getElementById('sc-total') ? document.getElementById('sc-total').textContent : ''}]}],
  });
  el.dataset.ready = '1';
})();
