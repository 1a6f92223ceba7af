"""Command ``report region``: a region's report for a leadership meeting as PDF, XLSX or HTML."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer

from ...core.errors import UserError
from ...services.region_profile import region_profile
from .app import REGION_OPTION, app, date_option, one_region, open_store, open_team, state, synthetic_note, t

report_app = typer.Typer(help="报告：地区画像报告（PDF / Excel / HTML）", no_args_is_help=True)
app.add_typer(report_app, name="report")


@report_app.command("region")
def report_region(
    region: Optional[str] = typer.Argument(None, help="地区代码或名称（省、市、区县或宏观区域，如 440300、深圳市、长三角；也可用 --region）",
                                           show_default=False),
    region_opt: Optional[str] = REGION_OPTION,
    output: List[str] = typer.Option(..., "--output", "-o",
                                     help="输出文件：.pdf、.xlsx 或 .html；可重复，一次写出几种格式"),
    as_of: Optional[str] = date_option(),
    top: int = typer.Option(10, "--top", help="头部企业与合作伙伴的条数（至少 1）"),
) -> None:
    """地区画像报告：产业链结构对比全国、强链/补链/延链、推荐环节与招商模式、合作伙伴、融资趋势、头部企业。"""
    from ..reports import report_suffix, write_region_report

    region = one_region(region, region_opt, "zhaoshang report region")
    seen: set[Path] = set()
    for out in output:  # every file checked before the profile is computed
        report_suffix(out)
        if Path(out).resolve() in seen:
            raise UserError(t(f"同一文件给了两次: {out}（每个 -o 写一个文件）", f"the same file is given twice: {out} (each -o writes one file)"))
        seen.add(Path(out).resolve())
        if not Path(out).resolve().parent.exists():
            raise UserError(t(f"目录不存在: {Path(out).parent}", f"directory does not exist: {Path(out).parent}"))
    store = open_store(read_only=True)
    # the file does not change while the command reads it (opened read-only), as a served generation's does not: what
    # the profile asks several times (the nation's segment matrix and its complexity, for the recommendations, the
    # leads' targets and the 延链 labels) is computed once (core.asof.generation_memo)
    store.prepared = {}
    team = open_team()  # its live events count in the leads section, as in `zhaoshang leads`
    try:
        profile = region_profile(store, region, as_of=as_of, top=top, partners=top, team=team)
        note = synthetic_note(store)
    finally:
        store.close()
        team.close()
    for out in output:  # the profile computed once, written in each format asked for
        path = write_region_report(profile, out, state.lang)
        sys.stdout.write(t(f"已生成报告 {path}（{profile['region']['full_name']}，截至 {profile['as_of']}）\n",
                           f"report written: {path} ({profile['region'].get('full_name_en') or profile['region']['full_name']}, "
                           f"as of {profile['as_of']})\n"))
    if note:
        sys.stderr.write(note + "\n")
