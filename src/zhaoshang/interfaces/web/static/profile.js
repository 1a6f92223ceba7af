/* 企业画像: a map pin at the enterprise's location (address, else its district / city / province centre). */
(function () {
  const el = document.getElementById('pin-map');
  if (!window.echarts || !el) return;
  const lng = parseFloat(el.dataset.lng), lat = parseFloat(el.dataset.lat);
  const prov = el.dataset.province || '100000';
  const chart = echarts.init(el);
  window.ZS.onResize(chart);
  const draw = async code => {
    const g = await window.ZS.getJSON('/api/geo/' + code);
    echarts.registerMap('pin-' + code, g);
    chart.setOption({
      geo: {map: 'pin-' + code, roam: true, itemStyle: {areaColor: '#f1f4f9', borderColor: '#9fb0cc'}, emphasis: {disabled: true},
        label: {show: true, color: '#8a93a6', fontSize: 10, formatter: p => ((g.features.find(f => f.properties.name === p.name) || {}).properties || {}).label || ''}},
      series: isNaN(lng) ? [] : [{type: 'effectScatter', coordinateSystem: 'geo', data: [[lng, lat]], symbolSize: 12,
        itemStyle: {color: '#e0483e'}, rippleEffect: {scale: 3}, label: {show: true, formatter: el.dataset.name, position: 'right', color: '#2b3447'}}],
    });
    el.dataset.ready = '1';
  };
  draw(prov).catch(() => draw('100000').catch(e => console.warn(e.message)));
})();
