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
  // state-changing requests made from scripts carry the CSRF token
  ZS.post = (url, body) => fetch(url, {method: 'POST', body: body,
    headers: {'X-CSRF-Token': ZS.csrf || '', Accept: 'application/json'}});
})();
