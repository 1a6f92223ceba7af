"""Macro-regions (京津冀, 长三角, 珠三角, 粤港澳大湾区, 成渝, …) as data: ``data/macro_regions.yaml``.

Members are province- or city-level GB/T 2260 codes; a macro-region may include other macro-regions;
``aliases`` are further names users type (粤港澳, 成渝).
A user file with the same layout replaces the default: ``load_macro_regions("my_regions.yaml")``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from zhaoshang.core.config import read_yaml
from zhaoshang.core.errors import UserError
from zhaoshang.core.geo.regions import DATA_DIR, province_of, table_regions

DEFAULT_PATH = DATA_DIR / "macro_regions.yaml"
_CODE_RE = re.compile(r"^M-[A-Z0-9][A-Z0-9-]*$")


@dataclass(frozen=True)
class MacroRegion:
    code: str
    name: str
    name_en: str
    members: tuple[str, ...]  # all member codes, includes expanded (province or city level)
    own_members: tuple[str, ...] = ()
    includes: tuple[str, ...] = ()
    note: str = ""
    aliases: tuple[str, ...] = ()  # other names in common use (粤港澳, 大湾区)

    def contains(self, province_code: str | None, city_code: str | None = None) -> bool:
        """True when the province, or the city, is a member."""
        return (province_code is not None and province_code in self.members) or (
            city_code is not None and city_code in self.members)

    def covers(self, other: "MacroRegion") -> bool:
        """True when every member of ``other`` lies in this macro-region (a member city of a member province
        counts): 粤港澳大湾区 covers 珠三角, 三极 covers 长三角 — and every macro-region covers itself."""
        return all(self.contains(province_of(c), c) for c in other.members)


@dataclass
class MacroRegions:
    path: Path
    regions: dict[str, MacroRegion] = field(default_factory=dict)

    def __iter__(self):
        return iter(self.regions.values())

    def __len__(self) -> int:
        return len(self.regions)

    def __getitem__(self, code: str) -> MacroRegion:
        return self.regions[code]

    def get(self, code: str) -> MacroRegion | None:
        return self.regions.get(code)

    def member_of(self, province_code: str | None, city_code: str | None = None) -> list[str]:
        """Codes of the macro-regions that contain this province or city, in file order."""
        return [m.code for m in self.regions.values() if m.contains(province_code, city_code)]


def load_macro_regions(path: str | Path | None = None) -> MacroRegions:
    """Read and validate a macro-region file (default: the one shipped in the package).

    Unknown or non province/city member codes, duplicate codes, unknown includes, include cycles and
    malformed YAML raise ``UserError`` with a message naming the file and the entry.
    """
    p = Path(path) if path else DEFAULT_PATH
    data = read_yaml(p, "宏观区域文件", "macro-region file")
    entries = data.get("macro_regions") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise UserError(f"宏观区域文件 {p} 缺少 macro_regions 列表", f"macro-region file {p} has no macro_regions list")

    known = table_regions()
    raw: dict[str, dict] = {}
    for i, e in enumerate(entries, 1):
        if not isinstance(e, dict):
            raise UserError(f"宏观区域文件 {p} 第 {i} 项不是一个映射（需要 code、name、members）", f"macro-region file {p}, item {i} is not a mapping (code, name, members needed)")
        code = str(e.get("code") or "").strip()
        where = f"宏观区域文件 {p} 第 {i} 项（{code or '无代码'}）"
        if not _CODE_RE.match(code):
            raise UserError(f"{where}：代码必须形如 M-JJJ（大写字母、数字、连字符）", f"{where}: the code must look like M-JJJ (capitals, digits, hyphens)")
        if code in raw:
            raise UserError(f"{where}：代码 {code} 重复", f"{where}: code {code} appears twice")
        if not str(e.get("name") or "").strip():
            raise UserError(f"{where}：缺少中文名称 name", f"{where}: the Chinese name (name) is missing")
        members = e.get("members") or []
        includes = e.get("includes") or []
        if not isinstance(members, list) or not isinstance(includes, list):
            raise UserError(f"{where}：members 和 includes 必须是列表", f"{where}: members and includes must be lists")
        if not members and not includes:
            raise UserError(f"{where}：members 和 includes 不能都为空", f"{where}: members and includes cannot both be empty")
        seen: set[str] = set()
        for m in members:
            m = str(m).strip()
            r = known.get(m)
            if r is None:
                raise UserError(f"{where}：成员代码 {m} 不是已知的区划代码", f"{where}: member {m} is not a known region code")
            if r.level not in ("province", "city"):
                raise UserError(f"{where}：成员 {m}（{r.name}）是区县级，成员只能是省级或地级区划", f"{where}: member {m} ({r.name}) is a district; members must be provinces or cities")
            if m in seen:
                raise UserError(f"{where}：成员 {m}（{r.name}）重复", f"{where}: member {m} ({r.name}) appears twice")
            seen.add(m)
        raw[code] = {"e": e, "where": where, "members": [str(m).strip() for m in members],
                     "includes": [str(x).strip() for x in includes]}

    expanded: dict[str, tuple[str, ...]] = {}

    def expand(code: str, stack: tuple[str, ...]) -> tuple[str, ...]:
        if code in expanded:
            return expanded[code]
        info = raw[code]
        out = list(info["members"])
        for inc in info["includes"]:
            if inc not in raw:
                raise UserError(f"{info['where']}：includes 中的 {inc} 不是文件中定义的宏观区域", f"{info['where']}: {inc} in includes is not a macro-region of the file")
            if inc in stack:
                raise UserError(f"{info['where']}：includes 形成循环（{' → '.join(stack + (inc,))}）", f"{info['where']}: includes form a cycle ({' → '.join(stack + (inc,))})")
            out.extend(expand(inc, stack + (inc,)))
        res = tuple(dict.fromkeys(out))
        expanded[code] = res
        return res

    out = MacroRegions(p)
    for code, info in raw.items():
        e = info["e"]
        out.regions[code] = MacroRegion(
            code=code, name=str(e["name"]).strip(), name_en=str(e.get("name_en") or code).strip(),
            members=expand(code, (code,)), own_members=tuple(info["members"]),
            includes=tuple(info["includes"]), note=str(e.get("note") or "").strip(),
            aliases=tuple(str(a).strip() for a in (e.get("aliases") or []) if str(a).strip()),
        )
    return out
