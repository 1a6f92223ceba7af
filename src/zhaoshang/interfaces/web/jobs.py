"""Data updates started from the web (the data officer's upload page): imports and classifications run one
at a time in a background worker of the server, each as one update of the served database through
``core.generations.updating`` — the same mechanism as the CLI: the pages keep answering from the current
generation and switch to the new one once it is published; a failed job publishes nothing."""

from __future__ import annotations

import itertools
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from cachetools import LRUCache

from ...core.errors import UserError
from ...core.generations import updating
from ...core.teamstate import clock
from .uploads import discard_upload

KEEP = 100  # finished jobs remembered for the page
log = logging.getLogger("zhaoshang.web")


def _shown(job: dict) -> dict:
    """A job as the page and the API show it: the server's own paths (keys starting with ``_``) left out."""
    return {k: v for k, v in job.items() if not k.startswith("_")}


class UpdateJobs:
    """The server's queue of data updates (one worker: updates of one file take turns anyway)."""

    def __init__(self, db_path: str):
        self.db_path = db_path
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="zhaoshang-update")
        self._jobs: LRUCache = LRUCache(maxsize=KEEP)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def submit(self, *, action: str, user: str, kind: str | None = None, file: str | None = None,
               filename: str | None = None, source: str | None = None, data_date: str | None = None,
               classify_after: bool = False, preset: str | None = None, on_finish=None,
               sheet: str | None = None, link_text: bool = False, scope: str | None = None) -> dict:
        """Queue an import of ``file`` (a temporary copy, deleted when done; read with ``preset``'s layout when
        given; an XLSX from ``sheet``, by name or number, default the first; news with ``link_text``: the enterprises their
        texts name linked too, as the CLI's ``--link-text``; enterprises with ``scope``: ``partial`` or ``complete``, as the CLI's
        ``--partial`` / ``--complete``) or a classification. ``on_finish(job)`` is called with the finished job (the audit entry)."""
        job = {"id": next(self._ids), "action": action, "kind": kind, "preset": preset, "sheet": sheet, "scope": scope, "filename": filename,
               "link_text": link_text, "user": user, "state": "queued", "submitted": clock.now(),
               "finished": None, "result": None, "error": None, "error_en": None}
        with self._lock:
            self._jobs[job["id"]] = job
        self._pool.submit(self._run, job, file, source, data_date, classify_after, on_finish)
        return dict(job)

    def get(self, job_id: int) -> dict | None:
        with self._lock:
            job = self._jobs.get(job_id)
            return _shown(job) if job else None

    def recent(self) -> list[dict]:
        with self._lock:
            return sorted((_shown(j) for j in self._jobs.values()), key=lambda j: -j["id"])

    def rejects_file(self, job_id: int) -> str | None:
        """Where the server keeps a finished import's rejects (never shown: the page and the API give its URL)."""
        with self._lock:
            return (self._jobs.get(job_id) or {}).get("_rejects")

    def _set(self, job: dict, **kw) -> None:
        with self._lock:
            job.update(kw)

    def _run(self, job: dict, file: str | None, source: str | None, data_date: str | None, classify_after: bool,
             on_finish=None):
        from ...core.importers import import_files
        from ...core.importers.presets import advice_on_the_page
        from ...core.parse.dates import data_date_in_names
        from ...services.chain.classify import classify
        from ...services.chain.taxonomy import load_taxonomy
        from ...services.regions.stored import refresh as refresh_matrix

        self._set(job, state="running")
        try:
            result: dict = {}
            with updating(self.db_path, in_place=False) as store, advice_on_the_page():  # a refusal says: choose the preset
                if job["action"] == "import":
                    # the source: the one given, else the preset's (itjuzi: fundings link to its companies), else
                    # the file's name — the temporary copy keeps the user's (uploads.py), so the importer names it as
                    # the command line does, and says when that name looks like a later month of a source it holds
                    report = import_files(store, job["kind"], [file], preset=job.get("preset"), data_date=data_date,
                                          source=source or None,
                                          sheet=job.get("sheet"), scope=job.get("scope"))
                    result["import"] = report.as_dict()
                    # the user's file, not the temporary copy
                    for s in (result["import"].get("sheets") or []) + (result["import"].get("header_rows") or []):
                        s["file"] = job["filename"]
                    result["import"]["files"] = [job["filename"]]
                    # the date the user's file name carries (…_2021-10.csv), as the command line suggests it: never applied
                    named = None if report.data_date_given else data_date_in_names([job["filename"] or ""])
                    if named:
                        result["import"]["data_date_in_name"] = named
                    rejects = result["import"].pop("rejects_path", None)
                    job["_rejects"] = rejects
                    result["import"]["rejects_url"] = f"/api/updates/{job['id']}/rejects" if rejects else None
                    refresh_matrix(store)
                    if job.get("link_text"):  # the same service as the CLI's --link-text
                        from ...services.monitoring.nlp.stored import link_import_text

                        result["import"]["text_links"] = link_import_text(store, job["kind"], report.import_id)
                if job["action"] == "classify" or classify_after:
                    summary = classify(store, load_taxonomy(None), incremental=True)
                    result["classify"] = {k: summary[k] for k in ("chain", "enterprises", "placed", "unplaced")
                                          if k in summary}
            self._set(job, state="done", result=result)
        except UserError as exc:  # the user's file by its name, never the server's temporary copy
            named = lambda text: text.replace(str(file), job["filename"]) if text and file and job.get("filename") else text  # noqa: E731
            self._set(job, state="failed", error=named(str(exc)), error_en=named(exc.en))
        except Exception as exc:  # never lose the worker; the job says what went wrong
            self._set(job, state="failed", error=f"{type(exc).__name__}: {exc}")
        finally:
            self._set(job, finished=clock.now())  # UTC with its Z, as every moment in JSON
            if file:
                discard_upload(file)
            if on_finish is not None:
                try:
                    on_finish(dict(job))
                except Exception:  # the audit entry must not take the worker down
                    log.exception("update job %s: the audit entry could not be written", job["id"])
