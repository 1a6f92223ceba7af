"""The tie-strength model (data/tie_strength.yaml): base strength by relation, recency, size, tenure.

The model is data, so a bureau can weigh its own ties; every path and reach answer names the model's version
and the hash of its settings. docs/methods.md, "Tie strength".
"""

from __future__ import annotations

import functools
from pathlib import Path

import yaml

from ...core.errors import UserError

DEFAULT_TIES = Path(__file__).resolve().parents[2] / "data" / "tie_strength.yaml"


@functools.lru_cache(maxsize=8)
def _load(path: str) -> dict:
    try:
        doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise UserError(f"无法读取关系强度文件: {path}", f"cannot read the tie-strength file: {path}") from exc
    for key in ("version", "relations", "recency", "shareholding", "tenure", "origins", "search"):
        if key not in (doc or {}):
            raise UserError(f"关系强度文件缺少 {key}: {path}", f"tie-strength file lacks {key}: {path}")
    for rel, spec in doc["relations"].items():
        b = spec.get("base")
        if not isinstance(b, (int, float)) or not 0 < b <= 1:
            raise UserError(f"关系 {rel} 的强度须在 (0, 1] 内", f"the strength of relation {rel} must be in (0, 1]")
    return doc


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


def relation_label(model: dict, relation: str, lang: str = "zh") -> str:
    spec = model["relations"].get(relation) or {}
    return spec.get(lang) or spec.get("zh") or relation
