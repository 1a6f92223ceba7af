"""The chain gold set: hand-labelled enterprises, joined back to the public source files at run time.

The gold file (``data/gold/chain_gold.csv``) stores only identifying keys, the name and the labels —
never the source files' other columns. ``load_evidence`` reads the evidence of every gold row from the
source files (IT桔子 AI companies, A-share industry + main products, the large-model list, the
registration sample), in the fields the classifier reads. Split: a hash of ``source:key`` puts ~60 % of
rows in ``dev`` and ~40 % in ``test``; rules are developed on dev, figures reported on test.
Labelling rules: docs/gold-labelling.md.
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path
from typing import Any

import duckdb

ROOT = Path(__file__).resolve().parents[4]
GOLD_DIR = ROOT / "data" / "gold"
GOLD_FILE = GOLD_DIR / "chain_gold.csv"
GOLD_L2_FILE = GOLD_DIR / "chain_gold_L2.csv"
NOT_AI = "-"

ITJUZI = "ai_companies/itjuzi_china_ai_companies_2018-12.csv"
LLMS = "ai_companies/awesome_llms_in_china_2024-11.csv"
ASHARE = "industry_chain/company_sw2021_industry_2021-10.csv"
PRODUCTS = "industry_chain/company_main_products_2021-10.csv"
MERGED = "listed_companies/a_share_companies_merged.csv"
REGISTRATION = "enterprises/enterprise_registration_sample_2000_2004.csv"
SOURCES = (ITJUZI, ASHARE, LLMS, REGISTRATION)
# what each source is, in the words of a page that shows figures per source (Chinese, English)
SOURCE_LABELS = {
    ITJUZI: ("IT桔子中国人工智能企业（2018-12）", "IT Juzi China AI companies (2018-12)"),
    ASHARE: ("A股上市公司申万行业与主营产品（2021-10）", "A-share listings, Shenwan industries and main products (2021-10)"),
    LLMS: ("中国大模型名单（2024-11）", "China large-model list (2024-11)"),
    REGISTRATION: ("工商注册样本（2000–2004）", "Enterprise registration sample (2000–2004)"),
}
EVIDENCE_FIELDS = ("name", "products", "description", "industry", "scope", "tags", "stratum")


def split_of(source: str, key: str, dev_share: float = 0.6) -> str:
    """``dev`` or ``test``, fixed by a hash of the row's identity (never by its content or label)."""
    h = int(hashlib.sha1(f"{source}:{key}".encode("utf-8")).hexdigest()[:8], 16)
    return "dev" if h / 0x100000000 < dev_share else "test"


def parse_labels(text: str | None) -> set[str]:
    """``U01|U06`` → {U01, U06}; ``-`` (not on the chain) → empty set."""
    t = (text or "").strip()
    if not t or t == NOT_AI:
        return set()
    return {x.strip() for x in t.replace(";", "|").replace(",", "|").split("|") if x.strip()}


def read_gold(path: str | Path | None = None) -> list[dict[str, Any]]:
    """Rows of a gold file: source, key, name, labels (set), labeller, split."""
    with open(path or GOLD_FILE, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:
        r["labels"] = parse_labels(r.get("labels"))
    return rows


def _q(con, sql: str, params: list | None = None) -> list[dict[str, Any]]:
    cur = con.execute(sql, params or [])
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def load_evidence(shared: str | Path) -> dict[tuple[str, str], dict[str, Any]]:
    """Every candidate row of the four sources as ``{(source, key): {name, products, description, …}}``.

    Fields follow what an import of the same file gives the classifier: IT桔子 brand + legal name,
    description, top-level industry (never ``sub_industry``, a label); A-share full name, main products
    by revenue share (``products`` the lines joined, ``product_lines`` [(product, share)] in the file's order, as
    the ``main_products`` preset stores them), Shenwan 2021 levels and CSRC sector; the large-model list's organisation, model
    names and category (every row is a large model: 通用 → a general model, any other category → an
    industry model of that category); registration name and 经营范围.
    """
    s = Path(shared)
    con = duckdb.connect()
    out: dict[tuple[str, str], dict[str, Any]] = {}

    def rd(rel: str) -> str:
        return f"read_csv({_lit(str(s / rel))}, all_varchar = true, header = true)"

    if (s / ITJUZI).exists():
        for r in _q(con, f"""SELECT company_seq AS key,
                concat_ws(' ', brand_name, CASE WHEN legal_name <> brand_name THEN legal_name END) AS name,
                description, industry, sub_industry FROM {rd(ITJUZI)}"""):
            out[(ITJUZI, r["key"])] = {"name": r["name"], "description": r["description"], "industry": r["industry"],
                                       "declared": r["sub_industry"]}
    if (s / ASHARE).exists():
        prods, lines = {}, {}
        if (s / PRODUCTS).exists():
            # the lines with their shares, as the main_products preset stores them (product_lines), largest share
            # first (lines of equal share by product: the file's order within a tie differs in 2,439 of 3,832
            # companies; the gold texts keep the order they were labelled and measured with)
            for r in _q(con, f"""SELECT code, list(struct_pack(p := product, s := TRY_CAST(weight AS DOUBLE))
                    ORDER BY TRY_CAST(weight AS DOUBLE) DESC NULLS LAST, product) AS ls FROM {rd(PRODUCTS)}
                    WHERE product IS NOT NULL GROUP BY code"""):
                lines[r["code"]] = [(x["p"], x["s"]) for x in r["ls"]]
                prods[r["code"]] = "、".join(x["p"] for x in r["ls"])
        csrc = {}
        if (s / MERGED).exists():
            csrc = {r["ts_code"]: r["csrc_sector"] for r in _q(con, f"SELECT ts_code, csrc_sector FROM {rd(MERGED)}")}
        for r in _q(con, f"""SELECT ts_code AS key, full_name, short_name, sw_l1_name, sw_l2_name, sw_l3_name,
                sw_l3_code FROM {rd(ASHARE)}"""):
            out[(ASHARE, r["key"])] = {
                "name": r["full_name"] or r["short_name"], "products": prods.get(r["key"].split(".")[0]),
                "product_lines": lines.get(r["key"].split(".")[0]),
                "industry": " ".join(x for x in (r["sw_l1_name"], r["sw_l2_name"], r["sw_l3_name"], csrc.get(r["key"])) if x),
                "sw_code": r["sw_l3_code"], "short_name": r["short_name"]}
    if (s / LLMS).exists():
        for r in _q(con, f"""SELECT organization AS key, min(TRY_CAST(seq AS INTEGER)) AS seq,
                string_agg(model, '、' ORDER BY TRY_CAST(seq AS INTEGER)) AS models,
                string_agg(DISTINCT category, '、') AS category, string_agg(note, '；') AS note
                FROM {rd(LLMS)} GROUP BY organization"""):
            cats = [c for c in (r["category"] or "").split("、") if c]
            kind = ["通用大模型"] if "通用" in cats else []
            kind += ["行业大模型"] if any(c != "通用" for c in cats) else []
            out[(LLMS, r["key"])] = {"name": r["key"], "products": r["models"], "description": r["note"],
                                     "tags": kind, "industry": " ".join(c for c in cats if c != "通用") or None}
    if (s / REGISTRATION).exists():
        for r in _q(con, f"""SELECT 统一社会信用代码 AS key, 企业名称 AS name, 经营范围 AS scope, sample_stratum AS stratum
                FROM {rd(REGISTRATION)}"""):
            out[(REGISTRATION, r["key"])] = {"name": r["name"], "scope": r["scope"], "stratum": r["stratum"]}
    con.close()
    return out


def _lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _micro(pairs: list[tuple[set, set]]) -> tuple[float, float, float]:
    """Micro precision, recall and F1 of the second sets' members against the first sets'."""
    tp = sum(len(x & y) for x, y in pairs)
    n1, n2 = sum(len(x) for x, _ in pairs), sum(len(y) for _, y in pairs)
    p, r = (tp / n2 if n2 else 0.0), (tp / n1 if n1 else 0.0)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def agreement(l1: list[dict[str, Any]], l2: list[dict[str, Any]]) -> dict[str, Any]:
    """Agreement of a second labeller with the first on the rows both labelled.

    Cohen's κ on AI vs not-AI; node level: mean Jaccard per row (two empty label sets agree fully) and micro
    precision/recall/F1 of L2's (row, node) pairs against L1's; the same micro F1 on (row, stage) pairs, the
    stage being a node code's letter (U upstream, M midstream, D downstream).
    """
    first = {(r["source"], r["key"]): r["labels"] for r in l1}
    pairs = [(first[(r["source"], r["key"])], r["labels"]) for r in l2 if (r["source"], r["key"]) in first]
    n = len(pairs)
    if not n:
        return {"rows": 0}
    a = [bool(x) for x, _ in pairs]
    b = [bool(y) for _, y in pairs]
    po = sum(1 for x, y in zip(a, b) if x == y) / n
    pa, pb = sum(a) / n, sum(b) / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    kappa = (po - pe) / (1 - pe) if pe < 1 else 1.0
    jac = [1.0 if not (x | y) else len(x & y) / len(x | y) for x, y in pairs]
    p, r, f = _micro(pairs)
    sp, sr, sf = _micro([({c[:1] for c in x}, {c[:1] for c in y}) for x, y in pairs])
    return {"rows": n, "ai_observed_agreement": round(po, 4), "ai_kappa": round(kappa, 4),
            "node_jaccard_mean": round(sum(jac) / n, 4), "node_exact_match": round(sum(1 for x, y in pairs if x == y) / n, 4),
            "node_precision": round(p, 4), "node_recall": round(r, 4), "node_f1": round(f, 4),
            "stage_precision": round(sp, 4), "stage_recall": round(sr, 4), "stage_f1": round(sf, 4)}
