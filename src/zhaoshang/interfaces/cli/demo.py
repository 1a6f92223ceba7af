"""``zhaoshang demo``: build the synthetic demo database (合成演示数据) and open the web app."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from .app import app, dumps, progress, state, t


@app.command()
def demo(
    scale: Optional[int] = typer.Option(None, "--scale", help="企业数量（默认约 6000，其中核心 AI 企业约 4300）"),
    seed: int = typer.Option(20241, "--seed", help="随机种子：相同种子生成相同数据库"),
    serve: bool = typer.Option(True, "--serve/--no-serve", help="建库后启动 Web 应用"),
    port: int = typer.Option(8800, "--port", help="Web 应用端口"),
    out: Optional[Path] = typer.Option(None, "--out", help="生成文件的目录（默认临时目录，建库后删除）"),
    generate_only: bool = typer.Option(False, "--generate-only", help="只生成 Parquet 文件到 --out，不建库"),
) -> None:
    """生成合成演示数据（虚构企业、人员与事件）并建库；默认随后启动 Web 应用。"""
    from ...core.errors import UserError
    from ...services.demo import build_demo, generate

    if scale is not None and scale < 50:
        raise UserError(t("--scale 至少为 50", "--scale must be at least 50"))
    if generate_only:
        if out is None:
            raise UserError(t("--generate-only 需要 --out 目录", "--generate-only needs --out DIR"))
        with progress(t("生成合成演示数据", "generating synthetic demo data")) as advance:
            manifest = generate(out, scale=scale, seed=seed, progress=advance)
        sys.stdout.write(dumps({"out": str(out), "scale": manifest["scale"], "seed": seed,
                                "files": manifest["files"], "label": manifest["label"]}) + "\n")
        return
    db = state.db
    if db and db != ":memory:" and Path(db).exists():
        if not _replaceable(db):
            raise UserError(t(f"{db} 已有非演示数据，不会覆盖；请用 --db 指定另一个文件",
                              f"{db} holds data that is not the demo; it is left alone: choose another file with --db"))
        Path(db).unlink()  # the demo database is rebuilt from scratch
        wal = Path(str(db) + ".wal")
        if wal.exists():
            wal.unlink()
    team_note = _fresh_team_state(db)
    with progress(t("构建合成演示数据库", "building the synthetic demo database")) as advance:
        summary = build_demo(db, scale=scale, seed=seed, work_dir=out, progress=advance, on_error="skip")
    for err in summary["errors"]:
        sys.stderr.write(t(f"警告：{err['file']} 导入失败：{err['error'].splitlines()[0]}\n",
                           f"warning: importing {err['file']} failed: {err['error'].splitlines()[0]}\n"))
    c = summary["counts"]
    sys.stderr.write(t(
        f"【合成演示数据】已建库 {db}：企业 {c['enterprises']}，专利 {c['patents']}，融资 {c['fundings']}，"
        f"新闻 {c['news']}（种子 {seed}，用时 {summary['seconds_total']} 秒）\n",
        f"[synthetic demo data] built {db}: {c['enterprises']} enterprises, {c['patents']} patents, "
        f"{c['fundings']} funding rounds, {c['news']} news (seed {seed}, {summary['seconds_total']} s)\n"))
    if isinstance(summary.get("classified"), str):
        sys.stderr.write(summary["classified"] + "\n")
    _score_demo(db, backtest=serve)
    if team_note:
        sys.stderr.write(team_note + "\n")
    _demo_alert_rules(db)
    _team_references(db)
    if not serve:
        return
    try:
        from ..web.app import serve as web_serve
    except ImportError:
        web_serve = None
    if web_serve is None:
        sys.stderr.write(t(
            f"Web 应用尚不可用；可以这样查询：zhaoshang --db {db} status / search 关键词 / show 企业名称\n",
            f"the web app is not available; query with: zhaoshang --db {db} status / search TEXT / show NAME\n"))
        return
    sys.stderr.write(f"http://127.0.0.1:{port}/\n")
    web_serve(db, port=port)


def _fresh_team_state(db: str) -> str | None:
    """A demo starts its team state afresh: the team state beside the demo database (the default, not one given
    by --team-db or $ZHAOSHANG_TEAM_DB) holds an earlier demo's users, alert rules, alerts and pipeline leads,
    which point at that demo's enterprises — it is set aside whole (``core.teamstate.set_aside``), not deleted.
    A team state given explicitly is the user's: kept as it is, and the note says so. The note to print."""
    import os

    from ...core.parse.dates import china_now
    from ...core.teamstate.db import ENV, default_team_url, set_aside

    if db == ":memory:":
        return None
    given = state.team_db or os.environ.get(ENV)
    if given:
        return t(f"团队状态为指定的 {given if '://' not in given else given.split('@')[-1]}：已原样保留（其中的用户、预警规则、"
                 "预警与招商项目继续使用）",
                 f"the team state is the one given ({given if '://' not in given else given.split('@')[-1]}): kept as it "
                 "is (its users, alert rules, alerts and pipeline leads stay)")
    moved = set_aside(default_team_url(db), china_now().strftime("%Y%m%d-%H%M%S"))  # China's, as a rejects file's
    if not moved:
        return None
    return t(f"团队状态重新开始：此前演示的用户、预警规则、预警与招商项目属于被替换的演示数据，已整体另存为 {moved}"
             f"（需要时用 --team-db {moved} 打开）",
             f"the team state starts afresh: the earlier demo's users, alert rules, alerts and pipeline leads belong to "
             f"the demo data replaced; set aside whole as {moved} (open it with --team-db {moved} if needed)")


def _score_demo(db: str, backtest: bool = True) -> None:
    """Store the demo's scores (for sorting the lists) and, when it is about to be served, a backtest a year
    before the data ends (for the methods page), as ``score all`` and ``backtest score --save`` would."""
    import datetime as _dt

    from ...core.asof import latest_data_date
    from ...core.errors import UserError
    from ...core.store import Store
    from ...services.evaluation.backtest import backtest_score
    from ...services.evaluation.runs import save_backtest
    from ...services.evaluation.scorecard import score_all

    store = Store(db)
    try:
        score_all(store)
        last = latest_data_date(store)
        d = _dt.date(last.year - 1, 12, 31) if last else None
        if d and d + _dt.timedelta(days=365) > last:
            d = _dt.date(last.year - 2, 12, 31)
        if d and backtest:
            save_backtest(store, backtest_score(store, as_of=d, horizon=365), t("合成演示数据", "synthetic demo data"))
    except UserError as exc:  # too small a demo to backtest: the lists still sort by score
        sys.stderr.write(str(exc).splitlines()[0] + "\n")
    finally:
        store.close()


def _demo_alert_rules(db: str) -> None:
    """The demo bureau's example alert rules for the local user, evaluated once (data/demo/alert_rules.yaml)."""
    from ...core.errors import UserError
    from ...core.store import Store
    from ...services.demo.alerts import seed_alert_rules
    from .app import open_team

    store, team = Store(db, read_only=True), open_team()
    try:
        done = seed_alert_rules(store, team)
        sys.stderr.write(t(f"演示预警规则 {len(done['rules']):,} 条，预警 {done['alerts']:,} 条（页面：/alerts）\n",
                           f"demo alert rules: {len(done['rules']):,}, alerts: {done['alerts']:,} (page: /alerts)\n"))
    except UserError as exc:  # too small a demo for leads: the page still works, without examples
        sys.stderr.write(str(exc).splitlines()[0] + "\n")
    finally:
        store.close()


def _team_references(db: str) -> None:
    """Warn when the team state beside the rebuilt demo holds pipeline leads or live events about enterprises of
    the demo it replaced (another --scale or --seed numbers other enterprises with their ids); they are kept."""
    from ...core.store import Store
    from ...services.team.references import TABLES, mismatched
    from .app import open_team

    store, team = Store(db, read_only=True), open_team()
    try:
        bad = mismatched(store, team)
    finally:
        store.close()
    if not bad:
        return
    where = getattr(team, "location", None) or getattr(team, "url", "")
    for table, rows in bad.items():
        zh, en = TABLES[table]
        ex = "、".join(f"#{r['id']} {r['enterprise_name']}（企业编号 {r['enterprise_id']}，"
                      + (f"新库中为{r['now']}）" if r["now"] else "新库中无此编号）") for r in rows[:3])
        ex_en = "; ".join(f"#{r['id']} {r['enterprise_name']} (enterprise id {r['enterprise_id']}, "
                          + (f"now {r['now']})" if r["now"] else "not in the new database)") for r in rows[:3])
        sys.stderr.write(t(
            f"警告：团队状态（{where}）中有 {len(rows):,} 条{zh}所指的企业在新建的演示数据库中已是另一家企业或不存在，"
            f"它们属于此前构建的演示数据，已原样保留：{ex}。不再需要时请改用另一个团队状态（--team-db）或删除该文件\n",
            f"warning: {len(rows):,} {en} in the team state ({where}) are about enterprises that the rebuilt demo "
            f"database numbers otherwise or no longer holds; they belong to the demo built before and are kept as "
            f"they are: {ex_en}. If they are not needed, use another team state (--team-db) or delete that file\n"))


def _replaceable(db: str) -> bool:
    """Only an earlier demo database (or an empty one) is rebuilt in place; real data is never deleted."""
    from ...core.store import Store

    try:
        store = Store(db, read_only=True)
    except Exception:
        return False
    try:
        if store.synthetic:
            return True
        tables = {r[0] for r in store.con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        return "enterprises" not in tables or store.con.execute("SELECT count(*) FROM enterprises").fetchone()[0] == 0
    finally:
        store.close()
