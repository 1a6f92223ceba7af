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
    """Console entry point: user errors become one line on stderr and exit code 2, never a traceback."""
    try:
        rc = app(args=argv, standalone_mode=False)
        if isinstance(rc, int) and rc:
            sys.exit(rc)
    except UserError as exc:
        sys.stderr.write(f"错误: {exc}\n" if state.lang != "en" else f"error: {exc}\n")
        sys.exit(2)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.stderr.write("已中断\n")
        sys.exit(130)
    except Exception as exc:  # click usage errors and friends
        import click

        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if isinstance(exc, click.exceptions.Abort):
            sys.exit(1)
        raise
