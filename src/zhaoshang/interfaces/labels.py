"""Display labels, in Chinese and English, of the codes the database stores (event types, shareholder types,
roles, statuses, rounds, tags …) and of the result keys tables show as column headers — one table for the CLI,
the web pages and the reports — and the one way an LQ is printed next to its 强链/延链/补链 label."""

from __future__ import annotations

import math
import re
from typing import Any, Iterable

from ..core.geo.lookup import LEVEL_NAMES
from ..core.numbers import DIGITS, decimal_text, fixed, quantity_text, strength_text  # noqa: F401  (the one rounding of the numbers shown; re-exported)
from ..core.offices import ROLES, TITLES, office_text  # noqa: F401  (the one wording of an office; re-exported)
from ..core.parse.dates import zoned
from ..core.parse.rounds import ROUND_LABELS_EN, ROUND_LABELS_ZH
from ..core.status import STATUS_EN
from ..core.tags import TAG_LABELS_EN
from ..core.writers import list_joiner
from ..services.enterprises import EXPORT_HEADERS as ENTERPRISE_EXPORT_HEADERS
from ..services.event_types import EVENT_TYPES
from ..services.identity_reasons import REASON_LABELS, same_person_text  # noqa: F401  (re-exported)
from ..services.identity_reasons import NODE_KINDS as GRAPH_NODE_TYPES
from ..services.matching.profiles import DEMAND_STATUS_EN
from ..services.monitoring.nlp.events import EVENT_TYPES as NEWS_EVENT_TYPES
from ..services.pipeline import leads as _leads

Pair = tuple[str, str]


def timed(zh: str, en: str) -> Pair:
    """The header of a column of times: its clock named (``时间 (UTC+8)`` / ``Time (UTC+8)``, ``dates.zoned``), the
    cells beneath it China's time to the second, bare (``dates.china_time_text(…, zone=False)``)."""
    return zoned(zh), zoned(en)

ORIGINS: dict[str, Pair] = {"import": ("导入", "import"), "api": ("接口", "API"), "feed": ("新闻源", "feed")}
# a shareholder's type and a branch record's kind (schema: shareholdings.holder_type, branches.kind) in words, not
# as the stored code (the profile's 股东 and 分支机构 read "person", "investor", "investment" in English)
HOLDER_TYPES: dict[str, Pair] = {"person": ("自然人", "individual"), "enterprise": ("企业法人", "company"),
                                 "investor": ("投资机构", "investment institution"), "other": ("其他", "other holder")}
BRANCH_KINDS: dict[str, Pair] = {"branch": ("分支机构", "branch office"), "investment": ("对外投资", "outbound investment"),
                                 "subsidiary": ("子公司", "subsidiary company"),
                                 # the same records seen from the other end: the enterprise is the branch or investee
                                 "parent_branch": ("所属总机构", "head office (this is its branch)"),
                                 "parent_investment": ("投资方（对本企业投资）", "investor (invested in this enterprise)"),
                                 "parent_subsidiary": ("母公司", "parent company")}
# how the bureau came to know a contact (contacts.relation, the 渠道 of the key-contacts table) where a translation is
# known: the channels of the demo's and the bureau's contact lists; another channel is shown as written
CONTACT_CHANNELS: dict[str, Pair] = {k: (k, v) for k, v in {
    "走访企业": "company visit", "展会结识": "met at a trade fair", "产业联盟活动": "industry alliance event",
    "校友引荐": "alumni introduction", "投资机构引荐": "introduced by an investor",
    "招商推介会": "investment promotion event"}.items()}
INVESTOR_TYPES: dict[str, Pair] = {
    "government_fund": ("政府引导基金", "government guidance fund"), "VC": ("风险投资", "venture capital"),
    "PE": ("私募股权", "private equity"), "CVC": ("产业资本", "corporate venture capital"),
    "angel": ("天使投资", "angel investor"), "strategic": ("战略投资", "strategic investor"), "other": ("其他", "other")}
# registry statuses as the registries and the venture lists write them (core/status.py, which the exports read too)
ENTERPRISE_STATUS: dict[str, Pair] = {k: (k, v) for k, v in STATUS_EN.items()}
CHAIN_STATUS: dict[str, Pair] = {"strong": ("优势", "strong"), "average": ("一般", "average"),
                                 "weak": ("薄弱", "weak"), "missing": ("缺失", "missing")}
# a chain node's stage (taxonomy ``stage``)
STAGES: dict[str, Pair] = {"upstream": ("上游", "Upstream"), "midstream": ("中游", "Midstream"), "downstream": ("下游", "Downstream")}
CHAIN_LABEL: dict[str, Pair] = {"强链": ("强链", "strong"), "延链": ("延链", "extend"), "补链": ("补链", "fill")}
# what a lead's segment is for the region: the segment-fit signal's raw value (services/leads/reasons.py: ``gap``,
# ``recommended``, or both joined by "+"), in the words of the 招商线索 page's target chips
SEGMENT_FIT: dict[str, Pair] = {"gap": ("补链", "gap"), "recommended": ("推荐", "recommended")}
# what a top enterprise of a region is ranked by (services.regions.matrix.top_enterprises, ``ranked_by``)
TOP_BASIS: dict[str, Pair] = {"capital": ("注册资本", "capital"), "funding": ("累计融资", "funding"),
                              "listed": ("上市企业", "listed"), "rounds": ("融资轮次", "rounds"), "name": ("名称", "name")}
MAP_PRECISION: dict[str, Pair] = {"address": ("按地址定位", "at the address"), "district": ("按区县定位", "district centre"),
                                  "city": ("按城市定位", "city centre"), "province": ("按省份定位", "province centre")}
# a region's level, in the region service's words (core.geo.lookup.LEVEL_NAMES)
LEVELS: dict[str, Pair] = {k: (w.zh, w.en) for k, w in LEVEL_NAMES.items()}
# what a breakdown by the regions of a level leaves out — the enterprises of the parent (the nation) that no region of
# the level holds: the map's drill-down and side panel, the trends' regions, ``map``; ``{level}`` the level's plural
UNPLACED: Pair = ("另有 {what}未定位到{level}", "{what} not placed in one of the {level}")
# …and the row ``map`` lists them in, so that its rows add up to the parent's count: the nation's, else the level's
# name as the region service gives it there (``lookup.level_name``) and 不详 (地市不详; under Hong Kong 区不详)
UNPLACED_ROW: Pair = ("国内地区不详", "no region in China")
UNPLACED_ROW_OF: Pair = ("{level}不详", "{level} unknown")
ROUNDS: dict[str, Pair] = {k: (ROUND_LABELS_ZH[k], ROUND_LABELS_EN[k]) for k in ROUND_LABELS_ZH}
# a recommendation's PCI is computed over the region × segment matrix of the regions of its level (a macro-region's:
# itself beside the provinces outside it), so one segment's PCI differs between a city's and a district's page: its
# header names the level (the region page, the report and the workbook)
PCI_AMONG: dict[str, Pair] = {"province": ("复杂度 PCI（省级地区间）", "PCI (among provinces)"),
                              "city": ("复杂度 PCI（地级市间）", "PCI (among cities)"),
                              "district": ("复杂度 PCI（区县间）", "PCI (among districts)"),
                              "macro": ("复杂度 PCI（与其外各省份间）", "PCI (beside the provinces outside it)")}
# enterprise tags as stored (高新技术企业, 专精特新 …; core/tags.py); a tag not listed is shown as written
TAGS: dict[str, Pair] = {k: (k, v) for k, v in TAG_LABELS_EN.items()}
MATCHED: dict[str, Pair] = {"uscc": ("信用代码", "credit code"), "listed_code": ("股票代码", "stock code"), "name_exact": ("全称", "full name"),
                            "alias_exact": ("别名", "alias"), "name": ("名称包含", "name contains"),
                            "alias": ("别名包含", "alias contains"),
                            # the query's words, by the field that holds them all (services/search.py: _word_cases)
                            "words_name": ("名称", "name"), "words_english_name": ("英文名称", "English name"),
                            "words_products": ("主营产品", "main products"), "words_scope": ("经营范围", "business scope"),
                            "words_description": ("简介", "description"), "words_industry": ("行业", "industry"),
                            "words_node": ("所属产业链环节", "chain segment placed on"),
                            "words": ("多个字段（名称、产品、经营范围、简介等）", "several fields (name, products, scope, description …)")}
# the kinds of an enterprise's other names (enterprise_aliases.kind)
ALIAS_KINDS: dict[str, Pair] = {"former": ("曾用名", "former name"), "short": ("简称", "short name"),
                                "brand": ("品牌", "brand"), "english": ("英文名", "English name"), "other": ("别名", "alias")}
# how an import linked its facts to enterprises (the import report's linked_by)
LINKED_BY: dict[str, Pair] = {"uscc": ("信用代码", "credit code"), "source_key": ("来源键", "source key"),
                              "name+province": ("全称与省份", "full name and province"),
                              "alias+province": ("曾用全称与省份", "former full name and province"),
                              "listed_code": ("股票代码", "stock code"), "other_code": ("其他股票代码（B 股）", "other stock code (B share)"),
                              "name": ("全称", "full name"), "alias": ("别名", "alias")}
# how a news event's enterprise was linked to the item (services/monitoring/nlp/stored.py, importers/events.py: the
# event's detail ``linked`` and ``method``): declared by the file's company column, or found in the text, and by what
NEWS_LINKED: dict[str, Pair] = {"declared": ("文件声明的相关企业", "declared by the file"),
                                "text": ("正文提及", "found in the text")}
NEWS_LINK_METHODS: dict[str, Pair] = {
    "name": ("全称", "full name"), "alias": ("别名", "alias"),
    "listed_code": ("股票代码", "stock code"), "other_code": ("其他股票代码（B 股）", "other stock code (B share)"),
    # a declared company linked by a later enterprise import in a database written before such links kept their
    # method (core/importers/relink.py): by its name, an alias or a code, which one not recorded
    "declared": ("企业导入后关联", "linked when its enterprise was imported"),
    "text_name": ("全称", "full name"),
    "text_short": ("简称", "short name"), "text_former": ("曾用名", "former name"), "text_brand": ("品牌", "brand"),
    "text_other": ("别名", "alias"), "text_english": ("英文名", "English name"),
    "text_base": ("去掉公司类型的全称", "full name without its legal form"),
    "text_confirmed": ("简称，经其后的股票代码或公司字样确认", "short name confirmed by the stock code or legal form after it"),
    "text_code": ("名称与其后的股票代码", "name with the stock code after it")}


def news_link_text(detail, lang: str = "zh") -> str | None:
    """How a news event's enterprise was linked, in words: ``正文提及「讯飞」（简称）`` / ``文件声明的相关企业「科大讯飞」（别名）``;
    None for an event that does not say (another type, an event derived before the link was recorded)."""
    if not isinstance(detail, dict) or detail.get("linked") not in NEWS_LINKED:
        return None
    i = 1 if lang == "en" else 0
    how = NEWS_LINKED[detail["linked"]][i]
    method = detail.get("method")
    m = NEWS_LINK_METHODS.get(method, (method, method))[i] if method else None
    mention = detail.get("mention")
    if lang == "en":
        return how + (f' "{mention}"' if mention else "") + (f" ({m})" if m else "")
    return how + (f"「{mention}」" if mention else "") + (f"（{m}）" if m else "")


# rows an import kept without a field their kind should have (the import report's kept_without, by code)
KEPT_WITHOUT: dict[str, Pair] = {"published_missing": ("已导入、无发布日期", "imported without a publication date"),
                                 "title_missing": ("已导入、无标题", "imported without a title"),
                                 "region_unknown": ("已导入、无地区（未找到地区）", "imported without a region (region not found)"),
                                 "date_missing": ("已导入、无日期（资本风向等按日期的统计不计）",
                                                  "imported without a date (left out of dated views such as trends)")}

# an import without a data date: its changes are dated by the import day, which never moves the as-of date; the
# dates inside the file (founded, a funding's or a patent's date) may — the summary says which happened
UNDATED_AS_OF: dict[str, Pair] = {
    "stays": ("不移动数据截至日期", "the as-of date does not move"),
    "moved": ("导入日不移动数据截至日期，文件中的日期（成立、融资、专利日期等）使其推进",
              "the import day does not move the as-of date; the file's own dates (founding, funding, patent dates) moved it"),
}

# grounds of a key person's decision power (zhaoshang people): the roles, and these
KEY_GROUNDS: dict[str, Pair] = {**ROLES, "controlling_shareholder": ("控股股东", "controlling shareholder"),
                                "major_shareholder": ("主要股东", "major shareholder"),
                                "lead_investor_partner": ("领投方人员", "person at a lead investor")}

# a scenario demand's status, as the bureau's lists write it
DEMAND_STATUS: dict[str, Pair] = {code: (code, en) for code, en in DEMAND_STATUS_EN.items()}

# the team's roles and the audit log's actions (services/team/roles.py, services/team/audit.py): the admin page and the
# CLI's audit table show these; JSON, CSV and the exports keep the codes
TEAM_ROLES: dict[str, Pair] = {"admin": ("管理员", "administrator"), "analyst": ("分析师", "analyst"),
                               "viewer": ("浏览者", "viewer")}
AUDIT_ACTIONS: dict[str, Pair] = {
    "login": ("登录", "signed in"), "login.failed": ("登录失败", "failed login"),
    "login.throttled": ("登录被限制", "login throttled"), "login.throttle_clear": ("解除登录限制", "login throttle cleared"),
    "logout": ("退出登录", "signed out"),
    "person.read": ("查看个人信息", "personal data read"), "person.confirm": ("确认为同一人", "persons confirmed as one"),
    "person.split": ("确认为不同人", "persons kept apart"), "person.rekey": ("人员决定移至新键", "person decision re-keyed"),
    "export": ("导出", "export"), "audit.export": ("导出审计日志", "audit log exported"),
    "user.add": ("添加用户", "user added"), "user.set_role": ("更改角色", "role changed"),
    "user.disable": ("停用用户", "user disabled"), "user.enable": ("启用用户", "user enabled"),
    "user.reset_password": ("重置密码", "password reset"),
    "token.create": ("创建令牌", "token created"), "token.revoke": ("吊销令牌", "token revoked"),
    "team.backup": ("备份团队数据", "team state backed up"), "team.restore": ("恢复团队数据", "team state restored"),
    "data.import": ("导入数据", "data imported"),
    "data.repair_history": ("修复导入顺序造成的历史", "history repaired (imports out of date order)"),
    "data.classify": ("产业链归类", "chain classification"),
    "alerts.rule_add": ("添加预警规则", "alert rule added"), "alerts.rule_remove": ("删除预警规则", "alert rule removed"),
    "alerts.channels": ("设置预警通道", "alert channels set"), "alerts.read": ("预警标为已读", "alerts marked read"),
    "lead_weights.save": ("保存线索权重", "lead weights saved"),
    "pipeline.add": ("加入线索跟踪", "lead added to the pipeline"), "pipeline.move": ("线索状态变更", "lead status changed"),
    "pipeline.update": ("线索信息更新", "lead updated"),
    "placement.confirm": ("确认环节归类", "placement confirmed"), "placement.remove": ("移除环节归类", "placement removed"),
    "placement.add": ("添加环节归类", "placement added"),
}

# an analyst's decision on a placement (team state ``placement_corrections.action``)
PLACEMENT_ACTIONS: dict[str, Pair] = {"confirm": ("确认", "confirm"), "remove": ("移除", "remove"), "add": ("新增", "add")}

# how a placement came about (``placements.method``): the profile's 方法 column
PLACEMENT_METHODS: dict[str, Pair] = {
    "rules-v1": ("归类规则", "classification rules"),
    "rules-v1+confirmed": ("归类规则，分析师已确认", "rules, confirmed by an analyst"),
    "analyst": ("分析师新增", "added by an analyst"), "declared": ("导入的标签", "an import's label")}

# the state of an alert's delivery (team state ``alert_deliveries.status``)
DELIVERY_STATUS: dict[str, Pair] = {"pending": ("待发", "pending"), "done": ("已发", "sent"), "dead": ("死信", "dead letter")}

# an enterprise's columns, as an import's summary or a repair names them (``enterprises``)
ENTERPRISE_FIELDS: dict[str, Pair] = {
    "name": ("名称", "name"), "uscc": ("信用代码", "credit code"), "english_name": ("英文名称", "English name"),
    "legal_form": ("企业类型", "legal form"), "status": ("登记状态", "status"), "founded": ("成立日期", "founded"),
    "dissolved": ("注销日期", "dissolved"), "capital_wan": ("注册资本", "capital"),
    "capital_text": ("注册资本（原文）", "capital as written"), "country": ("国家", "country"),
    "province_code": ("省份", "province"), "city_code": ("城市", "city"), "district_code": ("区县", "district"),
    "region_text": ("地区（原文）", "region as written"), "address": ("地址", "address"), "lat": ("纬度", "latitude"),
    "lng": ("经度", "longitude"), "industry_code": ("行业代码", "industry code"), "industry": ("行业", "industry"),
    "scope": ("经营范围", "business scope"), "description": ("简介", "description"), "products": ("产品", "products"),
    "website": ("网站", "website"), "listed_code": ("股票代码", "stock code"), "legal_rep": ("法定代表人", "legal representative"),
    "tags": ("标签", "tags"),
}

# whether an attraction mode is suggested for a region (services/recommend.py: ``suggested``), as the region page and
# ``zhaoshang recommend`` say it: a mode not suggested is said so, never left blank
MODE_SUGGESTED: dict[str, Pair] = {"yes": ("建议采用", "suggested"), "no": ("暂不具备条件", "not suggested"),
                                    "unknown": ("数据不足，无法判断", "cannot be judged: no data")}
# one criterion of an attraction mode: met, not met, or unknown (its value is missing)
MODE_CRITERION: dict[str, Pair] = {"yes": ("满足", "met"), "no": ("未满足", "not met"), "unknown": ("数据不足", "no data")}
# how an attraction mode combines its criteria (data/recommend.yaml modes[].require): every one, or any one
MODE_REQUIRE: dict[str, Pair] = {"all": ("全部满足", "all criteria met"), "any": ("任一满足", "any criterion met")}

# why two same-name person records are linked or kept apart (services/graph/identity.py: its rules, decisions, vetoes)
IDENTITY_REASONS: dict[str, Pair] = REASON_LABELS

# the rankings a backtest compares (the scorecard's and the leads' backtests; the methods page and the CLI tables)
BACKTEST_MODELS: dict[str, Pair] = {
    "score_hand": ("评分（人工权重）", "score (hand weights)"),
    "score_learned": ("评分（截至日前学习的权重，回测方法，企业评估未采用）",
                      "score (weights learned before the date: the backtest's method, not the scorecard's)"),
    "total_raised": ("仅融资总额", "total raised alone"), "months_since_round": ("仅距上轮月数", "months since last round alone"),
    "founding_year": ("仅成立年份", "founding year alone"), "random": ("随机", "random"),
    "lead_score": ("线索得分", "lead score"), "lead_score_compare": ("线索得分（对比权重）", "lead score (compared weights)"),
    "baseline_funding": ("仅融资总额", "total funding alone"), "baseline_random": ("随机", "random")}

# a lead's statuses and sources, as the pipeline service names them
LEAD_STATUS: dict[str, Pair] = {k: (_leads.STATUS_ZH[k], _leads.STATUS_EN[k]) for k in _leads.STATUSES}
DATA_KINDS: dict[str, Pair] = {"enterprises": ("企业", "enterprises"), "persons": ("人员", "persons"),
                               "roles": ("任职", "roles"), "shareholdings": ("股东持股", "shareholdings"),
                               "branches": ("分支机构与对外投资", "branches and investments"),
                               "investors": ("投资机构", "investors"), "fundings": ("融资事件", "fundings"),
                               "patents": ("专利", "patents"), "news": ("新闻", "news"), "demands": ("需求清单", "demands"),
                               "contacts": ("联系人", "contacts"),
                               # not an import: the region resources file a report's attraction modes read
                               "resources": ("地区资源", "region resources")}


# the kinds of the cooperation network between regions (services.analytics.network.KINDS)
NETWORK_KINDS: dict[str, Pair] = {"patent": ("联合申请专利", "co-applied patents"), "investment": ("跨地区投资", "investments"),
                                  "branch": ("分支机构与对外投资", "branches and outbound investment"),
                                  "people": ("共同任职", "shared people"), "all": ("全部关系", "all links")}
# the kinds of a relationship graph's node: GRAPH_NODE_TYPES (services/identity_reasons.py NODE_KINDS)
# the same kinds as one region's links with a partner region (services.region_profile: the partners' chart legend on
# the region page, the partners' table of the page, the report and its workbook): short words for a header
PARTNER_KINDS: dict[str, Pair] = {"patent": ("联合专利", "Co-patents"), "investment": ("投资", "Investment"),
                                  "branch": ("分支机构", "Branches"), "people": ("共同任职", "Shared people")}


VOCABULARIES: dict[str, dict[str, Pair]] = {
    "enterprise_field": ENTERPRISE_FIELDS,
    "alias_kind": ALIAS_KINDS,
    "event": EVENT_TYPES, "holder": HOLDER_TYPES, "branch": BRANCH_KINDS, "role": ROLES, "investor": INVESTOR_TYPES,
    "contact_channel": CONTACT_CHANNELS, "title": TITLES,
    "gender": {"男": ("男", "male"), "女": ("女", "female")},  # a person's gender as the importers store it
    "ent_status": ENTERPRISE_STATUS, "chain_status": CHAIN_STATUS, "chain_label": CHAIN_LABEL, "segment_fit": SEGMENT_FIT,
    "top_basis": TOP_BASIS,
    "precision": MAP_PRECISION, "level": LEVELS, "round": ROUNDS, "matched": MATCHED, "origin": ORIGINS,
    "news_event": NEWS_EVENT_TYPES,  # event types of news items (data/nlp/event_types.yaml)
    "ground": KEY_GROUNDS, "demand_status": DEMAND_STATUS, "tag": TAGS, "kept_without": KEPT_WITHOUT,
    "undated_as_of": UNDATED_AS_OF, "team_role": TEAM_ROLES, "audit_action": AUDIT_ACTIONS, "placement_action": PLACEMENT_ACTIONS,
    "placement_method": PLACEMENT_METHODS, "delivery_status": DELIVERY_STATUS,
    "identity_reason": IDENTITY_REASONS, "backtest_model": BACKTEST_MODELS,
    "lead_status": LEAD_STATUS, "data_kind": DATA_KINDS, "stage": STAGES, "linked_by": LINKED_BY, "mode_suggested": MODE_SUGGESTED,
    "mode_criterion": MODE_CRITERION, "mode_require": MODE_REQUIRE,
    "job_state": {"done": ("完成", "done"), "failed": ("失败", "failed"), "queued": ("排队中", "queued"),
                  "running": ("进行中", "running")},
    "via": {"cli": ("命令行", "command line"), "web": ("网页", "web page")},
    # a news feed's last fetch (services/monitoring/feeds.py: ok, not_modified, error), on the page and in the CLI
    "feed_status": {"ok": ("正常", "ok"), "not_modified": ("无更新", "not modified"), "error": ("出错", "error")},
    "login_failure": {"password": ("密码错误", "wrong password"), "disabled": ("账号已停用", "account disabled")},
    "lead_source": _leads.SOURCE_LABELS, "network_kind": NETWORK_KINDS, "graph_node": GRAPH_NODE_TYPES, "partner_kind": PARTNER_KINDS,
    # the record an alert's evidence names (its table) and how an explained method combines its parts (by method)
    "evidence_table": {"monitor_events": ("实时事件", "live event"), "events": ("事件", "event"),
                       "fundings": ("融资记录", "funding round"), "news": ("新闻", "news item"),
                       "branches": ("分支机构记录", "branch record"), "enterprise_history": ("企业变更记录", "registry change"),
                       "patents": ("专利", "patent"), "enterprises": ("企业", "enterprise"),
                       "investors": ("投资方", "investor"), "roles": ("人员职务", "role"),
                       "patent_applicants": ("专利申请人记录", "patent applicant")},
    # the method an explained result names (its ``method``), as the scorecard's head says it beside its version
    "explained_method": {"scorecard": ("评分卡", "scorecard")},
    "formula": {"alert_rule": ("规则的每个条件都成立（且）；条件中的多项只需满足一项（或）",
                               "every condition of the rule holds (AND); one item of a list suffices (OR)"),
                # services.matching.match.FORMULA, the score of a demand–enterprise pair
                "match.hybrid": ("w_bm25·BM25/max + w_nodes·节点一致度 + w_sem·语义相似度",
                                 "w_bm25·BM25/max + w_nodes·node agreement + w_sem·semantic similarity")},
    # the columns of the complexity matrix (services.analytics.complexity.region_node_matrix)
    "node_set": {"segment": ("环节（含下级节点）", "segments (sub-nodes included)"),
                 "placed": ("企业所归节点（环节与子节点分列）", "placed nodes (segments and sub-nodes apart)"),
                 "ipc_subclass": ("IPC 小类", "IPC subclasses")},
}

# column headers of result keys (CLI tables, report tables); a key not listed is shown as it is
COLUMNS: dict[str, Pair] = {
    "rank": ("排名", "Rank"), "id": ("编号", "ID"), "power": ("决策权", "Power"), "grounds": ("依据", "Grounds"),
    "since": ("起始", "Since"), "start_node": ("起点", "Start"), "key_person": ("关键人", "Key person"),
    "path": ("路径", "Path"), "code": ("代码", "Code"), "node": ("环节代码", "Node"),
    "node_code": ("环节代码", "Node"), "name": ("名称", "Name"), "name_zh": ("环节", "Segment"),
    "name_en": ("环节", "Segment"), "node_name": ("环节", "Segment"), "segment": ("环节", "Segment"),
    "level": ("层级", "Level"), "count": ("企业数", "Enterprises"), "national_count": ("全国企业数", "National"),
    "share": ("全国占比", "Share"), "lq": ("区位商（对产业链企业）", "LQ (vs chain enterprises)"),
    # concentration's LQ: the industry's share over the share of all enterprises (not of the chain's)
    "lq_all": ("区位商（对全部企业）", "LQ (vs all enterprises)"), "label": ("判断", "Label"),
    "region_total": ("AI 企业总数", "AI total"), "value": ("数值", "Value"), "rca": ("RCA", "RCA"), "mcp": ("Mcp", "Mcp"),
    "density": ("关联密度", "Density"), "feasibility": ("可行性分位", "Feasibility"), "feasibility_pct": ("可行性分位", "Feasibility pct"),
    "value_pct": ("价值分位", "Value pct"), "pci": ("PCI", "PCI"),
    "eci": ("ECI", "ECI"), "coi": ("COI", "COI"), "cog": ("COG", "COG"), "value_score": ("价值", "Value"),
    "score": ("综合得分", "Score"), "quadrant": ("象限", "Quadrant"), "quadrant_label": ("象限", "Quadrant"),
    "funding_cagr": ("融资增速", "Funding CAGR"), "patent_cagr": ("专利增速", "Patent CAGR"),
    "funding_growth": ("全国融资增长", "Funding growth"), "patent_growth": ("全国专利增长", "Patent growth"),
    "national_funding_wan": ("全国融资额（万元）", "National funding (10k CNY)"),
    "mode": ("模式", "Mode"), "mode_name": ("招商模式", "Mode"), "suggested": ("建议", "Suggested"), "title": ("标题", "Title"),
    "evidence": ("依据", "Evidence"), "reason": ("理由", "Reason"), "reasons": ("理由", "Reasons"), "strength": ("强度", "Strength"),
    "quarter": ("季度", "Quarter"), "period": ("期间", "Period"), "year": ("年份", "Year"),
    "amount_wan": ("金额（万元）", "Amount (10k CNY)"), "amount_yi": ("金额（亿元）", "Amount (100M CNY)"),
    "rounds": ("融资轮次", "Rounds"), "lead_rounds": ("领投轮次", "Lead rounds"), "disclosed": ("披露金额的轮次", "Rounds with amount"),
    "estimated": ("估算金额的轮次", "Rounds with an estimated amount"),
    "estimated_wan": ("其中估算（万元）", "Of it estimated (10k CNY)"),
    "undisclosed": ("未披露金额的轮次", "Rounds without amount"), "events": ("事件数", "Events"), "deals": ("融资事件", "Deals"),
    "n": ("数量", "Count"), "investor": ("投资方", "Investor"), "investor_name": ("投资方", "Investor"), "type": ("类型", "Type"),
    "enterprises": ("企业数", "Enterprises"), "regions": ("地区", "Regions"), "top_regions": ("主要投向", "Top destinations"),
    "top_nodes": ("主要环节", "Top segments"), "region": ("地区", "Region"), "region_name": ("地区名称", "Region name"),
    "enterprise": ("企业", "Enterprise"), "enterprise_name": ("企业", "Enterprise"),
    "in_group": ("组内", "In group"), "degree": ("度", "Degree"), "pagerank": ("PageRank", "PageRank"),
    "betweenness": ("介数", "Betweenness"), "betweenness_norm": ("介数（归一）", "Betweenness (norm.)"), "cagr_enterprises": ("企业数增速", "Enterprises CAGR"),
    "cagr_funding": ("融资增速", "Funding CAGR"), "cagr_patents": ("专利增速", "Patents CAGR"),
    "table": ("表", "Table"), "rows": ("行数", "Rows"), "source": ("来源", "Source"), "kind": ("类别", "Kind"),
    "date": ("日期", "Date"), "round_zh": ("轮次", "Round"), "round": ("轮次", "Round"),
    "amount_text": ("金额", "Amount"), "investors_text": ("投资方", "Investors"), "role": ("职务", "Role"),
    "holder_name": ("股东", "Shareholder"), "holder_type": ("股东类型", "Type"), "percent": ("持股比例", "Share"),
    "number": ("专利号", "Number"), "applied": ("申请日", "Applied"), "main_ipc": ("主分类号", "Main IPC"),
    "child_name": ("企业", "Enterprise"), "confidence": ("置信度", "Confidence"), "reading": ("依据解读", "Why placed"), "records": ("记录数", "Records"),
    "last_imported": timed("最近导入", "Last imported"), "data_date": ("数据日期", "Data date"),
    "imported_at": timed("导入时间", "Imported at"), "file": ("文件", "File"), "status": ("状态", "Status"),
    "uscc": ("信用代码", "Credit code"), "founded": ("成立", "Founded"), "matched": ("匹配", "Matched"),
    "item": ("项目", "Item"),
    # lead mining
    "segment_name": ("环节", "Segment"), "reasons_text": ("理由", "Reasons"), "enterprise_id": ("企业编号", "Enterprise ID"),
    "version": ("版本", "Version"), "saved_by": ("保存人", "Saved by"), "saved_at": timed("保存时间", "Saved at"),
    "fitted_as_of": ("学习截至日", "Fitted as of"), "horizon_days": ("期限（天）", "Horizon (days)"),
    "weights": ("权重", "Weights"),
    # the lead pipeline
    "status_label": ("状态", "Status"), "owner": ("负责人", "Owner"), "next_action": ("下一步", "Next action"),
    "next_action_date": ("下一步日期", "Due"), "overdue": ("督办", "Overdue"), "lead_id": ("线索", "Lead"),
    "signed": ("已签约", "Signed"), "landed": ("已落地", "Landed"), "landing_rate": ("落地率", "Landing rate"),
    "mean_days_to_land": ("平均落地天数", "Mean days to land"), "median_days_to_land": ("落地天数中位数", "Median days to land"),
    "kind_label": ("落地形式", "Landing form"), "entity": ("本地主体", "Local entity"), "landed_on": ("落地日期", "Landed on"),
    "signed_on": ("签约日期", "Signed on"), "actor": ("操作人", "By"), "at": ("时间", "At"), "field": ("字段", "Field"),
    "from_value": ("原值", "From"), "to_value": ("新值", "To"),
    # alerts
    "types": ("事件类型", "Event types"), "conditions": ("条件", "Conditions"), "channels": ("推送渠道", "Channels"),
    "enabled": ("启用", "Enabled"), "event_date": ("事件日期", "Event date"), "rule_name": ("规则", "Rule"),
    "event_type_label": ("事件类型", "Event type"), "read": ("已读", "Read"), "channel": ("渠道", "Channel"),
    "target": ("投递地址", "Target"), "attempts": ("尝试次数", "Attempts"), "next_at": timed("下次尝试", "Next attempt"),
    "last_error": ("最近错误", "Last error"), "alert_id": ("预警", "Alert"),
    # scenario matching
    "demand_id": ("需求编号", "Demand ID"), "demand_ref": ("匹配需求编号", "Matched demand No."),
    "demand_title": ("匹配需求", "Matched demand"), "matched_enterprise": ("匹配企业", "Matched enterprise"),
    "matched_uscc": ("匹配企业信用代码", "Matched enterprise credit code"), "ref": ("编号", "No."), "expired": ("截止情况", "Deadline passed"),
    "organisation": ("需求单位", "Organisation"), "contact": ("联系人", "Contact"), "bm25": ("BM25", "BM25"), "node_agreement": ("节点一致", "Node agreement"),
    "similarity": ("语义相似度", "Similarity"), "matched_terms": ("匹配词", "Matched terms"),
    "matched_nodes": ("匹配环节", "Matched segments"), "segments": ("环节", "Segments"),
    "budget_wan": ("预算（万元）", "Budget (10k CNY)"), "deadline": ("截止日期", "Deadline"), "published": ("发布日期", "Published"),
    # monitoring
    "type_label": ("类型", "Type"), "origin": ("途径", "Via"), "origin_label": ("途径", "Via"),
    "sentiment": ("情感", "Sentiment"), "feed": ("新闻源", "Feed"), "fetched": ("获取", "Fetched"),
    "items_new": ("新条目", "New items"), "events_new": ("新事件", "New events"), "events_merged": ("并入已有事件", "Reports of known events"), "error": ("错误", "Error"),
    "merged": ("合并重复", "Merged"), "last_error": ("最近错误", "Last error"),
    "error_detail": ("技术详情", "Technical detail"), "last_error_detail": ("技术详情", "Technical detail"),
    "http_status": ("HTTP 状态", "HTTP status"), "sources": ("来源数", "Sources"),
    "last_run": timed("最近运行", "Last run"), "last_status": ("最近状态", "Last status"), "items_total": ("累计条目", "Items total"),
    "next_run": timed("下次运行", "Next run"),
    # scorecard
    "dimension": ("维度", "Dimension"), "signal": ("信号", "Signal"), "raw": ("原始值", "Raw"),
    "percentile": ("百分位", "Percentile"), "weight": ("权重", "Weight"), "contribution": ("贡献", "Contribution"),
    "coefficient": ("系数", "Coefficient"),
    # status, presets, users, person links
    "imports": ("导入次数", "Imports"), "partial_imports": ("其中部分导出（未标记未出现）", "Of which partial (nothing marked absent)"),
    "rows_read": ("读取行数", "Rows read"), "rows_imported": ("新增行数", "Rows new"),
    "rows_updated": ("更新行数", "Rows updated"), "last_import": timed("最近导入", "Last import"),
    "preset": ("预设", "Preset"), "description": ("说明", "Description"), "disabled": ("已停用", "Disabled"),
    "created_at": timed("创建时间", "Created"), "last_seen": timed("最近活动", "Last seen"), "tokens": ("有效令牌", "Tokens"),
    "a": ("记录 A", "Record A"), "b": ("记录 B", "Record B"),
    # stored scores, backtests, the matching index, alert channels and digests, tokens, the audit log
    "as_of": ("截至", "As of"), "scored": ("已评分", "Scored"),
    "insufficient": ("数据不足", "Insufficient data"), "mean_total": ("平均总分", "Mean total"),
    "mean_confidence": ("平均置信度", "Mean confidence"), "model": ("模型", "Model"), "auc": ("AUC", "AUC"),
    "documents": ("文档数", "Documents"), "fingerprint": ("指纹", "Fingerprint"), "seconds": ("用时（秒）", "Seconds"),
    "email": ("电子邮箱", "E-mail"), "webhook_url": ("Webhook 地址", "Webhook URL"),
    "webhook_secret_set": ("已设 Webhook 密钥", "Webhook secret set"), "lang": ("摘要语言", "Digest language"), "marked": ("标为已读", "Marked read"),
    "subject": ("主题", "Subject"),
    "alerts": ("预警数", "Alerts"), "user": ("用户", "User"), "prefix": ("前缀", "Prefix"),
    "delivery_id": ("投递编号", "Delivery"), "recipient": ("收件人", "To"), "delivered": ("本次投递", "Delivery run"),
    "last_used_at": timed("最近使用", "Last used"), "revoked_at": timed("吊销时间", "Revoked"), "action": ("操作", "Action"),
    "detail": ("详情", "Detail"), "ip": ("IP 地址", "IP address"),
    "failures": ("失败次数", "Failures"), "account_failures": ("该用户名共", "Name, all addresses"),
    "last_failure": timed("最近失败", "Last failure"), "throttled_until": timed("限制至", "Throttled until"),
    "scope": ("限制范围", "Scope"),
    # analysts' decisions on placements (placements list / counts)
    "chain": ("产业链", "Chain"), "user_name": ("操作人", "By"), "decided_at": timed("时间", "Time"),
    "enterprise_uscc": ("信用代码", "Credit code"), "confirmed": ("确认", "Confirmed"), "removed": ("移除", "Removed"),
    "added": ("新增", "Added"), "corrected": ("更正合计", "Corrected"),
}


# the enterprise export's keys, as its headers read (one table: services.enterprises.EXPORT_HEADERS)
COLUMNS.update({k: v for k, v in ENTERPRISE_EXPORT_HEADERS.items() if k not in COLUMNS})

# a region's chain rows (services.regions.matrix): the stage and the mixes beside the nation's
COLUMNS.update({"stage_name": ("阶段", "Stage"), "region_mix": ("本地结构占比", "Local mix"),
                "national_mix": ("全国结构占比", "National mix")})

# the region report's tables (the region page, the PDF/HTML report and the workbook: interfaces/reports), by table:
# the headers that say more there than the shared COLUMNS (the local count beside the nation's, the partner region,
# a lead's own score …); every other key of a table is headed as COLUMNS heads it
REPORT_COLUMNS: dict[str, dict[str, Pair]] = {
    "leads": {"name": ("企业", "Enterprise"), "score": ("线索得分", "Score"), "enterprise_id": ("企业编号", "Id")},
    "chain": {"code": ("环节代码", "Code"), "name_zh": ("产业链环节", "Segment"), "count": ("本地企业数", "Local"),
              "share": ("占全国比重", "Share of nation")},
    "map": {"name": ("地区", "Region"), "share": ("占全国比重", "Share of nation"), "code": ("地区代码", "Code"),
            "region_total": ("产业链企业数", "Chain enterprises"), "highlight": ("本地区", "This region")},
    "partners": {"name": ("合作地区", "Partner"), "weight": ("联系强度", "Weight"), "share": ("占比", "Share"),
                 **{k: PARTNER_KINDS[k] for k in ("patent", "branch", "people")},  # investments by direction:
                 "investment_out": ("对外投资", "Invests there"), "investment_in": ("吸引投资", "Invested from"),
                 "region": ("地区代码", "Code")},
    "recommend": {"name_zh": ("推荐环节", "Segment"), "quadrant_zh": ("象限", "Quadrant"), "count": ("本地企业数", "Local"),
                  "pci": ("复杂度 PCI", "PCI"), "cog": ("机会增益 COG", "COG"),
                  "funding_cagr": ("全国融资增速", "Funding CAGR"), "patent_cagr": ("全国专利增速", "Patent CAGR"),
                  "node": ("环节代码", "Code")},
    "modes": {"code": ("代码", "Code"), "name": ("招商模式", "Mode"),
              "require": ("条件要求", "Criteria required"), "criteria": ("依据（✓ 满足）", "Criteria"),
              "action": ("做法", "Action")},
    "trend_nodes": {"name_zh": ("产业链环节", "Segment"), "rounds": ("融资事件", "Rounds"),
                    "amount_wan": ("金额（万元，含估算）", "Amount (10k CNY, estimates included)")},
    "investors": {"name": ("投资方", "Investor"), "city_name": ("所在城市", "City"), "rounds": ("参与轮次", "Rounds"),
                  "enterprises": ("投资企业数", "Enterprises"), "amount_wan": ("参与轮次金额（万元）", "Round amounts (10k CNY)"),
                  "nodes": ("主要环节", "Top segments")},
    "quarters": {"period": ("季度", "Quarter"), "rounds": ("融资事件", "Rounds"),
                 "amount_wan": ("金额（万元，含估算）", "Amount (10k CNY, estimates included)"),
                 "enterprises": ("融资企业数", "Enterprises")},
    "top": {"rank": ("序号", "#"), "name": ("企业名称", "Enterprise"), "district": ("所在区县", "District"),
            "nodes": ("产业链环节", "Segments"), "capital_wan": ("注册资本（万元）", "Capital (10k CNY)"),
            "founded": ("成立日期", "Founded"), "fundings": ("融资次数", "Rounds"), "funding_wan": ("融资总额（万元）", "Funding (10k CNY)"),
            "id": ("企业编号", "Id"), "last_funding": ("最近融资", "Last funding"), "ranked_by": ("排序依据", "Ranked by")},
}


def report_column(table: str, key: str) -> Pair:
    """The (zh, en) header of ``key`` in the region report's ``table`` (``REPORT_COLUMNS``, else ``COLUMNS``)."""
    return REPORT_COLUMNS.get(table, {}).get(key) or COLUMNS[key]


def report_headers(table: str, **same: str) -> dict[str, Pair]:
    """The region report's own headers of ``table``, for a CLI table of the same rows (``emit(headers=…)``): a key
    reads the same in the command's table as in the report, the page and the workbook. ``same``: a key of the
    command's rows that holds the report's key (``name="name_zh"``: the segment's name in the UI language)."""
    return {**REPORT_COLUMNS[table], **{k: report_column(table, v) for k, v in same.items()}}


def label(vocab: str, value: Any, lang: str = "zh") -> str:
    """The label of a stored code in the given vocabulary; an unknown code is shown as it is."""
    if value is None or value == "":
        return ""
    pair = VOCABULARIES[vocab].get(str(value))
    return str(value) if pair is None else pair[lang == "en"]


def list_text(items: Iterable[Any] | None, lang: str = "zh") -> str:
    """A list's items in one text, joined as ``lang`` joins them (、 / ", ": ``core.writers.list_joiner``, the
    exports' too): a round's investors on an English profile read 'Sequoia China, IDG Capital', not with 、; items with
    commas of their own by "; "."""
    shown = [str(x) for x in items or () if x is not None and str(x) != ""]
    return list_joiner(lang, shown).join(shown)


def segment_fit_text(raw: Any, lang: str = "zh") -> str:
    """A lead's segment-fit raw value in words: ``gap+recommended`` → 补链、推荐 / gap, recommended (a list in a
    cell, joined as the CLI's tables join one)."""
    return list_text((label("segment_fit", c, lang) for c in str(raw or "").split("+") if c), lang)


def news_types_text(primary: str | None, others: list | None, lang: str = "zh") -> str:
    """A news item's event types as one cell: the primary type first, the others its text also states after it —
    ``扩张/新建/投资设厂（另：融资）`` / ``expansion / new plant (also: funding round)``."""
    head = label("event", primary, lang)
    rest = [label("event", a.get("type") if isinstance(a, dict) else a, lang) for a in others or ()]
    if not rest:
        return head
    return f"{head}（另：{'、'.join(rest)}）" if lang != "en" else f"{head} (also: {', '.join(rest)})"


def alert_type_text(alert: dict, lang: str = "zh") -> str:
    """An alert's event type as one cell: the item's type, or — when the rule fired on another type the item's text
    states — that type first, the primary after it: ``融资（主类型：扩张/新建/投资设厂）`` /
    ``funding round (primary type: expansion / new plant)``, so a 融资 rule is not seen to fire on an expansion."""
    from ..services.alerts.feed import matched_type

    head = label("event", alert.get("event_type"), lang)
    code, other = matched_type(alert.get("explain"))
    if not (code and other):
        return head
    m = label("event", code, lang)
    return f"{m}（主类型：{head}）" if lang != "en" else f"{m} (primary type: {head})"


def segments_beyond_text(rows: list[dict], lang: str = "zh", *, codes: bool = False) -> str:
    """The candidate segments ranked below a list's cut, named with their rank (and code), a 补链 one with its
    label and status: ``通用大模型（#16）、金融AI（#18，补链·薄弱）`` / ``General LLMs (#16), Financial AI (#18, fill: weak)``
    — the region report, its page and ``zhaoshang recommend`` say them alike."""
    en = lang == "en"
    out = []
    for r in rows:
        bits = ([r["node"]] if codes else []) + [f"#{r['rank']}"]
        if r.get("label") == "补链":
            bits.append(label("chain_label", "补链", lang) + (": " if en else "·") + label("chain_status", r.get("status"), lang))
        name = (r.get("name_en") if en else None) or r.get("name_zh") or r["node"]
        out.append(f"{name} ({', '.join(bits)})" if en else f"{name}（{'，'.join(bits)}）")
    return (", " if en else "、").join(out)


def labelled(rows: list[dict], key: str, vocab: str, lang: str = "zh") -> list[dict]:
    """Rows with the stored code under ``key`` shown by its label (tables and exports in the UI language)."""
    return [{**r, key: label(vocab, r[key], lang)} if key in r else r for r in rows]


# the scorecard's columns, one wording wherever a card is shown (the profile's 企业评估 and a pipeline lead's 企业评分 on
# the web, the ``score`` command's table): a weight or a contribution says whether it is within the dimension or of the
# total (a dimension's share of the total, 0.0476, and a signal's weight in its dimension, 0.4, were both 权重)
SCORECARD_COLUMNS: dict[str, Pair] = {
    "dimension": ("维度", "Dimension"), "score": ("得分", "Score"), "share": ("占总分权重", "Share of total"),
    "coverage": ("覆盖", "Coverage"), "signal": ("信号", "Signal"), "raw": ("原始值", "Raw"),
    "percentile": ("百分位", "Percentile"), "weight": ("维度内权重", "Weight in dimension"),
    "contribution": ("对维度得分的贡献", "Contribution to dimension"),
    "total_contribution": ("对总分的贡献", "Contribution to total"), "evidence": ("依据数据", "Rows")}
# what each of those says, in a header's tooltip
SCORECARD_HINTS: dict[str, Pair] = {
    "share": ("该维度在总分中的占比（已有维度的权重之比，合计为 1）",
              "the dimension’s share of the total (its weight over the present dimensions’, adding up to 1)"),
    "weight": ("该信号在其维度得分中的占比（该维度已有信号的权重之比，合计为 1）",
               "the signal’s share of its dimension’s score (its weight over the dimension’s present signals’, adding up to 1)"),
    "contribution": ("维度内权重 × 百分位；同一维度的合计即维度得分",
                     "weight in dimension × percentile; a dimension’s add up to its score"),
    "total_contribution": ("占总分权重（维度占总分权重 × 维度内权重）× 百分位；全部合计即总分",
                           "share of the total (the dimension’s share × the weight in dimension) × percentile; all add up to the total"),
    "evidence": ("该信号由哪些记录算出：表与记录编号（投资方质量：记录最好的投资方及其投资与再融资数）",
                 "the rows the signal was computed from: table and row ids (investor quality: the investor with the best "
                 "record, what it funded and what raised again)")}


def evidence_text(part: dict, lang: str = "zh", *, limit: int | None = 12) -> str:
    """The rows a scorecard signal was computed from, in words for a table cell or an export: each table with its
    row ids or keys (``融资记录 #441、#443``; ``limit`` named, then how many more; None: all of them), 无 / none for a kind with no row,
    investor quality's investor and its record, total raised's estimated part (含估算 …) first."""
    en = lang == "en"
    detail = part.get("detail") or {}
    out = [x for x in (detail.get("investor_text"), detail.get("amount_note")) if x]
    for r in part.get("evidence") or []:
        name = label("evidence_table", r.get("table"), lang)
        ids = r.get("ids")
        if ids is None:  # registry changes: their dates
            ids = [v for k, v in (r.get("where") or {}).items() if k != "enterprise_id" and isinstance(v, list)]
            ids = ids[0] if ids else []
        if r.get("table") == "enterprises" and (r.get("where") or {}).get("raised_again") is not None:
            name = "its portfolio" if en else "所投企业"
        limit = len(ids) if limit is None else limit
        shown = ", ".join(f"#{i}" for i in ids[:limit]) if en else "、".join(f"#{i}" for i in ids[:limit])
        more = len(ids) - limit
        if more > 0:
            shown += f" (+{more} more)" if en else f"（另 {more} 条）"
        out.append(f"{name} {shown or ('none' if en else '无')}")
    return "; ".join(out) if en else "；".join(out)


# the kind of source a scorecard signal is read from (signals.SOURCE_OF), in "no … source" sentences
SCORECARD_SOURCES: dict[str, Pair] = {
    "fundings": ("融资", "funding"), "amounts": ("融资金额", "funding amount"), "investors": ("投资方", "investor"),
    "patents": ("专利", "patent"), "branches": ("分支机构", "branch"), "capital_changes": ("注册资本变更", "capital change"),
    "news": ("新闻", "news"), "roles": ("人员", "people"), "risk": ("新闻、司法或风险事件", "news, legal or risk event")}


def not_covered_text(detail: dict, lang: str = "zh", *, short: bool = False) -> str:
    """Why a scorecard signal is not covered (its ``detail``): no source of its kind was imported at all
    (``none_imported``), or none that was lists the enterprise. ``short``: the table cell's words."""
    zh, en = SCORECARD_SOURCES.get(detail.get("not_covered_by") or "fundings", ("", ""))
    if detail.get("none_imported"):
        return (f"not covered (no {en} source imported)" if short else f"no {en} source imported") if lang == "en" \
            else (f"未覆盖（未导入{zh}来源）" if short else f"未导入{zh}来源")
    return (f"not covered (no {en} source lists it)" if short else f"no imported {en} source lists this enterprise") \
        if lang == "en" else (f"未覆盖（{zh}来源未列入）" if short else f"没有导入的{zh}来源列入该企业")


# the audit log's columns (its table on 管理, the command's table, the export) where the shared table's word means
# something else (role 职务 is a person's office, target 投递地址 an alert channel's address) or the page says more
AUDIT_COLUMNS: dict[str, Pair] = {"at": timed("时间", "Time"), "actor": ("用户", "User"), "role": ("角色", "Role"),
                                  "action": ("动作", "Action"), "target": ("对象", "Target"), "ip": ("来源地址", "From")}

# the fields of an audit entry's detail (services/team/audit.py: what each action records), where the shared COLUMNS
# say another thing or nothing; the 详情 column of the admin page and of ``team audit``'s table (audit_detail_text)
AUDIT_DETAIL_FIELDS: dict[str, Pair] = {
    "role": ("角色", "role"), "from": ("原角色", "from"), "to": ("新角色", "to"), "changes": ("变更", "changes"),
    "note": ("备注", "note"), "abandon_reason": ("放弃理由", "reason for abandoning"), "label": ("名称", "label"),
    "token_id": ("令牌编号", "token"), "output": ("文件", "file"), "personal": ("含个人信息", "personal data"),
    "query": ("查询", "query"), "webhook": ("Webhook", "webhook"), "secret": ("签名密钥", "signing secret"),
    "state": ("结果", "result"), "via": ("途径", "via"), "job": ("任务", "job"), "masked": ("已遮蔽", "masked"),
    "contacts": ("联系方式", "contacts"), "person_shareholders": ("自然人股东", "shareholders (persons)"),
    "address": ("地址", "address"), "fitted": ("拟合截至", "fitted as of"), "owner": ("所有者", "owner"),
    "backup_created_at": ("备份时间", "backed up at"), "audit_entries_kept": ("保留的审计条目", "audit entries kept"),
    "rows_read": ("读取行数", "rows read"), "rows_updated": ("更新", "updated"), "rows_duplicate": ("重复", "duplicates"),
    "rows_combined": ("同一企业的其他行（已合并）", "further rows of the same enterprise (merged)"),
    "rows_rejected": ("拒绝", "rejected"), "rows_imported": ("新增", "imported"), "kind": ("数据类型", "kind"),
    "new": ("本来源新出现", "new to the source"), "changed": ("有变化", "changed"), "unchanged": ("未变化", "unchanged"),
    "disappeared": ("本次未出现", "disappeared"), "rejected_kept": ("行被拒，保留原记录", "row rejected, earlier record kept"),
    "new_enterprises": ("其中新企业", "new enterprises"),
    "new_enterprises_merged": ("其中与本文件另一行是同一企业", "of them the same enterprise as another row"),
    "new_linked": ("其中库中已有", "already known"), "reason": ("理由", "reason"), "failures": ("失败次数", "failures"),
    "status": ("状态", "status"), "name": ("名称", "name"), "region": ("地区", "region"),
    "region_name": ("地区名称", "region name"), "path": ("页面", "page"),
    "segment": ("环节", "segment"), "error": ("错误", "error"), "marked": ("标为已读", "marked read"),
    "ids": ("编号", "ids"), "fields": ("字段", "fields"),
    "texts": ("含个人信息的文本", "texts with personal data"), "officers_holding": ("持股的任职人员", "officers holding shares"),
    "from_value": ("历史原值", "history old value"), "to_value": ("历史新值", "history new value")}
# a detail field's codes in words: the vocabulary (VOCABULARIES, below) each field's values come from
AUDIT_DETAIL_VALUES = {"status": "lead_status", "role": "team_role", "from": "team_role", "to": "team_role",
                       "action": "audit_action", "state": "job_state", "via": "via", "reason": "login_failure",
                       "source": "lead_source", "kind": "data_kind"}
def _detail_dict(detail: Any) -> Any:
    """An audit entry's stored detail as a dict when it is one (stored as JSON text or as a dict)."""
    import json

    if isinstance(detail, str) and detail:
        try:
            return json.loads(detail)
        except ValueError:
            return detail
    return detail


def audit_region_codes(rows: Iterable[dict]) -> set[str]:
    """The region codes audit entries hold without the region's name (written before it was stored beside the code):
    to be named by the region service (``region_labels``) when the entries are shown; the stored entries stay."""
    out = set()
    for r in rows:
        d = _detail_dict(r.get("detail"))
        if isinstance(d, dict) and d.get("region") and not d.get("region_name"):
            out.add(str(d["region"]))
    return out


def audit_detail_text(detail: Any, lang: str = "zh", action: str | None = None,
                      regions: dict[str, str] | None = None) -> str:
    """An audit entry's detail (stored JSON) in the page's words: each field by its name (AUDIT_DETAIL_FIELDS, then
    the shared COLUMNS), codes by their labels (已签约 → 已落地, 分析师), a change as old → new, yes/no for a flag —
    ``{"changes": {"status": ["signed", "landed"]}}`` reads 变更：状态 已签约 → 已落地. The export keeps the JSON.
    ``regions``: region code → name in ``lang`` (the region service's ``region_labels``), naming a region code an
    entry holds alone (地区：330106 → 地区：330106；地区名称：杭州市西湖区), as the entries written since read."""
    if detail in (None, ""):
        return ""
    detail = _detail_dict(detail)
    if not isinstance(detail, dict):
        return str(detail)
    code = detail.get("region")
    if code and not detail.get("region_name") and (regions or {}).get(str(code), str(code)) != str(code):
        named = []
        for k, v in detail.items():  # the name right after the code, where an entry written since holds it
            named.append((k, v))
            if k == "region":
                named.append(("region_name", regions[str(code)]))
        detail = dict(named)
    en = lang == "en"
    sep, colon, none = ("; ", ": ", "—") if en else ("；", "：", "—")

    def name(k: str) -> str:
        if (action or "").startswith("pipeline.") and k in _leads.FIELD_LABELS:  # a lead's field, as its page says it
            return _leads.FIELD_LABELS[k][en]
        n = column(k, lang, AUDIT_DETAIL_FIELDS)
        return n[0].lower() + n[1:] if en and len(n) > 1 and not n[1].isupper() else n  # mid-line: "source", not "Source"

    def field_name(f: str) -> str:  # a field named in a detail's ``fields`` (the fields a personal-data read held)
        return _leads.FIELD_LABELS[f][en] if f in _leads.FIELD_LABELS else name(f)

    def value(k: str, v: Any, change: bool = False) -> str:
        if v is None or v == "":
            return none
        if isinstance(v, bool):
            return ("yes" if v else "no") if en else ("是" if v else "否")
        if change and isinstance(v, (list, tuple)) and len(v) == 2:  # a field's [old, new] inside ``changes``
            return f"{value(k, v[0])} → {value(k, v[1])}"
        if isinstance(v, dict):  # a nested detail (a lead's changes, an import's new / changed counts)
            return (", " if en else "、").join(f"{name(kk)} {value(kk, vv, k == 'changes')}" for kk, vv in v.items())
        if isinstance(v, (list, tuple)):
            return (", " if en else "、").join(field_name(str(x)) if k == "fields" else value(k, x) for x in v)
        if k == "region_name":  # stored as "中文 / English"
            return one_side(v, lang)
        vocab = AUDIT_DETAIL_VALUES.get(k)
        if vocab == "lead_source" and not (action or "").startswith("pipeline."):
            vocab = None  # a data source's name is said as it is
        if vocab in VOCABULARIES and str(v) in VOCABULARIES[vocab]:
            return label(vocab, v, lang)
        return f"{v:,}" if isinstance(v, int) else str(v)

    return sep.join(f"{name(k)}{colon}{value(k, v)}" for k, v in detail.items())


def column(key: str, lang: str = "zh", own: dict[str, Pair] | None = None) -> str:
    """A column header for a result key (``own``: a table's own labels, before the shared ones)."""
    pair = (own or {}).get(key) or COLUMNS.get(key)
    return key if pair is None else pair[lang == "en"]


def one_side(text: Any, lang: str = "zh") -> str:
    """The part of a stored "中文 / English" text in the UI language (a text without both sides is shown whole)."""
    zh, sep, en = str(text or "").partition(" / ")
    return (en if lang == "en" else zh) if sep and zh and en else str(text or "")


# a feed's error as stored (the exception or status, for the log and the admin) → a sentence in the UI language
FEED_ERRORS: list[tuple[str, Pair]] = [
    (r"refused|Errno 111", ("无法连接新闻源的服务器（连接被拒绝）", "could not connect to the feed's server (connection refused)")),
    (r"Name or service not known|getaddrinfo|nodename|Temporary failure in name resolution",
     ("找不到新闻源的服务器（域名无法解析）", "the feed's server name could not be resolved")),
    (r"超时|[Tt]imeout", ("新闻源在限定时间内没有响应", "the feed did not answer in time")),
    (r"ConnectError|NetworkError|RemoteProtocolError|ReadError|SSL", ("无法连接新闻源的服务器", "could not connect to the feed's server")),
    (r"FileNotFoundError|No such file", ("找不到新闻源文件", "the feed file was not found")),
    (r"过大", ("新闻源内容过大", "the feed is too large")),
    (r"not a feed: an HTML page", ("不是新闻源：该地址返回的是网页（HTML），不是 RSS、Atom 或 JSON Feed",
                                   "not a feed: the address answers with a web page (HTML), not RSS, Atom or JSON Feed")),
    (r"not a feed", ("不是新闻源：该地址返回的不是 RSS、Atom 或 JSON Feed", "not a feed: the address answers with no RSS, Atom or JSON Feed")),
    (r"ParseError|无法解析|无法识别|缺少 items|unparseable",
     ("新闻源的内容无法读取（格式或日期无法识别）", "the feed's content could not be read (a format or date it does not understand)")),
]
HTTP_REASONS: dict[int, Pair] = {401: ("需要登录", "login required"), 403: ("拒绝访问", "access refused"),
                                 404: ("找不到该地址", "no such address"), 410: ("该地址已撤下", "gone")}


def _error_sentence(error: Any, lang: str, table: list[tuple[str, Pair]], who: Pair, fallback: Pair) -> str:
    """A stored error as a sentence in the UI language: ``HTTP NNN`` as what ``who`` answered (with the reason of
    the common codes), else the first pattern of ``table`` it matches, else ``fallback``; "" for none."""
    if not error:
        return ""
    en, text = lang == "en", str(error)
    m = re.match(r"HTTP (\d{3})", text)
    if m:
        code = int(m.group(1))
        why = HTTP_REASONS.get(code) or (("服务器出错", "server error") if code >= 500 else None)
        return (f"{who[1]} answered HTTP {code}" + (f" ({why[1]})" if why else "") if en
                else f"{who[0]}返回 HTTP {code}" + (f"（{why[0]}）" if why else ""))
    for pattern, pair in table:
        if re.search(pattern, text):
            return pair[en]
    return fallback[en]


def feed_error_text(error: Any, lang: str = "zh") -> str:
    """A feed's stored error (``ConnectError: [Errno 111] Connection refused``, ``HTTP 404``) as a sentence in the
    UI language; the stored text stays beside it as the technical detail (a table's 技术详情 column, a page's title)."""
    return _error_sentence(error, lang, FEED_ERRORS, ("新闻源", "the feed"), ("新闻源出错", "the feed failed"))


# a delivery's last error as stored (English, for the log) → a sentence in the UI language
DELIVERY_ERRORS: list[tuple[str, Pair]] = [
    (r"points at an internal", ("Webhook 地址指向内网、本机或元数据地址，本服务器不向其发送（管理员可用 "
                                "zhaoshang serve --allow-internal-webhooks 明确放行）",
                                "the webhook URL points at an internal, loopback or metadata address; this server does "
                                "not call it (an admin may allow it with zhaoshang serve --allow-internal-webhooks)")),
    (r"account is disabled or removed", ("该用户的账号已停用或删除，未发送", "the owner's account is disabled or removed; "
                                                                     "nothing was sent")),
    (r"has no host", ("Webhook 地址缺少主机名", "the webhook URL has no host")),
    (r"cannot resolve", ("无法解析 Webhook 主机（稍后重试）", "the webhook host could not be resolved (tried again later)")),
    (r"no SMTP server configured", ("未配置邮件服务器（ZHAOSHANG_SMTP_HOST）", "no SMTP server configured (ZHAOSHANG_SMTP_HOST)")),
    (r"^SMTP", ("邮件服务器拒绝投递或无法连接", "the mail server refused the message or could not be reached")),
    (r"refused|Errno 111", ("无法连接接收方（连接被拒绝）", "could not connect to the receiver (connection refused)")),
    (r"timed out|[Tt]imeout", ("接收方在限定时间内没有响应", "the receiver did not answer in time")),
    (r"Name or service not known|getaddrinfo|nodename|name resolution",
     ("找不到接收方的服务器（域名无法解析）", "the receiver's server name could not be resolved")),
    (r"connection failed", ("无法连接接收方", "could not connect to the receiver")),
]


def delivery_error_text(error: Any, lang: str = "zh") -> str:
    """A delivery's stored last error (``HTTP 500``, ``connection failed: …``, the webhook policy's refusal) as a
    sentence in the UI language; the stored text stays beside it as the technical detail (JSON, a page's title)."""
    return _error_sentence(error, lang, DELIVERY_ERRORS, ("接收方", "the receiver"), ("投递失败", "the delivery failed"))


def number_text(v: float | None, digits: int = 2) -> str:
    """A measured quantity (a network strength, a rule's value or threshold): a whole value as a whole number with
    thousands grouped (1,726; 12; 6,000 — not 1726.00, 12.0), else ``digits`` decimals rounded as ``fixed`` rounds,
    trailing zeros dropped (0.5, 12.25); never "-0"; ``—`` for none (``core.numbers.decimal_text``)."""
    return decimal_text(v, digits)


def measure_text(v: float | None) -> str:
    """A measured value or a rule's threshold as every view prints it — the pages' explained results (``xnum``), the
    report's and the workbook's attraction-mode criteria: the decimals of ``core.numbers.DIGITS["measure"]``, thousands
    grouped, trailing zeros dropped (3.045, 2,000); ``—`` for none."""
    return quantity_text(v, "measure")


def amount_parts(total_wan: float | None, estimated_wan: float | None, lang: str = "zh") -> dict[str, str]:
    """A funding sum and its parts (万元 in) as the trends page, the region page and the report say them: 亿元 with two
    decimals in Chinese (89.27), CNY million with one in English (8,927.0); the disclosed part is the shown total less
    the shown estimate, so the parts read add up to the total read (76.62 + 12.65 = 89.27, where each rounded alone
    gave 76.6 + 12.6 beside 89.3)."""
    import decimal

    unit, digits = (100, 1) if lang == "en" else (10000, 2)
    total = decimal.Decimal(fixed((total_wan or 0) / unit, digits))  # rounded as every shown number (``fixed``)
    estimated = decimal.Decimal(fixed((estimated_wan or 0) / unit, digits))
    return {"total": f"{total:,}", "estimated": f"{estimated:,}", "disclosed": f"{max(total - estimated, 0):,}"}


def match_score_text(v: float | None) -> str:
    """A match score (场景匹配, 0–1) or a semantic similarity as every view prints it: the decimals of
    ``core.numbers.DIGITS["match_score"]``, kept when they are zeros (0.600, 0.580, 0.549 in one column, not 0.6,
    0.58, 0.549), rounded as ``fixed`` rounds; ``—`` for none. The JSON and the exports keep the value itself."""
    return quantity_text(v, "match_score")


def lq_text(v: float | None, thresholds: tuple[float, ...] | None = None) -> str:
    """An LQ with two decimals, or with as many more as it takes for the printed value to fall on the same side
    of every label threshold as the value itself (1.197 → "1.197", not "1.20", next to 延链 under LQ ≥ 1.2)."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    if thresholds is None:
        from ..services.regions.matrix import STRONG_LQ, WEAK_LQ

        thresholds = (STRONG_LQ, WEAK_LQ)
    for digits in range(2, 7):
        shown = fixed(v, digits)
        if all((v >= t) == (float(shown) >= t) for t in thresholds):
            return shown
    return fixed(v, 6)


def role_text(role: Any, title: Any = None, lang: str = "zh", vocab: str = "role") -> str:
    """A person's office as the profile's people card and the key persons' grounds say it (``core.offices
    .office_text``, the wording a path's hop reads too): in Chinese the title as the registry writes it (创始人、CEO),
    else the role's label; in English the title's own English words alone where ``PARTS`` knows every part of it
    (co-founder, partner, founder, CEO), else the role's label, with the title as written beside it (executive
    (总监)), so no part of a title is dropped — a title of no known role (``other``, or none) as written (never
    "other (合伙人)"). ``vocab``: ``ground`` for a key person's grounds (their roles, and shareholder grounds)."""
    titled = bool(str(title or "").strip())
    return office_text(title, label(vocab, role, lang) if role and not (titled and role == "other") else "", lang)


def title_text(title: Any, lang: str = "zh") -> str:
    """A title written with no role code beside it (a contact's 职务) as ``role_text`` says an office: in English the
    role the importer reads from such a title (``normalize_role``: 总监 is an executive) with the title as written
    beside it (executive (总监)), a title of known words by them (chairman); a title that names no known office,
    and any title in Chinese, as written."""
    from ..core.importers.relations import normalize_role

    role = normalize_role(str(title or "")) if lang == "en" else None
    return role_text(role if role != "other" else None, title, lang)


def evidence_note(ev: dict, lang: str = "zh") -> Any:
    """The note of a record a path's hop rests on (``services/graph/edges.evidence``) in the UI language: an office
    (a role record's title with its role, a contact's title) as ``role_text`` says it on the profile's people card
    — founder, CEO; executive (总监) —; any other note as the service gave it."""
    if ev.get("table") == "roles" and ev.get("role"):
        return role_text(ev["role"], ev.get("note"), lang)
    if ev.get("table") == "contacts" and ev.get("note"):
        return title_text(ev["note"], lang)
    return ev.get("note")


def paths_in_words(doc: dict, lang: str = "zh") -> dict:
    """A reach answer (``services/graph/reach``: ``paths``, or ``between``'s ``pairs`` of paths) with each hop's
    evidence notes in the UI language (``evidence_note``) and each note of another record of one person its ``text``
    (``same_person_text``); the answer is changed in place and returned."""
    paths = list(doc.get("paths") or []) + [x for pair in doc.get("pairs") or [] for x in pair.get("paths") or []]
    # a hop's own evidence, and that of the link between two records of one person noted on its node (graph.reach)
    notes = [n for p in paths for node in [p.get("target") or {}] + [h.get("from") or {} for h in p.get("hops") or []]
             for n in node.get("same_person") or []]
    for ev in [ev for p in paths for h in p.get("hops") or [] for ev in h.get("evidence") or []] + \
            [ev for n in notes for ev in n.get("evidence") or []]:
        ev["note"] = evidence_note(ev, lang)
    for n in notes:
        n["text"] = same_person_text(n, lang)
    return doc


def person_links_in_words(doc: dict, lang: str = "zh") -> dict:
    """A person's details (``services/graph/reach.person_details``) with why each identity link holds and why each
    namesake is kept apart in words of ``lang`` (``reasons_text``, ``why_text``: the identity reasons' table), beside
    the codes, each office as the people card says it (``role_text``), each holding's share as the key persons'
    table says it (``share_text``) and the gender as stored (男/女) in words of
    ``lang`` (``gender_text``); the answer is changed in place and returned."""
    person = doc.get("person") or {}
    person["gender_text"] = label("gender", person.get("gender"), lang) or None
    for r in doc.get("roles") or []:
        r["role_text"] = role_text(r.get("role"), r.get("title"), lang)
    for h in doc.get("shareholdings") or []:
        h["share_text"] = share_text(h.get("percent"))
    for x in doc.get("links") or []:
        x["reasons_text"] = [label("identity_reason", c, lang) for c in x.get("reasons") or []]
    for x in doc.get("apart") or []:
        x["why_text"] = label("identity_reason", x.get("why"), lang)
    return doc


def placements_dated_text(day: Any, lang: str = "zh") -> str:
    """The line of a profile asked of a date before the latest classification (``placements_classified_on``): the
    chain placements shown are that classification's, of the text held now (placements are not dated)."""
    return (f"Chain placements as classified on {day} (from the current text)" if lang == "en"
            else f"产业链位置按 {day} 的归类（文本为现有数据）")


def later_lines_text(later: dict, as_of: Any, lang: str = "zh") -> str:
    """The line of a profile whose product lines all or partly describe a period after its as-of date
    (``product_lines_later``: count, earliest period): not shown, and why — the same words on the page and in
    ``show``."""
    n, first = later["count"], later["first"]
    k = number_text(n)  # counted as every count of the pages: 1,234
    return (f"{k} product {'line' if n == 1 else 'lines'} not shown: dated {first}, after the as-of date {as_of}"
            if lang == "en" else f"{k} 条产品线晚于截至日期 {as_of}（日期 {first}），未显示")


def undated_lines_text(undated: dict, lang: str = "zh") -> str:
    """The line of a profile showing product lines that have no date (``product_lines_undated``: count, import day):
    their file was imported without a data date, so they are shown as of every date, and a re-import with
    ``--data-date`` dates them (core.asof) — the same words on the page and in ``show``."""
    n, day = undated["count"], undated["imported_on"]
    k = number_text(n)
    return (f"{k} product {'line' if n == 1 else 'lines'} undated (imported {day} without --data-date): shown as of "
            "any date; importing the file again with --data-date dates them" if lang == "en"
            else f"{k} 条产品线未注明日期（{day} 导入，未给 --data-date），任何截至日期均显示；以 --data-date 重新导入该文件即按其日期")


def share_text(v: Any) -> str:
    """A holding's share (percent) as the key persons' table and the person panel say it: two decimals, 36.85%."""
    return "" if v is None else f"{float(v):.2f}%"


def pct_text(v: float | None) -> str:
    """A share or a rate as a percent, the one way the CLI tables and the reports print it: one decimal (23.1%),
    two where one would round a non-zero value to zero (0.04%), rounded as ``fixed`` rounds (0.0025 → 0.3%);
    ``—`` for none."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    return fixed(v, 1 if abs(v) >= 0.001 or v == 0 else 2, 2) + "%"


def event_title(row: dict, lang: str = "zh") -> str | None:
    """An event's (or an alert's) title in the UI language: its ``title_en`` in English (``core/event_titles.py``)."""
    return (row.get("title_en") or row.get("title")) if lang == "en" else row.get("title")


def fetch_day_text(day: Any, lang: str = "zh") -> str:
    """A day that is the day an undated feed item was read, labelled as such (抓取日 2026-12-07), never passed off
    as its publication."""
    return (f"fetched {day}" if lang == "en" else f"抓取日 {day}") if day else ""


def event_date_text(row: dict, lang: str = "zh") -> str:
    """An event's date as a list shows it: an undated feed item's event is dated by the day it was read
    (``detail.dated_by`` = fetch) and says so, as its news item does (``news_date_text``)."""
    detail = row.get("detail")
    if isinstance(detail, dict) and detail.get("dated_by") == "fetch":
        return fetch_day_text(row.get("date"), lang)
    return str(row.get("date") or "")


def news_date_text(row: dict, lang: str = "zh") -> str:
    """A news item's date: its publication, else (undated) the day it was read, labelled (抓取日 …)."""
    return str(row["published"]) if row.get("published") else fetch_day_text(row.get("fetched_on"), lang)


def event_text(row: dict, lang: str = "zh") -> str | None:
    """An event's title beside its type's label (a timeline): without the head the label already says
    (``core/event_titles.py``: ``专利 专利: X`` would say the type twice); a news item's with how its enterprise was
    linked (``news_link_text``: declared by the file or found in the text); a change an export showed with that
    export's date (``core.event_titles.seen_text``: 见于 2025-12-31 的导出 — an end the registry dated before it and a
    change of legal representative dated by the roles, and a name, capital or address dated by it)."""
    from ..core.event_titles import reports_text, seen_text, title_body

    text = title_body(row.get("title"), lang, row.get("detail"), row.get("title_en"))  # as the reader said it in English
    # a news item's event, of whatever type its label is read as (ref_table news), or a live one without a type
    linked = news_link_text(row.get("detail"), lang) if "news" in (row.get("type"), row.get("ref_table")) else None
    detail = row.get("detail")
    seen = seen_text(row, lang)
    if seen:  # the export that showed the change, dated otherwise or by it (docs/methods.md, "As of a date")
        linked = seen + (f" · {linked}" if linked else "")
    n = row.get("reports") or (1 + len(detail.get("reports") or []) if isinstance(detail, dict) else 1)
    told = reports_text(n, lang)  # an event told by several reports (services/monitoring/events.py tell_again)
    if told:
        linked = told + (f" · {linked}" if linked else "")
    return f"{text or ''} · {linked}" if linked else text


def node_names(store, lang: str = "zh", *, code: bool = True) -> dict[str, str]:
    """Chain node code → the code with its name in the UI language, as a list shows a segment: ``D09 智慧教育`` /
    ``D09 Smart education`` (the stored Chinese name where the English one is missing); the name alone without
    ``code`` (a sheet's name column beside its code column)."""
    col = "coalesce(name_en, name_zh)" if lang == "en" else "name_zh"
    return {r["code"]: f"{r['code']} {r['name']}" if code else r["name"]
            for r in store.query(f"SELECT code, {col} AS name FROM chain_nodes")}


def region_names(store, lang: str = "zh") -> dict[str, str]:
    """Region code → the name shown in the UI language (the English name where the region table or the
    macro-regions' file has one)."""
    if lang != "en":
        return {}
    from ..core.geo.lookup import region_names_en

    return region_names_en(store)


def region_text(row: dict, names: dict[str, str]) -> str | None:
    """A record's region as a list shows it (a branch's on the profile and in ``show``): its most precise code's name
    in the UI language (``names``: ``region_names``), else the stored name (``region_name``)."""
    return next((names[c] for c in (row.get("district_code"), row.get("city_code"), row.get("province_code"))
                 if c in names), row.get("region_name"))
