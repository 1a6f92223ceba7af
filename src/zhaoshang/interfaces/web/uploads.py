"""Uploads (multipart/form-data) never sit whole in memory: the body streams to a temporary file under a size
limit (over it: 413, at once when Content-Length says so), the form's ``csrf_token`` is picked out on the way
(file parts are only counted, not kept), and the application then reads the body back from the file in chunks.
Any other request body (JSON, YAML, a plain form) is counted the same way and capped at 8 MB before the
application sees it.

An ASGI middleware outside the access middleware (``auth.py``), which takes the CSRF token from
``scope["zhaoshang.form_csrf"]`` instead of reading the body. docs/security.md, "Limits".
"""

from __future__ import annotations

import os
import tempfile

import python_multipart as multipart
from python_multipart.multipart import parse_options_header

from ...core.errors import UserError

MAX_UPLOAD_MB = 512  # a file the data officer may upload (ZHAOSHANG_MAX_UPLOAD_MB changes it)
FORM_SLACK = 1 << 20  # the request may exceed the file by this much: the form's other fields
MAX_OTHER = 8 << 20  # any other request body (JSON, YAML, a plain form) is held in memory, so it is capped lower
CHUNK = 1 << 20
CSRF_KEY = "zhaoshang.form_csrf"
_MEMORY = 1 << 20  # a body up to this size stays in memory; a larger one goes to disk


class _CsrfField:
    """Feeds on the body as it streams by and keeps only the value of the field ``csrf_token``."""

    def __init__(self, boundary: bytes):
        self.value, self.name, self.found = bytearray(), None, None
        self.headers: dict[bytes, bytes] = {}
        self.parser = multipart.MultipartParser(boundary, {
            "on_part_begin": self._begin, "on_header_field": self._field, "on_header_value": self._hvalue,
            "on_header_end": self._hend, "on_headers_finished": self._headers, "on_part_data": self._data,
            "on_part_end": self._end})
        self._field_name, self._field_value = bytearray(), bytearray()

    def _begin(self) -> None:
        self.headers, self.name, self.value = {}, None, bytearray()

    def _field(self, data: bytes, start: int, end: int) -> None:
        self._field_name += data[start:end]

    def _hvalue(self, data: bytes, start: int, end: int) -> None:
        self._field_value += data[start:end]

    def _hend(self) -> None:
        self.headers[bytes(self._field_name).lower()] = bytes(self._field_value)
        self._field_name, self._field_value = bytearray(), bytearray()

    def _headers(self) -> None:
        _, options = parse_options_header(self.headers.get(b"content-disposition", b""))
        self.name = None if b"filename" in options else options.get(b"name")

    def _data(self, data: bytes, start: int, end: int) -> None:
        if self.name == b"csrf_token" and len(self.value) < 256:
            self.value += data[start:end]

    def _end(self) -> None:
        if self.name == b"csrf_token" and self.found is None:
            self.found = self.value.decode("utf-8", "replace")

    def write(self, chunk: bytes) -> None:
        self.parser.write(chunk)


def max_upload() -> int:
    """The largest file an upload may carry, in bytes (``ZHAOSHANG_MAX_UPLOAD_MB``, default 512)."""
    value = os.environ.get("ZHAOSHANG_MAX_UPLOAD_MB", "")
    return (int(value) if value.isdigit() and int(value) > 0 else MAX_UPLOAD_MB) * 2**20


class SpoolUploads:
    """ASGI middleware: every request body is counted as it arrives and refused over its limit (413); a
    multipart body goes to a temporary file (at most ``limit`` bytes), any other body stays in memory (at most
    ``MAX_OTHER``); the application reads it back from there."""

    def __init__(self, app, limit: int | None = None, other: int = MAX_OTHER, who=None, is_api=None):
        """``who(auth, request)``: (user, CSRF token, session) of a request, and ``is_api(path)``: whether a path is
        the API's — the access layer's own (web/auth.py hands them over), for a refusal drawn before it runs."""
        self.app, self.other = app, other
        self.who, self.is_api = who, is_api
        self.limit = limit if limit is not None else max_upload() + FORM_SLACK

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            return await self.app(scope, receive, send)
        headers = {k.lower(): v for k, v in scope.get("headers") or []}
        ctype, options = parse_options_header(headers.get(b"content-type", b""))
        upload = ctype == b"multipart/form-data"
        limit = self.limit if upload else self.other
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            return await self._refuse(scope, receive, send, limit, upload)
        spool = tempfile.SpooledTemporaryFile(max_size=_MEMORY if upload else limit + 1, prefix="zhaoshang-body-")
        csrf = _CsrfField(options[b"boundary"]) if upload and options.get(b"boundary") else None
        size = 0
        try:
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > limit:
                    return await self._refuse(scope, receive, send, limit, upload)
                spool.write(chunk)
                if csrf is not None:
                    try:
                        csrf.write(chunk)
                    except Exception:  # a malformed body carries no token: refused later with 403, never a 500
                        csrf = None
                if not message.get("more_body"):
                    break
            spool.seek(0)
            if upload:
                scope = {**scope, CSRF_KEY: csrf.found if csrf is not None else None}
            done = False

            async def replay():
                nonlocal done
                if done:
                    return await receive()  # after the body: wait for the disconnect
                chunk = spool.read(CHUNK)
                done = spool.tell() >= size
                return {"type": "http.request", "body": chunk, "more_body": not done}

            await self.app(scope, replay, send)
        finally:
            spool.close()

    async def _refuse(self, scope, receive, send, limit: int, upload: bool) -> None:
        """413 as every other error of the request is answered, by the application's one error reply
        (``app.state.error_reply``), in the request's language (``?lang``, the ``lang`` cookie, Accept-Language): on
        an /api/ path or with a token, JSON (``error`` beside ``error_zh`` and ``error_en``); a page's form (the 数据更新
        page's upload, posted to /updates) gets the error page, drawn for the user the request comes from (this
        refusal comes before the access middleware has said who that is)."""
        from starlette.concurrency import run_in_threadpool
        from starlette.requests import Request

        mb = (limit - FORM_SLACK if upload else limit) // 2**20
        exc = (UserError(f"上传内容超过 {mb} MB", f"upload larger than {mb} MB") if upload
               else UserError(f"请求内容超过 {mb} MB", f"request body larger than {mb} MB"))
        request = Request(scope)
        # without the access layer (an app that installs this alone) every refusal is the API's JSON
        api = self.is_api is None or self.is_api(request.url.path) or bool(request.headers.get("authorization"))
        auth = getattr(scope["app"].state, "auth", None)
        if not api and auth is not None and self.who is not None:
            user, csrf, _ = await run_in_threadpool(self.who, auth, request)
            request.state.user = user
            if csrf:
                request.state.csrf = csrf
        response = scope["app"].state.error_reply(request, exc, 413, api=api)
        response.headers["connection"] = "close"  # the rest of the body is not read
        await response(scope, receive, send)


def discard_upload(path: str) -> None:
    """Remove a saved upload and the directory made for it."""
    for remove, target in ((os.unlink, path), (os.rmdir, os.path.dirname(path))):
        try:
            remove(target)
        except OSError:
            pass
