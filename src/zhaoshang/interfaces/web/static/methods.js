/* 方法与回测: the ROC curves and precision@k of the score and each baseline, one chart pair per backtest. */
(function () {
  if (!window.echarts) return;
  const colors = {score_hand: '#2f6fd6', score_learned: '#7b3fd0', total_raised: '#e0883e', months_since_round: '#3aa56b',
    founding_year: '#b0a030', random: '#9aa3b5', lead_score: '#2f6fd6', lead_score_compare: '#7b3fd0',
    baseline_funding: '#e0883e', baseline_random: '#9aa3b5'};
  const main = k => k.startsWith('score') || k.startsWith('lead_');
  const dashed = k => k === 'random' || k === 'baseline_random';
  document.querySelectorAll('.bt-roc').forEach(el => {
    const series = JSON.parse(el.dataset.series || '[]');
    const chart = echarts.init(el);
    if (window.ZS && window.ZS.onResize) window.ZS.onResize(chart);
    chart.setOption({
      title: {text: 'ROC', left: 'center', textStyle: {fontSize: 13}}, tooltip: {trigger: 'item'},
      legend: {bottom: 0, itemWidth: 14, textStyle: {fontSize: 11}}, grid: {left: 45, right: 20, top: 30, bottom: 80},
      xAxis: {type: 'value', min: 0, max: 1, name: 'FPR', nameLocation: 'middle', nameGap: 22},
      yAxis: {type: 'value', min: 0, max: 1, name: 'TPR'},
      series: series.map(s => ({name: s.name, type: 'line', showSymbol: false, data: s.data,
        lineStyle: {width: main(s.key) ? 3 : 1.5, type: dashed(s.key) ? 'dashed' : 'solid'},
        itemStyle: {color: colors[s.key]}})).concat([{name: 'y = x', type: 'line', data: [[0, 0], [1, 1]], showSymbol: false,
        lineStyle: {color: '#bbb', type: 'dotted'}, itemStyle: {color: '#bbb'}, silent: true}]),
    });
    el.dataset.ready = '1';
  });
  document.querySelectorAll('.bt-pk').forEach(el => {
    const series = JSON.parse(el.dataset.series || '[]');
    const ks = series.length ? series[0].data.map(d => 'k=' + d[0]) : [];
    const chart = echarts.init(el);
    if (window.ZS && window.ZS.onResize) window.ZS.onResize(chart);
    chart.setOption({
      title: {text: 'precision@k', left: 'center', textStyle: {fontSize: 13}}, tooltip: {trigger: 'axis'},
      legend: {bottom: 0, itemWidth: 14, textStyle: {fontSize: 11}}, grid: {left: 45, right: 20, top: 30, bottom: 80},
      xAxis: {type: 'category', data: ks}, yAxis: {type: 'value', min: 0, max: 1},
      series: series.map(s => ({name: s.name, type: 'bar', data: s.data.map(d => d[1]), itemStyle: {color: colors[s.key]}})),
    });
    el.dataset.ready = '1';
  });
})();
