"""Security headers on every response, and the API documentation served from the package (no CDN).

The Content-Security-Policy allows scripts only from this site (no inline script, no eval): page data
travels in ``<script type="application/json">`` blocks that ``static/boot.js`` reads. Pages may not be
framed; responses are not MIME-sniffed; the referrer never leaves the site; over HTTPS, HSTS. Responses other
than static assets are not stored by caches (they may carry personal data).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
       "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
VENDOR = Path(__file__).parent / "static" / "vendor" / "swagger-ui"


def install_security_headers(app: FastAPI) -> None:
    """Add the headers to every response (installed last, so it wraps the auth middleware's refusals too)."""

    @app.middleware("http")
    async def _security_headers(request: Request, call_next):
        response = await call_next(request)
        for k, v in HEADERS.items():
            response.headers.setdefault(k, v)
        if request.url.scheme == "https":
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def register_docs(app: FastAPI) -> None:
    """/docs: Swagger UI from the npm package swagger-ui-dist, copied into static/vendor by make setup."""

    @app.get("/docs", include_in_schema=False)
    def docs_page():
        if not (VENDOR / "swagger-ui-bundle.js").exists():
            return HTMLResponse("<!doctype html><meta charset=utf-8><title>API</title>"
                                "<p>API 文档的前端资源未安装：运行 make setup-web。OpenAPI: <a href=/openapi.json>/openapi.json</a>",
                                status_code=200)
        return HTMLResponse(
            "<!doctype html><html lang=zh-CN><head><meta charset=utf-8><title>招商图谱 Zhaoshang API</title>"
            '<link rel=stylesheet href="/static/vendor/swagger-ui/swagger-ui.css"><link rel=icon href="data:,"></head>'
            '<body><div id="swagger-ui"></div>'
            '<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>'
            '<script src="/static/docs-init.js"></script></body></html>')
