"""The built-in import presets (``data/presets/*.yaml``): their list and which of them a file's columns fit."""

from __future__ import annotations

import contextvars
import copy
from contextlib import contextmanager
from pathlib import Path

from ..config import read_yaml

PRESET_DIR = Path(__file__).resolve().parents[2] / "data" / "presets"


_READ: dict[tuple, dict[str, dict]] = {}


def list_presets() -> dict[str, dict]:
    """Preset name → its document (a copy the caller may change). The files are read once per process while they
    stay as they are (name, size and modification time): an import asks for them many times (a demo build,
    hundreds of YAML parses)."""
    files = sorted(PRESET_DIR.glob("*.yaml"))
    key = tuple((p.name, st.st_size, st.st_mtime_ns) for p in files for st in [p.stat()])
    got = _READ.get(key)
    if got is None:
        _READ.clear()
        got = _READ[key] = {p.stem: read_yaml(p, "预设文件", "preset file") or {} for p in files}
    return copy.deepcopy(got)


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


# Where the user who reads an import's refusal can act: the command line (--preset, --mapping) or the 数据更新 page,
# which has a preset picker and no mapping. Set by the page's update worker (``advice_on_the_page``).
_ADVICE_ON_PAGE = contextvars.ContextVar("zhaoshang_preset_advice_on_page", default=False)


@contextmanager
def advice_on_the_page():
    """Imports run inside say how to use a preset in the upload page's words (choose it, upload again)."""
    token = _ADVICE_ON_PAGE.set(True)
    try:
        yield
    finally:
        _ADVICE_ON_PAGE.reset(token)


def on_the_page() -> bool:
    """Whether the import runs for the 数据更新 page (its refusals speak of the page's choices, not of flags)."""
    return _ADVICE_ON_PAGE.get()


def use_preset(preset: str, other_kind: str | None = None, instead_of: str | None = None) -> tuple[str, str]:
    """How to read the file with ``preset`` (of another kind ``other_kind``; the file refused as ``instead_of``),
    (Chinese, English), in the words of where the import was asked: ``add --preset P`` / ``zhaoshang import KIND …
    --preset P`` on the command line, "choose the preset P and upload again" on the 数据更新 page."""
    if _ADVICE_ON_PAGE.get():
        if other_kind:
            return (f"请在「预设」中选 {preset}（按 {other_kind} 导入）后重新上传",
                    f"choose the preset {preset} (it imports {other_kind}) and upload again")
        return f"请在「预设」中选 {preset} 后重新上传", f"choose the preset {preset} and upload again"
    if other_kind and instead_of:
        return (f"请用 zhaoshang import {other_kind} … --preset {preset}（确要按 {instead_of} 导入，请用 --mapping 指定列）",
                f"use zhaoshang import {other_kind} … --preset {preset} (to import it as {instead_of} all the same, "
                "name the columns with --mapping)")
    if other_kind:
        return f"zhaoshang import {other_kind} … --preset {preset}", f"zhaoshang import {other_kind} … --preset {preset}"
    return f"请加 --preset {preset}", f"add --preset {preset}"
