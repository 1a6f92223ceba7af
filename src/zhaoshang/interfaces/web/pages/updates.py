"""数据更新 (/updates): the data officer uploads a file to import (and may classify after it) while the server
keeps serving; the JSON twins /api/updates and /api/updates/{id} report the jobs. The work runs in the
server's update worker (``interfaces.web.jobs``) through the same update mechanism as the CLI."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated, Literal, Optional

from fastapi import Depends, File, Form, Path as PathParam, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse

from ....core.errors import NotFound, UserError, unknown_choice
from ....core.fields import KINDS
from ....core.parse.dates import parse_user_date
from ....core.importers import list_presets
from ....services.datastore import recent_imports
from ....services.team import audit
from ..auth import client_ip
from ..jobs import UpdateJobs
from ..uploads import discard_upload, max_upload

SUFFIXES = {".csv", ".tsv", ".txt", ".xlsx", ".jsonl", ".json", ".parquet"}


def _save(upload: UploadFile) -> str:
    suffix = Path(upload.filename or "").suffix.lower()
    if suffix not in SUFFIXES:
        raise UserError(f"不支持的文件类型: {suffix or '(无扩展名)'}（可用: {'、'.join(sorted(SUFFIXES))}）", f"unsupported file type: {suffix or '(no extension)'} (use {', '.join(sorted(SUFFIXES))})")
    # the file keeps the name it was uploaded with, in a directory of its own: errors, the import's source and the
    # rejects (their file column and name) speak of the user's file, not of a temporary name
    name = Path((upload.filename or "").replace("\\", "/")).name.lstrip(".") or f"upload{suffix}"
    tmp = os.path.join(tempfile.mkdtemp(prefix="zhaoshang-upload-"), name)
    size, limit = 0, max_upload()
    with open(tmp, "wb") as out:
        while chunk := upload.file.read(1 << 20):
            size += len(chunk)
            if size > limit:
                out.close()
                discard_upload(tmp)
                raise UserError(f"文件超过 {limit // 2**20} MB", f"the file is larger than {limit // 2**20} MB")
            out.write(chunk)
    return tmp


def _auditor(request: Request, user):
    """The audit entry of a finished update: ``data.import`` (target the uploaded file) or ``data.classify``, with
    the job, its outcome and its counts — a data update changes what everyone sees."""
    team, ip = request.app.state.team, client_ip(request)

    def record(job: dict) -> None:
        result = job.get("result") or {}
        report, placed = result.get("import") or {}, result.get("classify") or {}
        detail = {**audit.import_detail(report, job=job["id"], state=job["state"],
                                        **{k: job.get(k) for k in ("kind", "preset", "error")}),
                  **({"placed": placed["placed"]} if "placed" in placed else {})}
        audit.record(team, user, f"data.{job['action']}", job.get("filename"), detail, ip)

    return record


def register(app, web) -> None:
    jobs = app.state.update_jobs = UpdateJobs(web.served.path)

    @app.get("/updates", response_class=HTMLResponse, include_in_schema=False)
    def updates_page(request: Request, job: Optional[int] = None, store=Depends(web.get_store)):
        return web.page(request, "updates.html", {"nav": "updates", "kinds": list(KINDS), "jobs": jobs.recent(),
                                                  "imports": recent_imports(store),
                                                  "presets": list_presets(),
                                                  "job": jobs.get(job) if job else None, "json_twin": "/api/updates"})

    @app.post("/updates", include_in_schema=False)
    def updates_submit(request: Request, user=Depends(web.current_user),
                       action: Literal["import", "classify"] = Form("import"), kind: str = Form("enterprises"),
                       file: Optional[UploadFile] = File(None), source: Optional[str] = Form(None, max_length=100),
                       data_date: Optional[str] = Form(None, max_length=40), classify_after: bool = Form(False),
                       preset: Optional[str] = Form(None, max_length=100),
                       sheet: Optional[str] = Form(None, max_length=100), link_text: bool = Form(False),
                       scope: Optional[Literal["", "partial", "complete"]] = Form(None)):
        if action == "import":
            preset = web.clean(preset)
            if preset:  # the preset is a layout of one kind: it says the kind
                presets = list_presets()
                if preset not in presets:
                    raise unknown_choice("预设", "preset", preset, presets)
                kind = presets[preset].get("kind") or kind
            if kind not in KINDS:
                raise unknown_choice("数据类型", "kind", kind, KINDS)
            if link_text and kind != "news":
                raise UserError("正文关联企业只用于新闻导入", "linking the text is for news imports only")
            if scope and kind != "enterprises":
                raise UserError("「导出范围」只用于企业导入", "the export scope is for enterprise imports only")
            # the one date parser, as the command line's --data-date: 2025/11/30, 2025年11月30日, 20251130 …
            day = parse_user_date(web.clean(data_date), "data_date")
            if file is None or not file.filename:
                raise UserError("请选择要导入的文件", "choose a file to import")
            tmp = _save(file)
            job = jobs.submit(action="import", user=user.name, kind=kind, file=tmp, filename=file.filename,
                              source=web.clean(source), data_date=day.isoformat() if day else None, classify_after=classify_after,
                              preset=preset, sheet=web.clean(sheet), link_text=link_text, scope=scope or None,
                              on_finish=_auditor(request, user))
        else:
            job = jobs.submit(action="classify", user=user.name, on_finish=_auditor(request, user))
        return RedirectResponse(f"/updates?job={job['id']}", status_code=303)

    @app.get("/api/updates", tags=["updates"], summary="数据更新任务（导入、归类）及其结果")
    def api_updates(store=Depends(web.get_store)):
        # the page's two lists: its upload jobs, and the latest imports however made (the command line among them)
        return web.json({"jobs": jobs.recent(), "imports": recent_imports(store)})

    @app.get("/api/updates/{job_id}", tags=["updates"], summary="一个数据更新任务：状态（queued/running/done/failed）与结果")
    def api_update(job_id: Annotated[int, PathParam(ge=1, le=2**31)]):
        job = jobs.get(job_id)
        if job is None:
            raise NotFound(f"未找到更新任务: {job_id}", f"update job not found: {job_id}")
        return web.json(job)


    @app.get("/api/updates/{job_id}/rejects", tags=["updates"], summary="一个导入任务的问题清单（CSV：文件、行、列、值、原因、处理）",
             response_class=FileResponse, responses={200: {"content": {"text/csv": {}}}})
    def api_update_rejects(job_id: Annotated[int, PathParam(ge=1, le=2**31)]):
        path = jobs.rejects_file(job_id)
        if not path or not os.path.exists(path):
            raise NotFound(f"该更新任务没有问题清单: {job_id}", f"this update job has no rejects file: {job_id}")
        return FileResponse(path, media_type="text/csv; charset=utf-8", filename=os.path.basename(path))
