/* 企业评估: the radar of the scorecard's dimensions. A dimension without data is no value, not 0: its axis name is
   greyed and says "no data", and the outline has a gap there — drawn as a line over polar coordinates laid on the
   radar (same centre and radius), which breaks at the missing value; a card with every dimension keeps the filled
   radar polygon. */
(function () {
  const el = document.getElementById('sc-radar');
  if (!window.echarts || !el) return;
  const dims = JSON.parse(el.dataset.dims || '[]'), scores = JSON.parse(el.dataset.scores || '[]');
  const miss = el.dataset.missingLabel || 'missing';
  const chart = echarts.init(el);
  if (window.ZS && window.ZS.onResize) window.ZS.onResize(chart);
  const total = document.getElementById('sc-total') ? document.getElementById('sc-total').textContent : '';
  const gaps = scores.some(s => s === null);
  const colour = '#2f6fd6', radius = '62%';
  const option = {
    tooltip: {},
    radar: {indicator: dims.map((d, i) => scores[i] === null ? {name: d + ZS.paren(miss), max: 100, color: '#a3a9b5'} : {name: d, max: 100}),
      radius: radius, axisName: {color: '#2b3447'}},
  };
  if (!gaps) {
    option.series = [{type: 'radar', areaStyle: {opacity: 0.25}, itemStyle: {color: colour},
      data: [{value: scores, name: total}]}];
  } else {
    // the radar's axes run anticlockwise from the top, evenly spaced: the same angles on a polar system; the
    // first point again at the end closes the outline ('-' breaks it: no line into or out of a missing axis)
    const step = 360 / dims.length;
    const point = (s, a) => [s === null ? '-' : s, a];
    const data = scores.map((s, i) => point(s, i * step)).concat([point(scores[0], 359.999)]);
    Object.assign(option, {
      animation: false,  // drawn at once: a line animates point by point, the closing edge last
      polar: {radius: radius},
      angleAxis: {type: 'value', min: 0, max: 360, startAngle: 90, clockwise: false, show: false},
      radiusAxis: {min: 0, max: 100, show: false},
      series: [{type: 'line', coordinateSystem: 'polar', name: total, data: data, connectNulls: false,
        symbolSize: 6, itemStyle: {color: colour}, lineStyle: {width: 2},
        tooltip: {formatter: p => dims[Math.round(p.value[1] / step) % dims.length] + ': ' + p.value[0]}}],
    });
  }
  chart.setOption(option);
  el.dataset.ready = '1';
})();
