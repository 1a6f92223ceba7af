"""Shared fixtures. Real public data is read from ../shared/data and tests skip cleanly without it."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("ZHAOSHANG_SHARED_DATA", ROOT.parent / "shared" / "data"))


def pytest_configure(config):
    """Byte-compile the package once before the run: the suite starts the ``zhaoshang`` command hundreds of
    times, and with bytecode writing off (``PYTHONDONTWRITEBYTECODE``) each start compiled every module again."""
    if not hasattr(config, "workerinput"):
        import compileall

        compileall.compile_dir(ROOT / "src", quiet=1)


# The files that take longest (measured with --durations on 2026-12-05, three workers), slowest first. ``make test``
# hands whole files to the workers in collection order (--dist loadfile --no-loadscope-reorder): starting with these,
# the workers finish together instead of one waiting on a long file picked up last (the two browser files at the end
# of the alphabet made a tail of about 40 s). Other files follow in their usual order.
SLOW_FIRST = ("test_report", "test_serve_updates", "test_matching", "test_demo", "test_demo_default",
              "test_import_integrity", "test_distributed_matrix", "test_openapi_fuzz", "test_web_browser", "test_graph_web", "test_leads",
              "test_pipeline_web", "test_region_report_real", "test_web_auth_browser", "test_region_page", "test_asof",
              "test_import_real", "test_scoreweb_browser", "test_import_errors", "test_region_rank", "test_leads_web",
              "test_pipeline_cli", "test_classify", "test_search", "test_asof_undated", "test_chain_cases",
              "test_node_vocabulary", "test_pages_trends_network", "test_alerts_web", "test_access", "test_cli_warm",
              "test_clean_exit", "test_graph", "test_founded_precision", "test_web_hardening", "test_show_sections",
              "test_profile_sources", "test_cli_lang", "test_china_today", "test_enterprise_timeline",
              "test_alerts_delivery")


def pytest_collection_finish(session):
    """The collected modules and their imports kept out of the cyclic collector's passes, and its youngest
    generation collected after 20,000 allocations instead of 700: a test process holds a large heap (schemathesis,
    Playwright, the app), which every older-generation pass walked again — about 7 % of a test process's CPU, half of
    it saved (docs/benchmarks.md, "The test processes' garbage collector"). Nothing a test checks depends on when the
    collector runs: what a command opens it closes itself."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 10, 10)


def pytest_collection_modifyitems(config, items):
    rank = {name: i for i, name in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.stem, len(rank)))  # stable: a file's tests keep their order


# cells that mean "no value" as exports write them (docs/data-formats.md, "Cells that hold no value"): each case
# and width the parsers and the importer's SQL must read alike
PLACEHOLDER_CELLS = ("", "-", "--", "—", "——", "–", "/", "N/A", "n/a", "#N/A", "NA", "nan", "NaN", "NaT", "None",
                     "NULL", "null", "未知", "不详", "－", "／", "ＮＵＬＬ", " — ")


def shared_file(rel: str) -> Path:
    """Path of a file in ../shared/data, or skip the test when it is absent."""
    p = SHARED / rel
    if not p.exists():
        pytest.skip(f"shared data not available: {rel}")
    return p


@pytest.fixture
def shared():
    return shared_file


def gold_of_labeller(tmp_path: Path, labeller: str = "L1") -> Path:
    """The chain gold file cut to one labeller's rows: published figures are checked on the rows they were measured on."""
    import csv

    with open(ROOT / "data" / "gold" / "chain_gold.csv", encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["labeller"] == labeller]
    out = tmp_path / f"chain_gold_{labeller}.csv"
    with open(out, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return out


@contextmanager
def light_password_hashes():
    """Argon2 at its lowest cost while the block runs: tests that sign in or refuse guesses dozens of times (a fifth
    of a second of CPU each at the shipped cost) check who gets in, who is refused or throttled — nothing that
    depends on the cost. The shipped cost is checked in ``test_team_state.py::test_users_passwords_roles``."""
    from argon2 import PasswordHasher

    from zhaoshang.services.team import accounts

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        accounts._dummy.cache_clear()  # the unknown-name hash is made with the hasher in use
        try:
            yield
        finally:
            accounts._dummy.cache_clear()


@pytest.fixture(scope="session")
def postgres_url():
    """A real PostgreSQL server started for this test session (Debian's binaries); skips when absent."""
    from pg_util import postgres_server

    with postgres_server() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def team_url(request, tmp_path):
    """The URL of an empty team state on each backend: a SQLite file, and a fresh schema on PostgreSQL."""
    if request.param == "sqlite":
        return str(tmp_path / "team.sqlite")
    from pg_util import fresh_schema

    return fresh_schema(request.getfixturevalue("postgres_url"))


DEMO_SCALE = "600"


@pytest.fixture(scope="session", autouse=True)
def _built_once_folder(tmp_path_factory):
    """Databases built once per run and copied (tests/built_once.py) are kept in the run's temp folder."""
    import built_once

    built_once.FOLDER = built_once.run_folder(tmp_path_factory)
    yield
    built_once.FOLDER = None


@pytest.fixture(scope="session")
def demo_copy():
    """``demo_copy(path)``: a private copy of the scale-600 demo database (and its team state beside it) at
    ``path``. The real ``zhaoshang demo`` command builds it once per test run (half a minute; tests/built_once.py);
    copying its files takes a few milliseconds, so every module that needs the demo gets its own copy to read or
    change."""
    from built_once import built, copy_to
    from cli_util import run

    def make(db: Path) -> None:
        run("demo", "--no-serve", "--scale", DEMO_SCALE, db=db, timeout=900)

    built_db, _ = built(f"demo{DEMO_SCALE}", make)
    return lambda path: copy_to(built_db, path)


@pytest.fixture(scope="session")
def demo_report(demo_copy):
    """``demo_report(out, *args)``: the file ``zhaoshang report region ARGS -o out`` writes on the scale-600 demo,
    copied to ``out``, and what the command printed (``{"stdout", "stderr"}``). Several modules read the same report
    of the unchanged demo: it is rendered once per test run (tests/built_once.py), on a copy of the demo of its own."""
    import hashlib
    import json
    import shutil

    from built_once import built
    from cli_util import run

    def report(out: Path | str, *args) -> dict:
        out = Path(out)
        key = "report-" + hashlib.sha1(json.dumps([DEMO_SCALE, out.suffix, *map(str, args)]).encode()).hexdigest()[:16]

        def make(path: Path) -> dict:
            db = demo_copy(path.with_name(f"{key}-demo.duckdb"))
            try:
                r = run("report", "region", *args, "-o", path, db=db)
            finally:
                for f in db.parent.glob(f"{key}-demo.*"):
                    f.unlink()
            return {"stdout": r.stdout, "stderr": r.stderr}

        src, said = built(key, make, suffix=out.suffix)
        shutil.copyfile(src, out)
        return said

    return report


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory, demo_copy) -> Path:
    """The module's own copy of the scale-600 demo database (``demo_copy``), to read or change."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    demo_copy(path)
    return path


@pytest.fixture(scope="module")
def _module_chromium():
    """One headless chromium for a test module, started when a test first opens a page: starting Playwright's
    driver and the browser takes a second or two, a new context a few milliseconds. Per module, not per session:
    while Playwright's sync API is open it marks its event loop as running in this thread, which another module's
    ``asyncio.run`` would refuse."""
    from contextlib import ExitStack

    from web_util import ARGS, CHROMIUM

    started: list = []
    with ExitStack() as stack:
        def browser():
            if not started:
                from playwright.sync_api import sync_playwright

                pw = stack.enter_context(sync_playwright())
                started.append(pw.chromium.launch(executable_path=CHROMIUM, args=ARGS))
                stack.callback(started[0].close)
            return started[0]

        yield browser


@pytest.fixture
def chromium(_module_chromium):
    """The module's chromium for one test (``web_util.BrowserPages``): its pages, each in a context of its own, are
    closed when the test ends."""
    from web_util import BrowserPages

    with BrowserPages(_module_chromium) as pages:
        yield pages


@pytest.fixture(scope="session")
def itjuzi_db(tmp_path_factory):
    """IT桔子 companies, then their financing rounds, imported by the real command into one database once per run
    (tests/built_once.py) and copied once per worker: ``(path, companies report, rounds report)``. Tests copy the
    file before changing it."""
    from built_once import built, copy_to
    from cli_util import run_json

    companies = shared_file("ai_companies/itjuzi_china_ai_companies_2018-12.csv")
    rounds = shared_file("financing/itjuzi_china_ai_financing_events_2018-12.csv")

    def make(db: Path) -> dict:
        return {"companies": run_json("import", "enterprises", companies, "--preset", "itjuzi_companies", db=db),
                "rounds": run_json("import", "fundings", rounds, "--preset", "itjuzi_financing", db=db)}

    src, reports = built("itjuzi", make)
    db = copy_to(src, tmp_path_factory.mktemp("itjuzi") / "z.duckdb")
    return db, reports["companies"], reports["rounds"]
