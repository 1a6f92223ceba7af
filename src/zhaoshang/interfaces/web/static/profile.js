/* 企业画像: a map pin at the enterprise's location (address, else its district / city / province centre). */
(function () {
  const el = document.getElementById('pin-map');
  if (!window.echarts || !el) return;
  const lng = parseFloat(el.dataset.lng), lat = parseFloat(el.dataset.lat);
  const prov = el.dataset.province || '100000';
  const chart = echarts.init(el);
  window.ZS.onResize(chart);
  const en = window.ZS.lang === 'en';
  const draw = async code => {
    const g = await window.ZS.getJSON('/api/geo/' + code + '?lang=' + window.ZS.lang);
    // the boundary file names its regions in Chinese: in English, their names from the region service
    const names = en ? Object.fromEntries((await window.ZS.getJSON('/api/regions' + (code === '100000' ? '' : '?parent=' + code)))
      .map(r => [r.code, r.name_en])) : {};
    echarts.registerMap('pin-' + code, g);
    chart.setOption({
      geo: {map: 'pin-' + code, roam: true, itemStyle: {areaColor: '#f1f4f9', borderColor: '#9fb0cc'}, emphasis: {disabled: true},
        label: {show: false}},
      // region names as labels of invisible points, so that a label overlapping another (the small central
      // districts of a city) is hidden; the pin's label, on the larger symbol, goes first
      series: [{type: 'scatter', coordinateSystem: 'geo', silent: true, symbolSize: 1, itemStyle: {color: 'rgba(0,0,0,0)'},
        data: g.features.filter(f => f.properties.cp).map(f => ({name: names[f.properties.name] || f.properties.label || '', value: f.properties.cp})),
        label: {show: true, formatter: '{b}', position: 'inside', color: '#8a93a6', fontSize: 10}, labelLayout: {hideOverlap: true}}]
        .concat(isNaN(lng) ? [] : [{type: 'effectScatter', coordinateSystem: 'geo', data: [[lng, lat]], symbolSize: 12, z: 3,
          itemStyle: {color: '#e0483e'}, rippleEffect: {scale: 3}, labelLayout: {hideOverlap: true},
          label: {show: true, formatter: el.dataset.name, position: 'right', color: '#2b3447', backgroundColor: 'rgba(255,255,255,0.85)', padding: [1, 3]}}]),
    });
    el.dataset.ready = '1';
  };
  draw(prov).catch(() => draw('100000').catch(e => console.warn(e.message)));
})();
