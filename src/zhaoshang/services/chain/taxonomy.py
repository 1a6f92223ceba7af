"""Chain taxonomies as data: load a YAML file, validate it, index its keywords, write ``chain_nodes``.

A taxonomy is a flat list of nodes (level 1 = stage, level 2 = node, level 3 = sub-node) with parents,
names, keywords by tier, negative phrases, IPC/CPC patterns and GB/T 4754 industry codes. The file format
is documented in docs/data-formats.md ("Chain taxonomy files"). The default is the AI chain shipped in
``zhaoshang/data/chains/ai.yaml``; ``ZHAOSHANG_TAXONOMY`` or ``--taxonomy FILE`` selects another.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from ...core.config import read_yaml
from ...core.errors import NotFound, UserError

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "chains"
DEFAULT_TAXONOMY = DATA_DIR / "ai.yaml"
WEIGHTS_FILE = DATA_DIR / "classify_weights.yaml"
ENV_VAR = "ZHAOSHANG_TAXONOMY"

TIERS = ("strong", "medium", "weak")
STAGES = ("upstream", "midstream", "downstream")
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")

# Full-width ASCII (U+FF01–U+FF5E) and the ideographic space → half-width. The classifier applies the
# same map to enterprise text (in SQL, with translate()), so keywords and text agree.
_FULL = "".join(chr(c) for c in range(0xFF01, 0xFF5F)) + "\u3000"
_HALF = "".join(chr(c) for c in range(0x21, 0x7F)) + " "
FULL_TO_HALF = str.maketrans(_FULL, _HALF)


def normalize_keyword(text: str) -> str:
    """The form keywords and texts are compared in: half-width, lower case, trimmed."""
    return str(text).translate(FULL_TO_HALF).lower().strip()


def normalize_text(text: str | None, weights: dict[str, Any]) -> str:
    """Python twin of ``classify.norm_sql``: half-width, lower case, the weights' boilerplate and exclusion
    clauses removed (the pair reader reads this; tests and the evaluation show what is matched)."""
    s = (text or "").translate(FULL_TO_HALF).lower()
    for rx in list(weights.get("boilerplate") or []) + list(weights.get("exclusions") or []):
        s = re.sub(rx, " ", s)
    return s


def _is_ascii_word(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch == "_")


_RE2_SPECIAL = set("\\.^$|?*+()[]{}")


def keyword_regex(kw: str) -> str:
    """RE2/Python regex of one normalised keyword; ASCII words match only at word boundaries."""
    body = "".join("\\" + c if c in _RE2_SPECIAL else c for c in kw)
    if _is_ascii_word(kw[0]):
        body = r"\b" + body
    if _is_ascii_word(kw[-1]):
        body = body + r"\b"
    return body


def ipc_normalize(cls: str) -> str:
    """``G06N 3/08`` → ``G06N3/08`` (upper case, no spaces)."""
    return re.sub(r"\s+", "", str(cls)).upper()


def ipc_pattern_regex(pattern: str) -> str:
    """An IPC/CPC pattern as a regex on the normalised class.

    ``G06N 3/*`` → ``^G06N0*3/``; ``G06V`` or ``G06V *`` → ``^G06V``; ``G06F 15/78`` → ``^G06F0*15/78``;
    ``H01L 27/146`` also matches ``H01L 27/14643``; ``re:<regex>`` is used as written.
    """
    p = str(pattern).strip()
    if p.startswith("re:"):
        return p[3:]
    p = ipc_normalize(p)
    m = re.fullmatch(r"([A-HY])(\d{2})?([A-Z])?(\d+)?(?:/(\d+|\*))?(\*)?", p)
    if not m or (m.group(4) is None and m.group(5) is not None):
        raise ValueError(p)
    sec, cls, sub, group, sg, star = m.groups()
    rx = "^" + sec + (cls or "") + (sub or "")
    if group is not None:
        rx += "0*" + group + "/"
        if sg and sg != "*":
            rx += sg
    return rx


@dataclass
class Node:
    code: str
    level: int
    parent: str | None
    stage: str  # upstream | midstream | downstream (from the level-1 ancestor)
    stage_code: str
    name_zh: str
    name_en: str
    description: str = ""
    keywords: dict[str, list[str]] = field(default_factory=dict)
    negative: list[str] = field(default_factory=list)
    token_only: list[str] = field(default_factory=list)
    ipc: list[str] = field(default_factory=list)
    ipc_regex: list[str] = field(default_factory=list)
    industry_codes: list[str] = field(default_factory=list)
    industries: list[str] = field(default_factory=list)
    position: int = 0
    children: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code, "level": self.level, "parent": self.parent, "stage": self.stage,
            "name_zh": self.name_zh, "name_en": self.name_en, "description": self.description,
            "keywords": self.keywords, "negative": self.negative, "ipc": self.ipc,
            "industry_codes": self.industry_codes, "industries": self.industries,
        }


@dataclass(frozen=True)
class KeywordEntry:
    node: str
    tier: str  # strong | medium | weak | negative | industry (an industry name, matched in the industry field only)
    token_only: bool


@dataclass
class Taxonomy:
    chain: str
    name_zh: str
    name_en: str
    path: str
    nodes: dict[str, Node]
    weights: dict[str, Any]
    gate_stages: tuple[str, ...] = ()
    gate_keywords: tuple[str, ...] = ()
    gate_token_only: tuple[str, ...] = ()
    gate_open_nodes: tuple[str, ...] = ()
    version: Any = None
    _kw_index: dict | None = field(default=None, repr=False, compare=False)

    # -- lookup ---------------------------------------------------------------
    def node(self, code: str) -> Node:
        try:
            return self.nodes[code]
        except KeyError:
            raise NotFound(f"产业链 {self.chain} 中没有节点 {code}", f"chain {self.chain} has no node {code}") from None

    def stage_of(self, code: str) -> str:
        return self.node(code).stage

    def stages(self) -> list[Node]:
        return [n for n in self.nodes.values() if n.level == 1]

    def level(self, level: int) -> list[Node]:
        return [n for n in self.nodes.values() if n.level == level]

    def children(self, code: str) -> list[Node]:
        return [self.nodes[c] for c in self.node(code).children]

    def ancestor_at(self, code: str, level: int) -> Node:
        n = self.node(code)
        while n.level > level and n.parent:
            n = self.nodes[n.parent]
        return n

    def is_gated(self, code: str) -> bool:
        return self.node(code).stage_code in self.gate_stages

    def tree(self) -> list[dict[str, Any]]:
        """Nested dicts: stages → nodes → sub-nodes (name, code, level, stage, description, children)."""

        def build(n: Node) -> dict[str, Any]:
            return {"code": n.code, "name_zh": n.name_zh, "name_en": n.name_en, "level": n.level,
                    "stage": n.stage, "description": n.description,
                    "children": [build(self.nodes[c]) for c in n.children]}

        return [build(n) for n in self.stages()]

    # -- keyword index ----------------------------------------------------------
    @property
    def keyword_index(self) -> dict[str, list[KeywordEntry]]:
        """Normalised keyword → the nodes it is evidence for (or against, tier ``negative``)."""
        if self._kw_index is None:
            self._kw_index = _keyword_index(self)
        return self._kw_index

    def gate_opening(self, kw: str) -> bool:
        """Whether a matched keyword shows chain relevance (opens the gate for gated stages)."""
        if any(g in kw for g in self.gate_keywords):
            return True
        def opens(code: str) -> bool:
            return not self.is_gated(code) or (self.nodes[code].level >= 2 and self.ancestor_at(code, 2).code in self.gate_open_nodes)
        return any(e.tier in ("strong", "industry") and opens(e.node) for e in self.keyword_index.get(kw, ()))


def _keyword_index(tax: Taxonomy) -> dict[str, list[KeywordEntry]]:
    idx: dict[str, list[KeywordEntry]] = {}
    for n in tax.nodes.values():
        tok = set(n.token_only)
        for tier in TIERS:
            for kw in n.keywords.get(tier, []):
                idx.setdefault(kw, []).append(KeywordEntry(n.code, tier, kw in tok))
        for kw in n.negative:
            idx.setdefault(kw, []).append(KeywordEntry(n.code, "negative", False))
        for kw in n.industries:
            idx.setdefault(kw, []).append(KeywordEntry(n.code, "industry", False))
    return idx


# ---------------------------------------------------------------------------- loading
def default_weights() -> dict[str, Any]:
    return _read_yaml(WEIGHTS_FILE) or {}


@lru_cache(maxsize=8)
def _read_cached(path: str, mtime: float | None) -> Any:
    return read_yaml(path, "产业链分类文件", "chain taxonomy file")


def _read_yaml(path: Path) -> Any:
    try:
        mtime = path.stat().st_mtime
    except OSError:
        mtime = None  # read_yaml says what is wrong
    return _read_cached(str(path), mtime)


def resolve_path(path: str | os.PathLike | None = None) -> Path:
    if path:
        return Path(path)
    env = os.environ.get(ENV_VAR)
    return Path(env) if env else DEFAULT_TAXONOMY


def _bad(where: tuple[str, str], zh: str, en: str) -> UserError:
    """A check of a taxonomy file that failed, in both languages: ``where`` is the (zh, en) place in the file."""
    return UserError(f"{where[0]}: {zh}", f"{where[1]}: {en}")


def _str_list(value: Any, where: tuple[str, str], what: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (str, int, float)):
        value = [value]
    if not isinstance(value, list):
        raise _bad(where, f"{what} 应为列表", f"{what} should be a list")
    out = []
    for v in value:
        if v is None or str(v).strip() == "":
            raise _bad(where, f"{what} 中有空项", f"{what} has an empty item")
        out.append(str(v).strip())
    return out


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None


def load_taxonomy(path: str | os.PathLike | None = None) -> Taxonomy:
    """Load and validate a taxonomy YAML (default: $ZHAOSHANG_TAXONOMY, else the AI chain). One object per file
    and version of it (and of the weights file it reads): a match, a classification or a page asks for the taxonomy
    many times, and what is built on it (its keyword index, the pair reader's word patterns, kept per object) is then
    built once instead of on each call (about 10 ms to read and check the file; a classification's word patterns
    0.05 s). Caches kept per object no longer grow by one taxonomy a call."""
    p = resolve_path(path)
    return _load_taxonomy(str(p), os.path.abspath(p), _mtime(p), _mtime(WEIGHTS_FILE))


@lru_cache(maxsize=8)
def _load_taxonomy(path: str, absolute: str, mtime: float | None, weights_mtime: float | None) -> Taxonomy:
    p = Path(path)
    doc = _read_yaml(p)
    if not isinstance(doc, dict):
        raise UserError(f"产业链分类文件 {p} 顶层应为映射（chain、nodes…）",
                        f"chain taxonomy file {p}: the top level should be a mapping (chain, nodes, …)")
    file = (f"产业链分类文件 {p}", f"chain taxonomy file {p}")
    chain = str(doc.get("chain") or "").strip()
    if not chain or not CODE_RE.match(chain):
        raise _bad(file, "缺少或无效的 chain 标识（例如 chain: ai）", "missing or invalid chain identifier (e.g. chain: ai)")
    raw_nodes = doc.get("nodes")
    if not isinstance(raw_nodes, list) or not raw_nodes:
        raise _bad(file, "nodes 应为非空列表", "nodes should be a non-empty list")

    nodes: dict[str, Node] = {}
    for i, item in enumerate(raw_nodes):
        where = (f"{p} 第 {i + 1} 个节点", f"{p} node #{i + 1}")
        if not isinstance(item, dict):
            raise _bad(where, "应为映射", "should be a mapping")
        code = str(item.get("code") or "").strip()
        if not code or not CODE_RE.match(code):
            raise _bad(where, "缺少或无效的 code", "missing or invalid code")
        where = (f"{p} 节点 {code}", f"{p} node {code}")
        if code in nodes:
            raise _bad(where, "节点编码重复", "duplicate node code")
        try:
            level = int(item.get("level"))
        except (TypeError, ValueError):
            raise _bad(where, "level 应为 1、2 或 3", "level should be 1, 2 or 3") from None
        if level not in (1, 2, 3):
            raise _bad(where, f"level 应为 1、2 或 3（当前 {item.get('level')}）", f"level should be 1, 2 or 3 (is {item.get('level')})")
        name_zh = str(item.get("name_zh") or "").strip()
        if not name_zh:
            raise _bad(where, "缺少中文名称 name_zh", "missing the Chinese name name_zh")
        parent = item.get("parent")
        parent = str(parent).strip() if parent not in (None, "") else None
        if level == 1:
            if parent:
                raise _bad(where, "第 1 层（环节）节点不能有 parent", "a level-1 node (stage) cannot have a parent")
            stage = str(item.get("stage") or "").strip()
            if stage not in STAGES:
                raise _bad(where, f"stage 应为 {' | '.join(STAGES)}", f"stage should be {' | '.join(STAGES)}")
        else:
            if not parent:
                raise _bad(where, f"第 {level} 层节点缺少 parent", f"a level-{level} node needs a parent")
            stage = ""
        kw_doc = item.get("keywords") or {}
        if isinstance(kw_doc, list):
            kw_doc = {"strong": kw_doc}
        if not isinstance(kw_doc, dict):
            raise _bad(where, "keywords 应为 strong/medium/weak 列表的映射", "keywords should map strong/medium/weak to lists")
        bad = set(kw_doc) - set(TIERS)
        if bad:
            raise _bad(where, f"未知的关键词层级 {sorted(bad)}（可用 strong、medium、weak）",
                       f"unknown keyword tier {sorted(bad)} (use strong, medium, weak)")
        keywords = {t: [normalize_keyword(k) for k in _str_list(kw_doc.get(t), where, f"keywords.{t}")]
                    for t in TIERS if kw_doc.get(t)}
        negative = [normalize_keyword(k) for k in _str_list(item.get("negative"), where, "negative")]
        token_only = [normalize_keyword(k) for k in _str_list(item.get("token_only"), where, "token_only")]
        all_kw = {k for ks in keywords.values() for k in ks}
        for k in token_only:
            if k not in all_kw:
                raise _bad(where, f"token_only 中的“{k}”不在该节点的 keywords 中", f"“{k}” in token_only is not among the node's keywords")
        ipc = _str_list(item.get("ipc"), where, "ipc")
        ipc_regex = []
        for pat in ipc:
            try:
                rx = ipc_pattern_regex(pat)
                re.compile(rx)
            except (ValueError, re.error):
                raise _bad(where, f"无效的 IPC 分类模式“{pat}”（例如 G06N 3/*、G06V、re:^G06N）",
                           f"invalid IPC class pattern “{pat}” (e.g. G06N 3/*, G06V, re:^G06N)") from None
            ipc_regex.append(rx)
        industry_codes = _str_list(item.get("industry_codes"), where, "industry_codes")
        for c in industry_codes:
            if not re.fullmatch(r"[A-T]?\d{1,4}", c):
                raise _bad(where, f"无效的国民经济行业代码“{c}”（GB/T 4754，例如 6520）",
                           f"invalid national industry code “{c}” (GB/T 4754, e.g. 6520)")
        industries = [normalize_keyword(k) for k in _str_list(item.get("industries"), where, "industries")]
        nodes[code] = Node(
            code=code, level=level, parent=parent, stage=stage, stage_code=code if level == 1 else "",
            name_zh=name_zh, name_en=str(item.get("name_en") or "").strip(),
            description=str(item.get("description") or "").strip(), keywords=keywords, negative=negative,
            token_only=token_only, ipc=ipc, ipc_regex=ipc_regex,
            industry_codes=[re.sub(r"^[A-T]", "", c) for c in industry_codes], industries=industries, position=i,
        )

    # parents, levels, stages
    for n in nodes.values():
        if n.parent is None:
            continue
        par = nodes.get(n.parent)
        if par is None:
            raise _bad((f"{p} 节点 {n.code}", f"{p} node {n.code}"), f"上级节点 {n.parent} 不存在",
                       f"parent node {n.parent} does not exist")
        if par.level != n.level - 1:
            raise _bad((f"{p} 节点 {n.code}", f"{p} node {n.code}"),
                       f"第 {n.level} 层节点的上级 {n.parent} 应在第 {n.level - 1} 层（实际第 {par.level} 层）",
                       f"the parent {n.parent} of a level-{n.level} node should be on level {n.level - 1} (is on level {par.level})")
        par.children.append(n.code)
    for n in nodes.values():
        top = n
        while top.parent:
            top = nodes[top.parent]
        n.stage, n.stage_code = top.stage, top.code

    weights = dict(default_weights())
    override = doc.get("weights") or {}
    if not isinstance(override, dict):
        raise _bad(file, "weights 应为映射", "weights should be a mapping")
    for k, v in override.items():
        if isinstance(v, dict) and isinstance(weights.get(k), dict):
            weights[k] = {**weights[k], **v}
        else:
            weights[k] = v
    _check_weights(weights, p)

    gate = doc.get("gate") or {}
    if not isinstance(gate, dict):
        raise _bad(file, "gate 应为映射（applies_to、keywords）", "gate should be a mapping (applies_to, keywords)")
    at_gate = (f"{p} gate",) * 2
    gate_stages = tuple(_str_list(gate.get("applies_to"), at_gate, "applies_to"))
    for s in gate_stages:
        if s not in nodes or nodes[s].level != 1:
            raise _bad(at_gate, f"applies_to 中的 {s} 不是第 1 层（环节）节点", f"{s} in applies_to is not a level-1 node (stage)")
    gate_kw = tuple(normalize_keyword(k) for k in _str_list(gate.get("keywords"), at_gate, "keywords"))
    gate_tok = tuple(normalize_keyword(k) for k in _str_list(gate.get("token_only"), at_gate, "token_only"))
    gate_open = tuple(_str_list(gate.get("open_nodes"), at_gate, "open_nodes"))
    for c in gate_open:
        if c not in nodes:
            raise _bad(at_gate, f"open_nodes 中的 {c} 不是节点", f"{c} in open_nodes is not a node")
    if gate_stages and not gate_kw:
        raise _bad(at_gate, "设置了 applies_to 但没有 keywords", "applies_to is set but keywords are missing")

    return Taxonomy(chain=chain, name_zh=str(doc.get("name_zh") or chain), name_en=str(doc.get("name_en") or chain),
                    path=str(p), nodes=nodes, weights=weights, gate_stages=gate_stages, gate_keywords=gate_kw,
                    gate_token_only=gate_tok, gate_open_nodes=gate_open, version=doc.get("version"))


_NUMERIC_WEIGHTS = ("negative", "ipc_weight", "ipc_saturation", "industry_code_weight", "relation_weight",
                    "relation_min_percent", "rollup", "min_confidence", "max_nodes", "relative_cutoff",
                    "industry_name_weight", "support_cap", "scope_head_chars", "branch_scope_factor",
                    "products_head_chars")


def _check_weights(w: dict[str, Any], p: Path) -> None:
    for k in ("fields", "tiers"):
        if not isinstance(w.get(k), dict):
            raise UserError(f"{p} weights.{k} 应为映射", f"{p} weights.{k} should be a mapping")
        for kk, v in w[k].items():
            if not isinstance(v, (int, float)):
                raise UserError(f"{p} weights.{k}.{kk} 应为数字", f"{p} weights.{k}.{kk} should be a number")
    for k in _NUMERIC_WEIGHTS:
        if not isinstance(w.get(k), (int, float)):
            raise UserError(f"{p} weights.{k} 应为数字", f"{p} weights.{k} should be a number")
    if not 0 < w["min_confidence"] < 1:
        raise UserError(f"{p} weights.min_confidence 应在 0 与 1 之间", f"{p} weights.min_confidence should be between 0 and 1")


def install_taxonomy(store, taxonomy: Taxonomy | None = None) -> int:
    """Replace the ``chain_nodes`` rows of this chain with the taxonomy's nodes; returns the node count."""
    tax = taxonomy or load_taxonomy()
    rows = [(tax.chain, n.code, n.parent, n.level, n.stage, n.name_zh, n.name_en, n.description, n.position)
            for n in tax.nodes.values()]
    with store.transaction() as con:
        con.execute("DELETE FROM chain_nodes WHERE chain = ?", [tax.chain])
        con.executemany("INSERT INTO chain_nodes (chain, code, parent_code, level, stage, name_zh, name_en, "
                        "description, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return len(rows)


def iter_keywords(tax: Taxonomy) -> Iterable[tuple[str, KeywordEntry]]:
    for kw, entries in tax.keyword_index.items():
        for e in entries:
            yield kw, e
