"""Command-line interface: ``zhaoshang``. Every command module in this package registers itself on ``app``."""

from __future__ import annotations

import importlib
import pkgutil
import sys

from ...core.errors import UserError
from .app import app, state


def _load_commands() -> None:
    for mod in pkgutil.iter_modules(__path__):
        if mod.name != "app":
            importlib.import_module(f"{__name__}.{mod.name}")


_load_commands()


def main(argv: list[str] | None = None) -> None:
    """Console entry point: user errors become one line on stderr and exit code 2, never a traceback.

    Usage errors (unknown option, missing argument) are reported by the CLI framework itself in standalone
    mode, also with exit code 2.
    """
    try:
        app(args=argv, prog_name="zhaoshang")
    except UserError as exc:
        sys.stderr.write(f"错误: {exc}\n" if state.lang != "en" else f"error: {exc}\n")
        sys.exit(2)
    except KeyboardInterrupt:
        sys.stderr.write("已中断\n")
        sys.exit(130)
