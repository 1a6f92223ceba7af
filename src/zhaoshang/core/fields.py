"""Target fields of every import kind, and the source headers recognised for them without a mapping.

A field's ``type`` says which parser reads it: text, list (split on a separator), date, amount (CNY 万元
with a low/high range), number, uscc (validated credit code), region (free text → GB/T 2260 codes), bool.
``required`` fields must be present (as a mapped column) for the import to start.
The same table documents the mapping files in docs/data-formats.md; a test checks they agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Field:
    name: str
    type: str = "text"
    headers: tuple[str, ...] = ()
    required: bool = False
    doc: str = ""
    sep: str | None = None  # default list separator for type=list


def _f(name, type="text", headers="", required=False, doc="", sep=None):
    return Field(name, type, tuple(h for h in headers.split("|") if h), required, doc, sep)


LIST_SEP = ",，;；、|"

KINDS: dict[str, tuple[Field, ...]] = {
    "enterprises": (
        _f("key", headers="id|company_seq|permalink|记录编号|ts_code", doc="the record's key in its source (defaults to the credit code, else the name)"),
        _f("name", headers="企业名称|公司名称|公司全称|公司中文名称|工商名称|企业全称|名称|name|company_name|legal_name|full_name", required=True, doc="registered full name"),
        _f("uscc", "uscc", "统一社会信用代码|信用代码|社会信用代码|uscc|credit_code", doc="统一社会信用代码, validated (GB 32100-2015)"),
        _f("short_name", headers="企业简称|公司简称|证券简称|A股简称|简称|short_name", doc="short name → alias"),
        _f("brand", headers="品牌|产品名|品牌名|brand_name|brand", doc="brand/product name → alias"),
        _f("english_name", headers="英文名|英文名称|english_name", doc="English name → alias"),
        _f("former_names", "list", "曾用名|former_names|former_name", doc="former names → aliases", sep=LIST_SEP),
        _f("aliases", "list", "别名|aliases|alias", doc="other names → aliases", sep=LIST_SEP),
        _f("legal_form", headers="企业类型|公司类型|企业性质|legal_form|company_type", doc="legal form"),
        _f("status", headers="登记状态|经营状态|企业状态|状态|status", doc="registration status (存续/在业/注销/吊销/operating/closed…)"),
        _f("founded", "date", "成立日期|注册日期|成立时间|成立年份|setup_date|founded|founded_at|founded_on", doc="founding date"),
        _f("dissolved", "date", "注销日期|吊销日期|dissolved|closed_at", doc="deregistration date"),
        _f("capital", "amount", "注册资本|注册资金|reg_capital|registered_capital|capital", doc="registered capital → 万元"),
        _f("region", "region", "所在地|地区|所在地区|location|location_raw|region|area", doc="free-text location (\"浙江杭州\", \"北京-海淀区\")"),
        _f("province", "region", "所属省份|所在省份|省份|省|province|state", doc="province name or code"),
        _f("city", "region", "所属城市|所在城市|城市|市|city", doc="city name or code"),
        _f("district", "region", "所属区县|所在区县|地区_区县|区县|district|county", doc="district/county name or code"),
        _f("address", headers="注册地址|企业地址|地址|通信地址|办公地址|registered_address|address", doc="address (parsed for region when codes are missing)"),
        _f("country", headers="国家|国别|country|country_code", doc="country; non-China rows are kept as foreign"),
        _f("lat", "number", "纬度|lat|latitude", doc="latitude"),
        _f("lng", "number", "经度|lng|lon|longitude", doc="longitude"),
        _f("industry", headers="所属行业|行业|国标行业|industry|category_code|sub_industry", doc="industry text"),
        _f("industry_code", headers="行业代码|国标行业代码|industry_code", doc="GB/T 4754 code"),
        _f("scope", headers="经营范围|scope|business_scope", doc="经营范围"),
        _f("description", headers="公司简介|企业简介|简介|描述|description|overview", doc="description"),
        _f("products", headers="主营产品|主要产品|产品|products|main_business", doc="products / main business"),
        _f("product_share", "number", "营收占比|收入占比|主营收入占比|product_share", doc="revenue share (0–1) of the row's product line, with `products` one line per row combined per key (`combine`) → `product_lines` (line, share, period = the data date)"),
        _f("website", headers="官网|公司网址|网址|公司网站|website|homepage_url", doc="website"),
        _f("listed_code", headers="股票代码|A股代码|证券代码|listed_code|stock_code", doc="stock code"),
        _f("other_codes", "list", "B股代码|other_codes|other_listed_codes", doc="the company's other share codes (B share 200xxx/900xxx) → aliases of kind `code`; facts under them link to the company", sep=LIST_SEP),
        _f("legal_rep", headers="法定代表人|法人代表|法人|legal_rep|legal_representative", doc="legal representative"),
        _f("tags", "list", "标签|资质|企业标签|tags", doc="tags such as 专精特新, 高新技术企业", sep=LIST_SEP),
    ),
    "persons": (
        _f("key", headers="人员编号|person_id|id|key", doc="the person's key in its source"),
        _f("name", headers="姓名|人员姓名|name|person_name", required=True, doc="name"),
        _f("gender", headers="性别|gender", doc="gender"),
        _f("birth_year", "number", "出生年份|birth_year", doc="birth year"),
        _f("description", headers="简介|个人简介|description|bio", doc="description"),
    ),
    "roles": (
        _f("person", headers="姓名|人员姓名|人员|person|name|person_name", doc="person name (or use `team`)"),
        _f("person_key", headers="人员编号|person_id|person_key", doc="the person's key in its source (links to persons)"),
        _f("enterprise", headers="企业名称|公司名称|公司全称|工商名称|enterprise|company_name|legal_name", doc="enterprise name"),
        _f("enterprise_uscc", "uscc", "统一社会信用代码|enterprise_uscc|uscc", doc="enterprise credit code"),
        _f("enterprise_key", headers="company_seq|ts_code|enterprise_key", doc="the enterprise's key in the same source"),
        _f("role", headers="角色|职务类型|role|lev", doc="legal_rep/chairman/director/ceo/executive/founder/supervisor (Chinese accepted)"),
        _f("title", headers="职务|职位|title", doc="title as written"),
        _f("start", "date", "任职日期|开始日期|start|begin_date|start_date", doc="start date"),
        _f("end", "date", "离职日期|结束日期|end|end_date", doc="end date"),
        _f("team", "list", "团队|创始团队|team", doc="\"姓名:职务\" pairs, one role row each", sep=LIST_SEP),
        _f("enterprise_code", headers="股票代码|证券代码|stock_code|enterprise_code", doc="the listed enterprise's stock code (601058, 000011.SZ): links to its listed code"),
        _f("gender", headers="性别|gender", doc="the person's gender (男/女, M/F)"),
        _f("birth_year", "number", "出生年份|birth_year", doc="the person's birth year"),
        _f("age", "number", "年龄|age", doc="the person's age on the file's data date (→ birth year)"),
    ),
    "shareholdings": (
        _f("enterprise", headers="企业名称|公司名称|被投企业|enterprise|company_name", required=True, doc="the held enterprise"),
        _f("enterprise_uscc", "uscc", "统一社会信用代码|企业信用代码|enterprise_uscc", doc="its credit code"),
        _f("holder", headers="股东|股东名称|holder|shareholder", required=True, doc="shareholder name"),
        _f("holder_type", headers="股东类型|holder_type", doc="enterprise/person/investor (自然人/企业法人 accepted)"),
        _f("holder_uscc", "uscc", "股东信用代码|holder_uscc", doc="shareholder's credit code"),
        _f("percent", "number", "持股比例|出资比例|percent|share", doc="percent (0–100, \"35.5%\" accepted)"),
        _f("amount", "amount", "认缴出资额|出资额|amount|subscribed", doc="subscribed amount → 万元"),
        _f("start", "date", "出资日期|认缴出资日期|start|start_date", doc="start"),
        _f("end", "date", "退出日期|end|end_date", doc="end"),
    ),
    "branches": (
        _f("parent", headers="企业名称|母公司|总公司|投资方|parent|parent_name", required=True, doc="parent enterprise"),
        _f("parent_uscc", "uscc", "母公司信用代码|parent_uscc", doc="parent credit code"),
        _f("child", headers="分支机构|分支机构名称|被投资企业|对外投资企业|child|child_name", required=True, doc="branch or invested enterprise"),
        _f("child_uscc", "uscc", "分支机构信用代码|被投资企业信用代码|child_uscc", doc="child credit code"),
        _f("kind", headers="类型|kind", doc="branch/subsidiary/investment (分支机构/子公司/对外投资)"),
        _f("date", "date", "成立日期|投资日期|设立日期|date", doc="date opened"),
        _f("percent", "number", "持股比例|投资比例|percent", doc="percent held"),
        _f("region", "region", "所在地|地区|所在地区|region|location", doc="where the child is"),
        _f("address", headers="地址|注册地址|address", doc="child address"),
    ),
    "investors": (
        _f("key", headers="investor_uuid|id|key", doc="key in source"),
        _f("name", headers="投资机构|机构名称|投资方|name|investor_name", required=True, doc="investor name"),
        _f("type", headers="机构类型|投资方类型|type|investor_type", doc="VC/PE/CVC/government_fund/angel/strategic (政府引导基金 accepted)"),
        _f("uscc", "uscc", "统一社会信用代码|uscc", doc="credit code of the investing entity"),
        _f("region", "region", "所在地|地区|所在地区|region|location|city", doc="location"),
        _f("country", headers="国家|country|country_code", doc="country"),
        _f("description", headers="简介|description", doc="description"),
    ),
    "fundings": (
        _f("key", headers="融资编号|funding_round_uuid|key|id", doc="key in source"),
        _f("enterprise", headers="企业名称|公司名称|工商名称|融资企业|项目名称|enterprise|company_name|legal_name|brand_name", required=True, doc="funded enterprise (name, alias or brand)"),
        _f("enterprise_uscc", "uscc", "统一社会信用代码|enterprise_uscc", doc="its credit code"),
        _f("enterprise_key", headers="company_seq|company_permalink|enterprise_key", doc="the enterprise's key in the same source"),
        _f("date", "date", "融资时间|融资日期|日期|披露日期|date|funded_at|announced_on", doc="date"),
        _f("round", headers="融资轮次|轮次|round|funding_round_type|funding_type", doc="round (天使轮, A轮, series-a…)"),
        _f("amount", "amount", "融资金额|金额|amount|amount_raw|raised_amount", doc="amount as text → 万元"),
        _f("amount_usd", "number", "raised_amount_usd|amount_usd", doc="amount in USD (numeric)"),
        _f("currency", headers="币种|currency|raised_currency_code", doc="currency when separate"),
        _f("investors", "list", "投资方|投资机构|投资人|investors|investors_raw|investor_names|investor_name", doc="investors", sep=LIST_SEP),
        _f("lead_investor", headers="领投方|领投机构|lead_investor", doc="lead investor"),
        _f("region", "region", "所在地|地区|所在地区|location_raw|region", doc="enterprise location (helps linking)"),
    ),
    "patents": (
        _f("number", headers="公开(公告)号|公开公告号|公开号|公告号|专利号|publication_number|patent_number|number", required=True, doc="publication number"),
        _f("application_number", headers="申请号|application_number|app_number", doc="application number"),
        _f("title", headers="标题|名称|专利名称|发明名称|title|patent_title", doc="title"),
        _f("abstract", headers="摘要|abstract", doc="abstract"),
        _f("type", headers="专利类型|类型|type|patent_type", doc="invention/utility/design (发明/实用新型/外观设计)"),
        _f("applied", "date", "申请日|申请日期|applied|filing_date|application_date", doc="application date"),
        _f("published", "date", "公开日|公开(公告)日|公告日|published|publication_date|date_published", doc="publication date"),
        _f("granted", "date", "授权日|授权公告日|granted|grant_date", doc="grant date"),
        _f("status", headers="法律状态|当前法律状态|status", doc="legal status"),
        _f("ipc", "list", "IPC分类号|IPC|IPC主分类号|分类号|ipc|ipc_codes", doc="IPC codes (first = main)", sep=";；,，|"),
        _f("applicants", "list", "申请人|专利权人|申请(专利权)人|applicants|applicant_name|assignee", doc="applicants in order", sep=";；,，|"),
        _f("applicant_regions", "list", "申请人地址|申请人所在地|applicant_regions", doc="applicant locations, aligned with applicants", sep=";；|"),
        _f("inventors", "list", "发明人|设计人|inventors|inventor", doc="inventors", sep=";；,，|"),
        _f("cited", "list", "引证专利|引用专利|cited", doc="cited patent numbers", sep=";；,，|"),
    ),
    "news": (
        _f("key", headers="id|key|新闻编号", doc="key in source"),
        _f("title", headers="标题|新闻标题|title", doc="title"),
        _f("body", headers="正文|内容|text|body|content", doc="body text"),
        _f("url", headers="链接|网址|url|link", doc="url"),
        _f("published", "date", "发布时间|发布日期|日期|published|date|pub_date", doc="publication date"),
        _f("outlet", headers="来源|媒体|outlet|source_name|media", doc="outlet"),
        _f("enterprises", "list", "相关企业|涉及企业|主体|事件主体|相关公司|entities|enterprises|companies|subject|company",
           doc="declared enterprise mentions (the companies the item is about)", sep=";；,，|"),
        _f("sentiment", "number", "情感|情感值|sentiment", doc="sentiment −1…1"),
        _f("event_type", headers="事件类型|event_type", doc="event type"),
    ),
    "demands": (
        _f("key", headers="需求编号|场景编号|id|key", doc="key in source"),
        _f("title", headers="需求名称|标题|场景名称|title", required=True, doc="title"),
        _f("description", headers="需求描述|场景描述|描述|内容|description", doc="description"),
        _f("category", headers="需求类别|类别|场景类别|应用领域|category", doc="category (a scenario list's field of application, 应用领域)"),
        _f("node", headers="产业链环节|node", doc="chain node code, when known"),
        _f("organisation", headers="需求单位|发布单位|organisation|organization", doc="the demanding organisation"),
        _f("demander_type", headers="单位类型|demander_type", doc="government/enterprise"),
        _f("region", "region", "所在地|地区|所在地区|区域|region", doc="location"),
        _f("budget", "amount", "预算|预算金额|budget", doc="budget → 万元"),
        _f("published", "date", "发布日期|发布时间|published", doc="published"),
        _f("deadline", "date", "截止日期|截止时间|deadline", doc="deadline"),
        _f("status", headers="状态|status", doc="status"),
        _f("contact", headers="联系人|contact", doc="contact"),
    ),
    "contacts": (
        _f("key", headers="编号|id|key", doc="key in source"),
        _f("name", headers="姓名|联系人|name", required=True, doc="name"),
        _f("organisation", headers="单位|机构|公司|organisation|organization", doc="organisation"),
        _f("title", headers="职务|title", doc="title"),
        _f("phone", headers="电话|手机|phone", doc="phone"),
        _f("email", headers="邮箱|email", doc="email"),
        _f("relation", headers="关系|relation", doc="how the bureau knows them"),
        _f("notes", headers="备注|notes", doc="notes"),
        _f("enterprise", headers="所在企业|enterprise", doc="enterprise they are at (linked by name)"),
        _f("region", "region", "所在地|地区|所在地区|region", doc="location"),
    ),
}


# The fields that make a row of a kind mean something: an import in which no row has any of them is the
# wrong kind of file (a company list imported as fundings would make empty "rounds") and is refused.
# Kinds not listed are meaningful through their required fields alone. (field, label in messages)
MEANINGFUL: dict[str, tuple[tuple[str, str], ...]] = {
    "fundings": (("date", "日期"), ("round", "轮次"), ("amount", "金额"), ("amount_usd", "金额")),
    "patents": (("title", "标题"), ("abstract", "摘要"), ("applicants", "申请人"), ("applied", "申请日"),
                ("published", "公开日"), ("granted", "授权日"), ("ipc", "IPC")),
    "roles": (("person", "姓名"), ("team", "团队")),
    "news": (("title", "标题"), ("body", "正文")),
    "contacts": (("phone", "电话"), ("email", "邮箱"), ("organisation", "单位"), ("enterprise", "所在企业"),
                 ("title", "职务")),
}


# Facts that mean nothing without their enterprise: an import of such a kind in which no file maps any of
# these columns is refused (an executives list whose company column is not recognised would add people
# tied to no enterprise, never to be linked). (field, label in messages)
ENTERPRISE_EVIDENCE: dict[str, tuple[tuple[str, str], ...]] = {
    "roles": (("enterprise", "企业名称"), ("enterprise_uscc", "统一社会信用代码"), ("enterprise_code", "股票代码"),
              ("enterprise_key", "企业在来源中的编号")),
}

# A file's own row numbers (序号 1, 2, 3 … of a bureau's list): no field reads them — they number the rows of one
# file, not the records of a source — and they are left out of the columns an import says it did not read.
ROW_NUMBER_HEADERS = frozenset({"序号", "行号"})


def is_row_number(header: str | None) -> bool:
    """Whether a header is a file's own row number (``ROW_NUMBER_HEADERS``), compared as headers are."""
    return header is not None and _clean_header(header) in ROW_NUMBER_HEADERS


def kind_fields(kind: str) -> dict[str, Field]:
    return {f.name: f for f in KINDS[kind]}


def _clean_header(h: str) -> str:
    import unicodedata

    h = unicodedata.normalize("NFKC", str(h)).strip().lower()
    return "".join(ch for ch in h if not ch.isspace())


def header_unit(header: str | None) -> tuple[str, str | None]:
    """A header's name and the amount unit it states in brackets at its end: 注册资本(万元) and 注册资本（万元） →
    (注册资本, 万元), 融资金额(万美元) → (融资金额, 万美元); a header without one, or whose brackets hold no unit
    (公开(公告)号), → (itself, None). The unit is that of the column's bare numbers."""
    import re

    from .parse.amounts import is_unit

    text = "" if header is None else str(header)
    m = re.match(r"^(.+?)\s*[(（]\s*([^()（）]+?)\s*[)）]\s*$", text)
    if m is None or not is_unit(m.group(2)):
        return text, None
    return m.group(1), m.group(2)


@lru_cache(maxsize=None)
def _known_names(kind: str) -> frozenset[str]:
    return frozenset(_clean_header(h) for f in KINDS[kind] for h in (f.name, *f.headers))


def known_headers(kind: str, cells: list[str | None], extra: tuple[str, ...] = ()) -> int:
    """How many of a row's ``cells`` name a column of ``kind``: a target field's name or a header the kind
    recognises (matched as ``recognise_columns`` matches, a unit in brackets aside), or one of ``extra`` (the
    columns a mapping or preset reads). The importer's test of which row of a file is its header."""
    names = _known_names(kind) | {_clean_header(h) for h in extra}
    return sum(1 for c in cells if c is not None and str(c).strip()
               and (_clean_header(c) in names or _clean_header(header_unit(c)[0]) in names))


def recognise_columns(kind: str, headers: list[str]) -> dict[str, str]:
    """Map target field → source header for the headers we recognise (first match wins).

    Matching ignores case, spaces and full-width/half-width differences ("公开（公告）号" = "公开(公告)号"). An amount
    field's header may state its unit in brackets (注册资本(万元)): the name before them is matched (``header_unit``).
    """
    cleaned = {_clean_header(h): h for h in headers}
    with_unit = {_clean_header(name): h for h in headers for name, unit in [header_unit(h)] if unit}
    result: dict[str, str] = {}
    used: set[str] = set()
    for f in KINDS[kind]:
        for alias in f.headers:
            src = cleaned.get(_clean_header(alias))
            if src is None and f.type == "amount":
                src = with_unit.get(_clean_header(alias))
            if src is not None and src not in used:
                result[f.name] = src
                used.add(src)
                break
    return result
