"""UI strings of the web app: key → (Chinese, English). Chinese is the default. The labels of stored codes
(``interfaces.labels``) are here too as ``VOCAB.CODE`` keys (``event.change_name``, ``holder.person``, …)."""

from __future__ import annotations

from ...core.geo.lookup import LEVEL_NAMES, level_name
from ...services.alerts.evaluate import CONDITIONS as ALERT_CONDITIONS
from ...services.chain.reading import FIELDS as PLACEMENT_FIELDS
from ...services.datastore import SYNTHETIC_LABELS
from ...services.enterprises import EXPORT_HEADERS
from ...services.regions.matrix import LQ_NEEDS_NODE
from ..labels import UNPLACED, VOCABULARIES

STRINGS: dict[str, tuple[str, str]] = {
    "app": ("招商图谱", "Zhaoshang"),
    "tagline": ("产业招商大数据", "Investment-attraction intelligence"),
    "nav.map": ("产业地图", "Industry map"),
    "nav.chain": ("产业链图谱", "Chain map"),
    "nav.enterprises": ("企业库", "Enterprises"),
    "nav.region": ("地区画像", "Region profile"),
    "nav.api": ("API 文档", "API docs"),
    "synthetic": (SYNTHETIC_LABELS["zh"], SYNTHETIC_LABELS["en"]),  # the label the exports carry too
    "as_of": ("截至", "As of"),
    "sources": ("数据来源", "Sources"),
    "json": ("JSON 数据", "JSON"),
    "methods": ("口径说明", "Methods"),
    # a level as a heading or a choice: its regions (Provinces)
    **{f"level.{k}": (w.zh, w.en_plural.capitalize()) for k, w in LEVEL_NAMES.items() if k != "nation"},
    # what a breakdown by sub-region leaves out (the map's drill-down, its side panel, the trends' regions): one wording
    "unplaced": (UNPLACED[0] + "，未列入", UNPLACED[1] + ": not shown"),
    "unplaced.enterprises": ("{n} 家企业", "{n} more enterprises"),
    "unplaced.enterprise": ("{n} 家企业", "{n} more enterprise"),
    # the regions of the view without a boundary to fill (the boundary service's ``unshaped``): named with their count
    "unshaped": ("无边界数据，地图上未画出：", "No boundary data, not drawn on the map: "),
    "unshaped.item": ("{name} {n} 家", "{name} ({n})"),
    "unlocated": ("另有 {n} 家已归入产业链的企业无国内所在地区（地区不详或在境外），未计入",
                  "{n} more placed enterprises have no region in China (unknown or abroad): not counted"),
    "metric.count": ("企业数", "Enterprises"),
    "metric.share": ("全国占比", "National share"),
    "metric.lq": ("区位商 LQ", "Location quotient"),
    "lq.needs_node": LQ_NEEDS_NODE,  # the LQ button without a segment, as /api/map and ``map`` say it
    "node.all": ("全部 AI 企业", "All AI enterprises"),
    "nation": ("全国", "China"),
    "region": ("地区", "Region"),
    "node": ("产业链环节", "Segment"),
    "count": ("企业数", "Enterprises"),
    "share": ("全国占比", "Share of nation"),
    "lq": ("区位商", "LQ"),
    "label": ("判断", "Label"),
    "national": ("全国", "National"),
    "top": ("头部企业", "Top enterprises"),
    "breakdown": ("产业链分布", "Chain breakdown"),
    "table": ("数据表", "Table"),
    "click_hint": ("点击地区查看详情并下钻", "Click a region for details and to drill down"),
    "chain_click_hint": ("点击产业链环节查看其企业", "Click a segment to see its enterprises"),
    "strong": ("强链", "Strong"),
    "fill": ("补链", "Fill"),
    "extend": ("延链", "Extend"),
    "status.strong": ("优势环节", "strong"),
    "status.average": ("一般环节", "average"),
    "status.weak": ("薄弱环节", "weak"),
    "status.missing": ("缺失环节", "missing"),
    "upstream": ("上游", "Upstream"),
    "midstream": ("中游", "Midstream"),
    "downstream": ("下游", "Downstream"),
    "search": ("检索", "Search"),
    "search.placeholder": ("企业名称、简称或统一社会信用代码", "Name, alias or credit code"),
    "filter.region": ("地区", "Region"),
    "filter.node": ("产业链环节", "Segment"),
    "filter.founded": ("成立年份", "Founded"),
    "filter.stage": ("融资阶段", "Funding stage"),
    "filter.listed": ("上市", "Listed"),
    "filter.tags": ("标签", "Tags"),
    "any": ("不限", "Any"),
    "yes": ("是", "Yes"),
    "no": ("否", "No"),
    "apply": ("筛选", "Apply"),
    "reset": ("重置", "Reset"),
    "export.xlsx": ("导出 Excel", "Export Excel"),
    "export.csv": ("导出 CSV", "Export CSV"),
    "results": ("条结果", "results"),
    # the enterprise library's columns: the export's headers (services.enterprises.EXPORT_HEADERS), one table
    "col.name": EXPORT_HEADERS["name"],
    "col.region": ("所在地", "Location"),
    "col.founded": EXPORT_HEADERS["founded"],
    "col.capital": EXPORT_HEADERS["capital_wan"],
    "col.nodes": EXPORT_HEADERS["nodes"],
    "col.round": ("最近融资", "Latest round"),
    "col.tags": EXPORT_HEADERS["tags"],
    "col.status": ("状态", "Status"),
    "prev": ("上一页", "Previous"),
    "next": ("下一页", "Next"),
    "page": ("页", "page"),
    "profile": ("企业画像", "Profile"),
    "placements": ("产业链定位", "Chain placement"),
    "evidence": ("依据", "Evidence"),
    "confidence": ("置信度", "Confidence"),
    "timeline": ("动态时间线", "Timeline"),
    "people": ("主要人员", "People"),
    "shareholders": ("股东", "Shareholders"),
    "patents": ("专利", "Patents"),
    "fundings": ("融资", "Funding rounds"),
    "branches": ("分支机构与对外投资", "Branches and investments"),
    "news": ("新闻", "News"),
    "location": ("位置", "Location"),
    "basic": ("基本信息", "Basic information"),
    "none": ("暂无", "None"),
    "all_regions": ("全国", "All of China"),
    "enterprises_on_node": ("该环节企业", "Enterprises on this segment"),
    "grouped_by": ("按地区分组", "grouped by area"),
    "thresholds": ("强链：LQ ≥ {s} 且企业数 ≥ {m}；补链：企业数为 0 或 LQ < {w}；延链：其余已有环节中，与本地已有环节的关联密度不低于本地中位数者（其余一般环节维持，无标签）。",
                   "Strong: LQ ≥ {s} and ≥ {m} enterprises; fill: none or LQ < {w}; extend: the other present nodes at or above the region's median relatedness density to the links it holds (the other average nodes hold, unlabelled)."),
    "back": ("返回", "Back"),
    "error": ("出错了", "Error"),
    "region.choose": ("这个地区名称对应多个地区，请选择", "This name belongs to several regions; choose one"),
    "region.did_you_mean": ("您是不是要找：", "Did you mean:"),
    # in place of a page's charts and lists when its filter form could not take a value (templates/_field_error.html)
    "form.not_drawn": ("筛选条件中有无法采用的值（原因见其输入框旁）：更正之前，不绘制图表，也不列出结果。",
                       "A value of the filter cannot be used (the reason is beside its box): nothing is drawn or "
                       "listed until it is corrected."),
    "enterprise.choose": ("这个简称对应多家企业，请选择", "This short name belongs to several enterprises; choose one"),
    "no_map": ("地图边界文件缺失：请运行 make setup-web", "Map boundaries missing: run make setup-web"),
    "choose_region": ("选择地区", "Choose a region"),
    "region_vs_nation": ("本地区结构 vs 全国结构", "Region mix vs national mix"),
    "sort": ("排序", "Sort"),
}

# names of the signals and fields in explained results (templates/_explained.html)
EXPLAIN_STRINGS = {
    "signal.text": ("文本关键词", "text keywords"), "signal.ipc": ("专利 IPC 分类", "patent IPC classes"),
    "signal.industry_code": ("行业代码", "industry code"), "signal.relation": ("关联企业", "related enterprises"),
    "signal.model": ("训练模型复核（属 AI 概率）", "trained-model check (probability of AI business)"),
    "signal.pairs": ("配对模型（逐对阅读的概率）", "pair model (its probability for the pair)"),
    "signal.density": ("关联密度（可行性）", "relatedness density (feasibility)"),
    "signal.pci": ("环节复杂度 PCI", "segment complexity (PCI)"), "signal.cog": ("复杂度前景增益 COG", "outlook gain (COG)"),
    "signal.funding_cagr": ("全国融资增速", "national funding growth"),
    "signal.patent_cagr": ("全国专利增速", "national patent growth"),
    **{f"signal.{k}": v for k, v in ALERT_CONDITIONS.items()},  # an alert's conditions (services/alerts/evaluate.py)
    **{f"field.{k}": v for k, v in PLACEMENT_FIELDS.items()},
}
STRINGS.update(EXPLAIN_STRINGS)


for _vocab, _codes in VOCABULARIES.items():
    for _code, _pair in _codes.items():
        STRINGS.setdefault(f"{_vocab}.{_code}", _pair)


def translate(key: str, lang: str = "zh") -> str:
    """The string in the language; an unknown ``VOCAB.CODE`` key shows the code itself."""
    pair = STRINGS.get(key)
    if pair is None:
        return key.split(".", 1)[1] if "." in key and key.split(".", 1)[0] in VOCABULARIES else key
    return pair[lang == "en"]


def level_words(level: str | None, parent: str | None) -> list[str] | None:
    """``[zh, en]``: the regions of ``level`` under ``parent`` named as a heading names them (``level.*``: 地市, Cities;
    under Hong Kong 区, Districts), by the region service's ``level_name``; None without a level."""
    if level is None:
        return None
    w = level_name(level, parent)
    return [w.zh, w.en_plural.capitalize()]
