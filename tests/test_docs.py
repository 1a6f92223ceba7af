"""The docs keep up with the code: a command, import field, preset or benchmark that is not documented fails."""

from __future__ import annotations

from pathlib import Path

import typer

from zhaoshang.core.fields import KINDS
from zhaoshang.core.importers import list_presets
from zhaoshang.interfaces.cli import app

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _commands(typer_app: typer.Typer, prefix: str = "") -> list[str]:
    names = []
    for cmd in typer_app.registered_commands:
        names.append(prefix + (cmd.name or cmd.callback.__name__.replace("_cmd", "").replace("_", "-")))
    for group in typer_app.registered_groups:
        gname = group.name or group.typer_instance.info.name
        names.append(prefix + gname)
        names += _commands(group.typer_instance, prefix + gname + " ")
    return names


def test_every_command_is_documented():
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    commands = _commands(app)
    assert len(commands) >= 10
    missing = [c for c in commands if f"zhaoshang {c}" not in text]
    assert not missing, f"commands missing from docs/cli.md: {missing}"


def test_every_import_field_and_preset_is_documented():
    text = (DOCS / "data-formats.md").read_text(encoding="utf-8")
    for kind, fields in KINDS.items():
        assert f"### `{kind}`" in text, kind
        section = text.split(f"### `{kind}`", 1)[1].split("\n### ", 1)[0]
        missing = [f.name for f in fields if f"| `{f.name}` |" not in section]
        assert not missing, f"{kind}: fields missing from docs/data-formats.md: {missing}"
        for f in fields:
            for h in f.headers:
                assert h in section, f"{kind}.{f.name}: header {h} not documented"
    for name in list_presets():
        assert f"`{name}`" in text, f"preset {name} missing from docs/data-formats.md"
    cli = (DOCS / "cli.md").read_text(encoding="utf-8").split("## `zhaoshang presets`", 1)[1].split("\n## ", 1)[0]
    missing = [name for name in list_presets() if f"`{name}`" not in cli]
    assert not missing, f"presets missing from the list of `zhaoshang presets` in docs/cli.md: {missing}"


def test_every_benchmark_is_recorded():
    text = (DOCS / "benchmarks.md").read_text(encoding="utf-8")
    for script in sorted((ROOT / "bench").glob("bench_*.py")):
        assert f"bench/{script.name}" in text, f"{script.name} has no figures in docs/benchmarks.md"


def test_readme_shows_the_two_commands_and_a_screenshot():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make demo" in text and "make test" in text
    images = [line.split("(", 1)[1].rstrip(")") for line in text.splitlines() if line.startswith("![")]
    assert images and all((ROOT / p).exists() for p in images)


def test_every_method_section_has_content():
    text = (DOCS / "methods.md").read_text(encoding="utf-8")
    sections = text.split("\n## ")[1:]
    empty = [s.splitlines()[0] for s in sections if len(s.strip().splitlines()) < 3]
    assert not empty, f"empty sections in docs/methods.md: {empty}"


def test_every_rate_limited_route_is_named_in_the_security_docs():
    """docs/security.md lists the requests that take a token from the user's bucket (``web.expensive``): a route
    that does and is not named there (the scenario-matching exports were not) fails."""
    import re

    from fastapi.routing import APIRoute

    from zhaoshang.interfaces.web.app import create_app

    app = create_app(":memory:")
    limited = sorted({r.path for r in app.routes if isinstance(r, APIRoute)
                      and any(getattr(d.call, "__name__", "") == "expensive" for d in r.dependant.dependencies)})
    assert "/api/match/demands/export" in limited, limited
    section = re.search(r"\*\*Expensive requests are rate-limited per user\*\*(.*?)\n- \*\*", (DOCS / "security.md").read_text(
        encoding="utf-8"), re.S).group(1)
    assert [p for p in limited if f"`{p}`" not in section] == []


def test_reach_help_states_the_bounds_of_k_and_hops():
    from cli_util import run

    assert "路径条数（1–50）" in run("reach", "--help").stdout and "最多几跳（1–6）" in run("reach", "--help").stdout
    assert "Number of paths (1–50)" in run("--lang", "en", "reach", "--help").stdout
