/* Page data without inline script (the Content-Security-Policy forbids it): JSON blocks become window.ZS.
   #zs-boot carries the language, the synthetic flag and the CSRF token; each <script type="application/json"
   data-zs="KEY"> becomes ZS[KEY]. Included after the data blocks of a page; running it twice is harmless. */
(function () {
  const ZS = window.ZS = window.ZS || {};
  const boot = document.getElementById('zs-boot');
  if (boot) Object.assign(ZS, JSON.parse(boot.textContent));
  document.querySelectorAll('script[type="application/json"][data-zs]').forEach(el => {
    ZS[el.dataset.zs] = JSON.parse(el.textContent);
  });
  // THE link to an enterprise's profile in a script, as the templates' enterprise_href (core/explain.py) draws it:
  // /enterprises/ID, ?as_of=D under an as-of — by default the page's (#zs-boot link_as_of, the day the server read)
  ZS.entHref = (id, asOf) => {
    const day = asOf === undefined ? ZS.link_as_of : asOf;
    return '/enterprises/' + encodeURIComponent(id) + (day ? '?as_of=' + encodeURIComponent(day) : '');
  };
  // a page that moves its view in place (the map's drill-down, segment and date box, the chain's segment), once it has
  // put the view in the address, keeps its links in step: the sidebar's (each link's parameters that its page reads,
  // #zs-boot nav_keeps, context.NAV_KEEPS), the language switch's (the address with the other language, as the server
  // draws them) and, given ``twin``, the JSON twin's (the request the view was drawn from)
  ZS.navFollow = twin => {
    const here = new URLSearchParams(location.search);
    document.querySelectorAll('nav a').forEach(a => {
      const u = new URL(a.href);
      ((ZS.nav_keeps || {})[u.pathname] || []).forEach(k => (here.get(k) ? u.searchParams.set(k, here.get(k)) : u.searchParams.delete(k)));
      a.setAttribute('href', u.pathname + u.search);
    });
    document.querySelectorAll('#lang-switch a').forEach(a => {
      const p = new URLSearchParams(location.search);
      p.set('lang', new URL(a.href).searchParams.get('lang'));
      a.setAttribute('href', location.pathname + '?' + p.toString());
    });
    const link = document.getElementById('json-twin');
    if (twin && link) link.setAttribute('href', twin);
  };
  // state-changing requests made from scripts carry the CSRF token
  ZS.post = (url, body) => fetch(url, {method: 'POST', body: body,
    headers: {'X-CSRF-Token': ZS.csrf || '', Accept: 'application/json'}});
})();
