"""The scorecard (企业评估) on the web: the JSON twin of ``zhaoshang score ENTERPRISE --format json`` and the
card the enterprise profile shows — the same service (``services.evaluation.scorecard``), the same explained
result.

The scorecard counts the live events of the team state (``services.evaluation.live``): a bus listener forgets the
cached cards of the enterprise each new event is about, so the next profile shows the refreshed score."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request
from markupsafe import Markup, escape

from ....core.errors import UserError
from ....core.explain import enterprise_href
from ....services.evaluation.scorecard import score_enterprise
from ....services.monitoring import bus
from ..schemas import TEXT_MAX, AsOf


def profile_card(web, store, eid: int, as_of, lang: str) -> tuple[dict | None, str | None]:
    """The enterprise's scorecard for its profile, or why there is none (not existing at the date); cached per
    data generation."""
    key = ("scorecard", eid, as_of, lang)
    team = web.scorecard_team() if hasattr(web, "scorecard_team") else None
    try:
        return web.cached(store, key, lambda: score_enterprise(store, eid, as_of=as_of, lang=lang, team=team)), None
    except UserError as exc:
        earlier = exc.earlier
        if earlier:  # "… e.g. as of 2018-02-23", the date a link to the profile as of that date
            day = earlier["date"].isoformat()
            return None, (escape(earlier["en" if lang == "en" else "zh"])
                          + Markup('<a id="sc-earlier" href="{}#scorecard">{}</a>').format(enterprise_href(eid, day), day))
        return None, exc.in_lang(lang).splitlines()[0]


def forget_cards(cache, event: dict) -> int:
    """Drop the cached scorecards of the enterprise a new live event is about (keys: generation, "scorecard",
    enterprise id, …)."""
    eid = event.get("enterprise_id")
    return cache.drop(lambda k: len(k) > 2 and k[1] == "scorecard" and k[2] == eid)


def register(app, web) -> None:
    web.scorecard_team = lambda: getattr(app.state, "team", None)  # the team state's live events count
    app.state.scorecard_listener = bus.add_listener(lambda ev: forget_cards(web.served.cache, ev))

    @app.get("/api/enterprises/{key}/score", tags=["enterprises"],
             summary="企业评估（JSON）：总分、六个维度及每个信号的贡献、置信度、缺失项、截至日期与方法版本（同 zhaoshang score --format json）")
    def api_score(key: Annotated[str, Path(max_length=TEXT_MAX)], request: Request, store=Depends(web.get_store),
                  as_of: AsOf = None):
        doc = score_enterprise(store, key, as_of=web.clean(as_of), lang=web.lang_of(request), team=request.app.state.team)
        return web.json({**doc, "synthetic": store.synthetic})
