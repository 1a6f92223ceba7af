"""The web app by feature: each module here defines ``register(app, web)`` with one feature's pages and JSON
twins, and is loaded by ``create_app``. ``web`` (an ``interfaces.web.context.WebContext``) gives the shared
plumbing: ``web.get_store`` (per-request store dependency), ``web.page`` (renderer with the common layout),
``web.json`` (the JSON response class: the one encoder), ``web.cached(store, key, fn)`` (bounded, per data
generation), ``web.current_user`` (the user dependency), region helpers and ``web.clean`` ("" → None). Routes hold no SQL: they call services."""

from __future__ import annotations

import importlib
import pkgutil


def register_all(app, web) -> None:
    for mod in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{mod.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app, web)
