"""The built-in import presets (``data/presets/*.yaml``): their list and which of them a file's columns fit."""

from __future__ import annotations

from pathlib import Path

from ..config import read_yaml

PRESET_DIR = Path(__file__).resolve().parents[2] / "data" / "presets"


def list_presets() -> dict[str, dict]:
    out = {}
    for p in sorted(PRESET_DIR.glob("*.yaml")):
        out[p.stem] = read_yaml(p, "预设文件", "preset file") or {}
    return out


def fitting_presets(headers, kind: str | None = None) -> list[str]:
    """The presets (of ``kind``, or any) every column of which the file's ``headers`` have: the layout it looks like."""
    have = set(headers)
    return [name for name, doc in list_presets().items() if (kind is None or doc.get("kind") == kind)
            and doc.get("columns") and all(h in have for v in doc["columns"].values()
                                           for h in ([v] if isinstance(v, str) else v))]


def fitting_preset(headers, kind: str) -> tuple[str, str | None] | None:
    """The preset a file's columns are the layout of: ``(name, None)`` when it is one of ``kind``'s, else
    ``(name, its kind)`` for another kind's; None when no preset fits."""
    fits = fitting_presets(headers)
    same = [f for f in fits if list_presets()[f].get("kind") == kind]
    if same:
        return same[0], None
    return (fits[0], list_presets()[fits[0]].get("kind")) if fits else None


def fits_sentence(name: str, other_kind: str | None = None) -> tuple[str, str]:
    """The one sentence saying a file's columns fit a preset — naming the preset's kind when it is another kind's
    — as (Chinese, English); the refusal of another kind's export and the missing-column hint both say it."""
    if other_kind:
        return (f"该文件的列与预设 {name}（{other_kind} 数据）相符",
                f"the file's columns fit the preset {name} ({other_kind} data)")
    return f"该文件的列与预设 {name} 相符", f"the file's columns fit the preset {name}"
