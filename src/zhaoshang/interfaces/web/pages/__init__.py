"""Feature pages beyond the core four: each module here defines ``register(app, web)`` and is loaded by
``create_app``. ``web`` (a ``WebContext``) gives the shared plumbing: a per-request store dependency, the
page renderer with the common layout, the JSON response class, a cache and region helpers."""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from typing import Any, Callable


@dataclass
class WebContext:
    get_store: Callable[..., Any]   # FastAPI dependency yielding a Store (one cursor per request)
    page: Callable[..., Any]        # page(request, template_name, context, status_code=200)
    json: type                      # response class for JSON twins (fast, dates as ISO)
    cached: Callable[..., Any]      # cached(key_tuple, builder)
    region_info: Callable[..., Any]  # region_info(store, code) -> dict (404 when unknown)
    breadcrumb: Callable[..., Any]   # breadcrumb(store, code) -> list of regions, top first
    lang_of: Callable[..., Any]      # lang_of(request) -> "zh" | "en"
    clean: Callable[[Any], Any]      # "" → None


def register_all(app, web: WebContext) -> None:
    for mod in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{mod.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app, web)
