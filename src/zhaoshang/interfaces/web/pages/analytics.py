"""JSON twins of the analytics commands: /api/recommend/{region} (``recommend``), /api/complexity
(``complexity``), /api/concentration (``concentration``) and /api/search (``search``). Each calls the same
service function as its command with the same defaults; ``--format json`` of the command and the route give
the same document."""

from __future__ import annotations

from typing import Annotated, Literal, Optional

from fastapi import Depends, Path, Query

from ....services.analytics.complexity import region_complexity
from ....services.analytics.concentration import concentration
from ....services.datastore import SYNTHETIC_LABEL
from ....services.region_profile import recommend_labelled
from ....services.search import search
from ..schemas import TEXT_MAX, AsOf, Level, NodeCode, Region, RegionPath



def register(app, web) -> None:
    @app.get("/api/recommend/{region}", tags=["analytics"],
             summary="差异化突围（JSON）：候选环节的可行性 × 价值排序（含得分构成）与招商模式建议")
    def api_recommend(region: RegionPath, store=Depends(web.get_store),
                      level: Optional[Level] = None, as_of: AsOf = None,
                      top: int = Query(15, ge=0, le=200, description="列出的候选环节数（0 = 全部）")):
        return web.json(recommend_labelled(store, region, level=web.clean(level), as_of=web.clean(as_of), top=top))

    @app.get("/api/complexity", tags=["analytics"],
             summary="关联度与经济复杂度（JSON）：RCA、邻近度、关联密度、ECI、PCI、COI、COG")
    def api_complexity(store=Depends(web.get_store), level: Literal["province", "city", "district"] = "province",
                       by: Literal["chain", "ipc"] = "chain", reference: Optional[Literal["ecomplexity"]] = None,
                       rca_threshold: float = Query(1.0, gt=0, le=1000, description="RCA 达到该值记为具有比较优势"),
                       as_of: AsOf = None,
                       nodes: Literal["segment", "placed"] = Query(
                           "segment", description="--by chain 的节点集：segment（环节，与差异化突围相同）| placed（企业所归节点）")):
        return web.json(region_complexity(store, level, by, web.clean(as_of), reference=web.clean(reference),
                                          rca_threshold=rca_threshold, nodes=nodes))

    @app.get("/api/concentration", tags=["analytics"],
             summary="集聚度与增长（JSON）：份额、CR3/CR5、HHI、基尼系数、区位熵、复合增长率")
    def api_concentration(store=Depends(web.get_store), level: Level = "province", chain: NodeCode = None,
                          measure: Literal["enterprises", "funding", "patents"] = "enterprises",
                          window: int = Query(5, ge=1, le=30, description="增长窗口（年）"), as_of: AsOf = None):
        return web.json(concentration(store, level, web.clean(chain), web.clean(as_of), window, measure))

    @app.get("/api/search", tags=["enterprises"],
             summary="企业搜索（JSON）：名称、简称、信用代码、经营范围分词；说明匹配到哪个字段")
    def api_search(store=Depends(web.get_store), q: str = Query(..., min_length=1, max_length=TEXT_MAX, description="检索词"),
                   limit: int = Query(20, ge=1, le=500), offset: int = Query(0, ge=0, le=10_000_000),
                   region: Region = None,
                   as_of: AsOf = None,
                   include_dissolved: bool = Query(False, description="也列出截至日期已注销或尚未成立的企业")):
        doc = search(store, q, limit=limit, offset=offset, region=web.clean(region), as_of=web.clean(as_of),
                     include_dissolved=include_dissolved)
        if store.synthetic:
            doc["label"] = SYNTHETIC_LABEL
        return web.json(doc)
