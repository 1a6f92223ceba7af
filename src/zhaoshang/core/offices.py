"""A person's office in words (zh, en): the role codes an import reads from a title (``core.importers.relations
.normalize_role``: the relations of the graph's ties to their enterprise) and the titles the sources write. The one
wording of an office: the profile's people card and the key persons' grounds (``interfaces/labels.role_text``), a
path's hop (``services/graph/ties.hop_label``) and its evidence read it."""

from __future__ import annotations

import re
from typing import Any

from .writers import list_joiner

Pair = tuple[str, str]

# an office's role code (roles.role; a tie's relation to the enterprise) in words
ROLES: dict[str, Pair] = {"legal_rep": ("法定代表人", "legal representative"), "founder": ("创始人", "founder"),
                          "chairman": ("董事长", "chairman"), "ceo": ("总经理/CEO", "CEO"), "supervisor": ("监事", "supervisor"),
                          "director": ("董事", "director"), "executive": ("高管", "executive"), "other": ("其他", "other")}
# a title as the sources write it, with its English words where they are known: English says 合伙人 as partner
# (partner (合伙人), as it says chairman (董事长)), never "other (合伙人)", and 联合创始人 as co-founder, not as its role
# (founder); another title is shown as written
TITLES: dict[str, Pair] = {k: (k, v) for k, v in {
    "合伙人": "partner", "普通合伙人": "general partner", "有限合伙人": "limited partner",
    "执行事务合伙人": "executive partner", "管理合伙人": "managing partner", "主管合伙人": "managing partner",
    "创始合伙人": "founding partner", "高级合伙人": "senior partner", "投资合伙人": "investment partner",
    "风险合伙人": "venture partner", "股东": "shareholder", "投资人": "investor", "发起人": "promoter",
    "顾问": "adviser", "科学顾问": "scientific adviser", "员工": "employee", "职员": "staff member",
    "工程师": "engineer", "总工程师": "chief engineer", "研究员": "researcher", "教授": "professor",
    "会计": "accountant", "负责人": "person in charge", "财务负责人": "head of finance",
    "技术负责人": "head of technology", "分公司负责人": "head of the branch", "联系人": "contact person",
    "联合创始人": "co-founder", "经营者": "operator", "厂长": "factory director", "店长": "store manager", "院长": "dean", "所长": "director",
    "主任": "director", "党委书记": "Party secretary", "投资代表": "investment representative",
    "委派代表": "appointed representative", "清算组成员": "member of the liquidation group"}.items()}


# a title's part in English: a title of ``TITLES``, a role's label as the sources write it (创始人, 董事长; 总经理/CEO
# as 总经理 or CEO) and a few offices the registry writes beside them
PARTS: dict[str, str] = {**{z: e for z, e in ROLES.values() for z in z.split("/")}, **{z: e for z, e in TITLES.values()},
                         "副董事长": "vice chairman", "执行董事": "executive director", "经理": "manager",
                         "副总经理": "deputy general manager", "总裁": "president", "首席执行官": "CEO"}
del PARTS[ROLES["other"][0]]  # 其他 is no office


def title_words(title: Any) -> str | None:
    """A title's English words when ``PARTS`` knows every part of it (``普通合伙人、股东``: general partner,
    shareholder; 创始人、董事长: founder, chairman; a part written in Latin letters, CTO, as written), else None."""
    parts = [p.strip() for p in re.split(r"[、，,;；/]", str(title or "")) if p.strip()]
    if not parts or not all(p in PARTS or p.isascii() for p in parts):
        return None
    return list_joiner("en").join(dict.fromkeys(PARTS.get(p, p) for p in parts))


def office_name(title: Any, role_name: str, lang: str = "zh") -> str:
    """An office named in a line (a path's hop: ``—联合创始人→`` / ``—co-founder→``): in Chinese the title as written,
    in English its words (``title_words``); else ``role_name``, the role's (or the relation's) label in ``lang``."""
    title = str(title or "").strip()
    if not title:
        return role_name
    if lang != "en":
        return title
    return title_words(title) or role_name


def office_text(title: Any, role_name: str, lang: str = "zh") -> str:
    """An office said in full (the profile's people card, a hop's evidence): ``office_name``; in English a title whose
    every part has its words by them alone (founder, chairman; legal representative), else the role's label with the
    title as written beside it (founder (创始人、某职务)), so no part of a title is dropped; a title named by neither
    its words nor a role as written."""
    title = str(title or "").strip()
    name = office_name(title, role_name, lang)
    if not title or lang != "en" or title_words(title):
        return name
    return f"{name} ({title})" if name and name != title else title
