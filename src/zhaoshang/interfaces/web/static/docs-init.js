/* Swagger UI for /docs, from the packaged swagger-ui-dist (no CDN, no inline script). */
window.addEventListener('DOMContentLoaded', function () {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json', dom_id: '#swagger-ui', validatorUrl: null, deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis], layout: 'BaseLayout'
  });
});
