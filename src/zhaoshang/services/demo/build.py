"""Build the demo database: generate the files, import them through the ordinary importers, label it synthetic."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import time
from pathlib import Path
from typing import Callable

from ...core import search_index
from ...core.schema import FACT_TABLES
from ...core.store import Store
from .columns import DEFAULT_SEED
from .generate import generate

# Columns that record when or from which path something was imported: left out of the fingerprint.
VOLATILE = {"imported_at", "started_at", "finished_at", "classified_at", "files", "rejects_path", "options"}


def build_demo(store_path, scale: int | None = None, seed: int = DEFAULT_SEED, work_dir=None,
               progress: Callable | None = None, classify: bool = True, on_error: str = "raise") -> dict:
    """Generate the demo files and import them into ``store_path`` (a path or an open ``Store``).

    Returns a summary: the manifest, rows per table, the import reports, seconds, and whether the
    chain classification ran. ``on_error="skip"`` records a file whose import fails and goes on
    (the summary lists it under ``errors``); the default raises.
    """
    step = progress or (lambda n=1, **kw: None)
    t0 = time.perf_counter()
    tmp = None
    if work_dir is None:
        tmp = tempfile.mkdtemp(prefix="zhaoshang-demo-")
        work_dir = tmp
    work = Path(work_dir)
    try:
        manifest = generate(work, scale=scale, seed=seed, progress=step)
        t_gen = time.perf_counter() - t0
        own = not isinstance(store_path, Store)
        store = Store(store_path) if own else store_path
        try:
            reports, errors = [], []
            step(0, total=len(manifest["files"]) + 1, description="导入合成演示数据",
                 description_en="importing the synthetic demo data")
            from ...core.importers import import_files

            for f in manifest["files"]:
                if not f["rows"]:
                    step(1)
                    continue
                try:
                    rep = import_files(store, f["kind"], [work / f["file"]], source=f["source"],
                                       data_date=f["data_date"], synthetic=True, rejects_dir=work / "rejects",
                                       scope=f.get("scope"))
                except Exception as exc:
                    if on_error != "skip":
                        raise
                    errors.append({"file": f["file"], "kind": f["kind"], "error": f"{type(exc).__name__}: {exc}"[:500]})
                    step(1)
                    continue
                reports.append(_report_dict(f, rep))
                step(1)
            store.set_meta("synthetic", "true")
            store.set_meta("demo_seed", str(seed))
            store.set_meta("demo_scale", str(manifest["scale"]))
            store.set_meta("demo_label", "synthetic demo data / 合成演示数据")
            classified = _classify(store) if classify else None
            search_index.refresh(store)
            step(1)
            counts = {t: int(store.con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in FACT_TABLES}
        finally:
            if own:
                store.close()
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    return {"synthetic": True, "seed": seed, "scale": manifest["scale"], "manifest": manifest, "imports": reports, "errors": errors,
            "counts": counts, "classified": classified, "seconds_generate": round(t_gen, 2),
            "seconds_total": round(time.perf_counter() - t0, 2)}


def _report_dict(f: dict, rep) -> dict:
    d = {"file": f["file"], "kind": f["kind"], "data_date": f["data_date"]}
    for k in ("rows_read", "rows_imported", "rows_updated", "rows_duplicate", "rows_rejected"):
        d[k] = getattr(rep, k, None)
    return d


def _classify(store: Store) -> dict | str:
    """Place the enterprises on the chain when the chain service is installed; otherwise say so."""
    try:
        from ..chain.classify import classify
    except ImportError:
        return "skipped: chain classification is not available"
    result = classify(store)
    if isinstance(result, dict):
        return {k: v for k, v in result.items() if isinstance(v, (int, float, str))}
    return str(result)


def fingerprint(store_or_path, exclude: tuple[str, ...] = ()) -> str:
    """A hash over the sorted contents of every fact table and the meta table, import times excluded.

    ``exclude`` names further columns to leave out, as ``table.column``.
    """
    own = not isinstance(store_or_path, Store)
    store = Store(store_or_path, read_only=True) if own else store_or_path
    try:
        h = hashlib.sha256()
        for t in ("meta",) + tuple(FACT_TABLES):
            cols = [r[0] for r in store.con.execute(f"DESCRIBE {t}").fetchall()
                    if r[0] not in VOLATILE and f"{t}.{r[0]}" not in exclude]
            sel = ", ".join(f'"{c}"' for c in cols)
            n, s = store.con.execute(f"SELECT count(*), coalesce(sum(hash(row({sel})))::VARCHAR, '0') FROM {t}").fetchone()
            h.update(f"{t}:{n}:{s};".encode())
        return h.hexdigest()
    finally:
        if own:
            store.close()
