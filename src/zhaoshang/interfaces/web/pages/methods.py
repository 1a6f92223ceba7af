"""方法与回测 (/methods): how right the chain placements are on the gold set's test part; the score's backtests (and the lead backtests saved by ``backtest leads --save``) — ROC curves and precision@k of the score against each baseline,
the calibration table, counts and the eligible population, which score is the scorecard's (the hand weights every
profile, the library and ``zhaoshang score`` use; the learned weights are the backtest's method only), and a run's notes (a lead backtest's in-sample weights or
missing positives, in the page's language) — for the real-data runs published with the package and the runs saved
in this database (``backtest score --save``); JSON twin /api/methods."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse

from ....services.evaluation.runs import methods_doc
from ...labels import BACKTEST_MODELS


def _shaped(run: dict) -> dict:
    """A lead backtest (``backtest leads --save``) in the score runs' shape: its lead scores as models, the
    funding and random rankings as baselines."""
    if run.get("kind") != "leads":
        return run
    m = run["models"]
    return {**run, "models": {k: v for k, v in m.items() if k.startswith("lead_")},
            "baselines": {k: v for k, v in m.items() if not k.startswith("lead_")}}


def _series(run: dict, labels: dict) -> dict:
    """The chart series of one run: ROC points and precision@k per model and baseline."""
    models = {**run["models"], **run["baselines"]}
    return {"roc": [{"key": k, "name": labels.get(k, k), "data": m.get("roc") or []} for k, m in models.items()],
            "pk": [{"key": k, "name": labels.get(k, k), "data": [[a["k"], a["precision"]] for a in m.get("at_k", [])]}
                   for k, m in models.items() if m.get("at_k")]}


def register(app, web) -> None:
    @app.get("/api/methods", tags=["evaluation"],
             summary="方法与回测（JSON）：已发布的真实数据回测与本库保存的回测（ROC、precision@k、校准表、人数）")
    def api_methods(store=Depends(web.get_store)):
        return web.json(web.cached(store, ("methods",), lambda: methods_doc(store)))

    @app.get("/methods", response_class=HTMLResponse, include_in_schema=False)
    def methods_page(request: Request, store=Depends(web.get_store)):
        doc = web.cached(store, ("methods",), lambda: methods_doc(store))
        lang = web.lang_of(request)
        labels = {k: (en if lang == "en" else zh) for k, (zh, en) in BACKTEST_MODELS.items()}
        runs = [(kind, i, r, _series(r, labels)) for kind in ("published", "saved")
                for i, r in enumerate(_shaped(x) for x in doc[kind])]
        return web.page(request, "methods.html", {"nav": "methods", "runs": runs, "labels": labels,
                                                  "scorecard": doc["scorecard"], "quality": doc["chain_quality"],
                                                  "json_twin": "/api/methods"})
