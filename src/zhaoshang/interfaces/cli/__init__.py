"""Command-line interface: ``zhaoshang``. Every command module in this package registers itself on ``app``.

A command line loads only the module of the command it names; help, an unknown name or ``app`` read from this
package load them all. A service that loads a heavy library (numpy, pyarrow, igraph, scipy, jieba …) is imported
in the body of the commands that run it, not at the top of their module: those libraries load for the commands
that use them, not for the help that lists every command (tests/test_cli_output.py checks). The team state's tables are declared in core/teamstate/tables.py, so a command
that opens it still imports only its own module.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import sys
from pathlib import Path

from ...core.errors import UserError
from .app import state

globals().pop("app", None)  # the Typer app, not its module: read through __getattr__, every command loaded
_loaded: set[str] = set()
_COMMANDS = re.compile(r'^@app\.command\((?:"([^"]+)")?[^)]*\)\s*\ndef (\w+)', re.M)
_GROUPS = re.compile(r'^app\.add_typer\((\w+), name="([^"]+)"\)', re.M)
_BORROWS = re.compile(r'^from \.(\w+) import ([^\n]+)', re.M)  # another module's group, to add commands to


def _modules() -> list[str]:
    return [m.name for m in pkgutil.iter_modules(__path__) if m.name != "app"]


def _load_commands(only: str | None = None) -> None:
    """Import the command modules (all, or the one defining the command ``only``)."""
    names = _modules()
    if only is not None:
        names = [n for n in names if only in _defined(n)] or names
    for name in names:
        if name not in _loaded:
            importlib.import_module(f"{__name__}.{name}")
            _loaded.add(name)


def _defined(module: str) -> set[str]:
    """The top-level commands and groups a command module defines or adds commands to, read from its source (as
    the CLI framework names them)."""
    def source(name: str) -> str:
        return (Path(__file__).parent / f"{name}.py").read_text(encoding="utf-8")

    text = source(module)
    names = {m[0] or m[1].lower().replace("_", "-") for m in _COMMANDS.findall(text)}
    names |= {g for _, g in _GROUPS.findall(text)}
    for other, imported in _BORROWS.findall(text):
        if other != "app":
            groups = dict(_GROUPS.findall(source(other)))
            names |= {groups[v.strip()] for v in imported.strip("()").split(",") if v.strip() in groups}
    return names


def __getattr__(name: str):
    if name == "app":
        _load_commands()
        return sys.modules[f"{__name__}.app"].app
    raise AttributeError(name)


def main(argv: list[str] | None = None) -> None:
    """Console entry point: user errors become one line on stderr and exit code 2, never a traceback.

    Usage errors (unknown option, missing argument) also exit with code 2, in the user's language (``usage``).
    The global options are accepted before and after the command (``helptext.globals_first``).
    Called in-process with ``argv``, a successful command simply returns. Help texts are English under
    ``--lang en`` or ZHAOSHANG_LANG=en (``helptext``).
    """
    if argv is None:  # the command's own process (the console script), not a caller running it in its process
        _leave_out_pandas()
    import typer

    from .helptext import argv_lang, command_words, globals_first, help_frame, shows_help, to_english

    args = globals_first(sys.argv[1:] if argv is None else list(argv))
    name = next(iter(command_words(args)), None)
    _load_commands(name) if name else _load_commands()
    command = typer.main.get_command(sys.modules[f"{__name__}.app"].app)
    if shows_help(command, args):  # before parsing: --help is eager
        help_frame(command, argv_lang(args))
        if argv_lang(args) == "en":
            to_english(command)
    from ...core.geo.readings import readings

    with readings() as said:
        try:
            rc = command(args=args, standalone_mode=False, prog_name="zhaoshang")
        except UserError as exc:
            _say(said)  # the region a name was read as, before the error about it (朝阳 读作 辽宁省朝阳市 …)
            sys.stderr.write(f"错误: {exc}\n" if state.lang != "en" else f"error: {exc.in_lang('en')}\n")
            sys.exit(2)
        except KeyboardInterrupt:
            sys.stderr.write("已中断\n" if state.lang != "en" else "interrupted\n")
            sys.exit(130)
        except Exception as exc:
            from . import usage

            if usage.is_usage_error(exc):  # the framework's own: read before the language option was applied
                usage.show(exc, argv_lang(args))
                sys.exit(exc.exit_code)
            if type(exc).__name__ == "Abort":
                sys.exit(1)
            _say(said)
            raise
    _say(said)
    if isinstance(rc, int) and rc:
        sys.exit(rc)


def _say(said: dict[str, tuple[str, str]]) -> None:
    """The notes of region names the level rule read while other regions share them, on stderr (in every format:
    stdout stays the answer), once, in the CLI's language."""
    for zh, en in said.values():
        sys.stderr.write(f"注意：{zh}\n" if state.lang != "en" else f"note: {en}\n")
    said.clear()


class _PandasLeftOut:
    """Mark pandas absent in a command's process (``main``). Zhaoshang never uses it, but it is installed (cpca, the
    source of the region table, depends on it) and pyarrow imports it the first time it builds an array in a process
    when it can: about 0.3 s of CPU, half a second on a busy machine, in every import, classification, demo build,
    new database and served first page, for nothing. pyarrow works without pandas (one of its optional libraries):
    this import finder, first on ``sys.meta_path``, answers an import of pandas as Python does where it is not
    installed. A process that has already imported pandas keeps it."""

    @staticmethod
    def find_spec(name: str, path=None, target=None):
        if name == "pandas":
            raise ModuleNotFoundError("zhaoshang's commands do not use pandas", name=name)
        return None


def _leave_out_pandas() -> None:
    if "pandas" not in sys.modules and _PandasLeftOut not in sys.meta_path:
        sys.meta_path.insert(0, _PandasLeftOut)
