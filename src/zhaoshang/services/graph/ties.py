"""The tie-strength model (data/tie_strength.yaml): base strength by relation, recency, size, tenure.

The model is data, so a bureau can weigh its own ties; every path and reach answer names the model's version
and the hash of its settings. docs/methods.md, "Tie strength".
"""

from __future__ import annotations

import functools
from pathlib import Path

from ...core.config import ConfigFile
from ...core.offices import ROLES, office_name

DEFAULT_TIES = Path(__file__).resolve().parents[2] / "data" / "tie_strength.yaml"


@functools.lru_cache(maxsize=8)
def _load(path: str) -> dict:
    f = ConfigFile.read(path, "关系强度文件", "tie-strength file")
    f.require(("version", "relations", "recency", "shareholding", "tenure", "origins", "search"))
    for rel in f.mapping("relations"):
        f.mapping(f"relations.{rel}")
        f.number(f"relations.{rel}.base", lo=0, hi=1, above=True)
    return f.doc


def load_ties(path: str | None = None) -> dict:
    """The tie-strength model (the packaged default unless a file is given)."""
    return _load(str(path or DEFAULT_TIES))


def strength_sql(model: dict, as_of: str) -> str:
    """SQL for one raw edge row's strength (columns relation, end_date, percent, overlap_days), as of a date."""
    rel = model["relations"]
    base = "CASE relation " + " ".join(f"WHEN '{k}' THEN {float(v['base'])}" for k, v in rel.items()) + \
        f" ELSE {float(rel['other']['base'])} END"
    rc, sh, tn = model["recency"], model["shareholding"], model["tenure"]
    lit = f"DATE '{as_of}'"
    recency = (f"CASE WHEN end_date IS NOT NULL AND end_date < {lit} THEN greatest({float(rc['floor'])}, "
               f"pow(0.5, date_diff('day', end_date, {lit}) / 365.25 / {float(rc['half_life_years'])})) ELSE 1.0 END")
    size = (f"CASE WHEN percent IS NOT NULL AND percent > 0 THEN {float(sh['min'])} + {1 - float(sh['min'])} * "
            f"least(percent, {float(sh['full'])}) / {float(sh['full'])} ELSE 1.0 END")
    tenure = (f"CASE WHEN overlap_days IS NOT NULL THEN {float(tn['min'])} + {1 - float(tn['min'])} * "
              f"least(overlap_days / 365.25, {float(tn['full_years'])}) / {float(tn['full_years'])} ELSE 1.0 END")
    return f"(({base}) * ({recency}) * ({size}) * ({tenure}))"


def relation_label(model: dict, relation: str, lang: str = "zh", title: str | None = None) -> str:
    """A tie's relation in words: the model's label; an office (a person's tie to an enterprise, whose relation is its
    role) by the title its record gives, as every view of an office words it (``core.offices.office_name``:
    联合创始人 / co-founder, not 创始人 / founder)."""
    spec = model["relations"].get(relation) or {}
    name = spec.get(lang) or spec.get("zh") or relation
    return office_name(title, name, lang) if title and relation in ROLES else name


def hop_label(model: dict, relation: str, lang: str = "zh", title: str | None = None) -> str:
    """A relation as a hop of a path written in a line names it, after the person reached: its label (an office by
    its title, ``relation_label``), but an identity hop said plainly, without brackets in the brackets
    (欧阳航（同一人的另一条记录）, not 欧阳航（同一人（身份关联））, which read as a loop)."""
    if relation == "same_person":
        return "the same person under another record" if lang == "en" else "同一人的另一条记录"
    return relation_label(model, relation, lang, title)


def tie_title(tie: dict) -> str | None:
    """The title an office tie's records give (``edges.ties_sql``: up to five records' notes, a role record's its
    title), of the first record in the order its evidence is read (``edges.evidence``: by id); None for a tie of
    another relation, or records without a title."""
    if tie.get("relation") not in ROLES:
        return None
    got = sorted((str(i).zfill(20), str(n).strip()) for t, i, n in zip(tie.get("ref_tables") or [], tie.get("ref_ids") or [],
                                                                    tie.get("notes") or [])
                 if t == "roles" and n is not None and str(n).strip())
    return got[0][1] if got else None
