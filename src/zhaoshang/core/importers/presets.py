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
