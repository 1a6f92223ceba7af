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

    Usage errors (unknown option, missing argument) are shown by the CLI framework, also with exit code 2.
    Called in-process with ``argv``, a successful command simply returns. Help texts are English under
    ``--lang en`` or ZHAOSHANG_LANG=en (``helptext``).
    """
    import typer

    from .helptext import argv_lang, to_english

    command = typer.main.get_command(app)
    if argv_lang(sys.argv[1:] if argv is None else argv) == "en":
        to_english(command)  # before parsing: --help is eager
    try:
        rc = command(args=argv, standalone_mode=False, prog_name="zhaoshang")
    except UserError as exc:
        sys.stderr.write(f"错误: {exc}\n" if state.lang != "en" else f"error: {exc.in_lang('en')}\n")
        sys.exit(2)
    except KeyboardInterrupt:
        sys.stderr.write("已中断\n" if state.lang != "en" else "interrupted\n")
        sys.exit(130)
    except Exception as exc:
        # the framework's own usage errors (it vendors its option parser, so match by behaviour)
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):
            exc.show()
            sys.exit(exc.exit_code)
        if type(exc).__name__ == "Abort":
            sys.exit(1)
        raise
    if isinstance(rc, int) and rc:
        sys.exit(rc)
