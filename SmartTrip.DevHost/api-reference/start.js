// The development host's API reference: Swagger UI (npm swagger-ui-dist, copied next to the host at build) over the
// document this same host serves, so "Try it out" calls this host.
window.addEventListener('load', () => {
  window.reference = window.SwaggerUIBundle({
    url: '/api/openapi.json',
    dom_id: '#reference',
    deepLinking: true,
    tryItOutEnabled: false,
  });
});
