"""The differentiated path (差异化突围): which segments a region should attract, and how
(docs/methods.md, "The differentiated path (feasibility × value) and attraction modes").

Segments are the chain nodes at ``segment_level`` (2) that the region does not hold strongly (RCA below the
threshold in the region × segment matrix at the region's own level). Each is placed in the feasibility ×
value quadrant of Balland et al. (2018): feasibility is the relatedness density of the segment to what the
region already holds; value combines the segment's complexity (PCI), the region's outlook gain (COG) and
the national growth of funding and patents in the segment. Attraction modes are rules over the region's
profile (enterprise data plus a region resources file), each with the numbers and thresholds behind it.
Weights and thresholds: ``data/recommend.yaml``.
"""

from __future__ import annotations

import datetime as _dt
import math
import operator
from pathlib import Path
from typing import Any

from ..core import dialect
from ..core.asof import enterprises_as_of, generation_memo, reference_date
from ..core.config import ConfigFile
from ..core.errors import NotFound, UserError, count_en, noun_en
from ..core.explain import Explained, Part, Ref
from ..core.geo.lookup import region_condition, region_ref
from .analytics.complexity import complexity_matrix, matrix_from_rows
from .analytics.concentration import cagr
from .analytics.segments import CONFIG_PATH, MACRO_SPACE, segment_matrix
from .matching.profiles import open_condition
from .regions.nodes import not_classified
from .trends import closure_cte, resolve_region

DATA = Path(__file__).resolve().parents[1] / "data"
DEMO_RESOURCES = DATA / "demo" / "region_resources.yaml"
REFERENCE = ("Balland, P.-A., Boschma, R., Crespo, J. & Rigby, D. L. (2018). Smart specialization policy in the "
             "European Union: relatedness, knowledge complexity and regional diversification. Regional Studies, "
             "53(9), 1252–1268.")

VALUE_SIGNALS = ("pci", "cog", "funding_cagr", "patent_cagr")
MIN_NATIONAL_COUNT = 5  # data/recommend.yaml ``min_national_count`` when a configuration file leaves it out
QUADRANTS = {
    # (feasible, valuable): code, zh, en
    (True, True): ("low_risk_high_value", "优先突破（关联高·价值高）", "priority: low risk, high value"),
    (False, True): ("high_risk_high_value", "长期培育（关联低·价值高）", "long shot: high risk, high value"),
    (True, False): ("low_risk_low_value", "稳步拓展（关联高·价值低）", "safe bet: low risk, low value"),
    (False, False): ("high_risk_low_value", "暂不优先（关联低·价值低）", "avoid: high risk, low value"),
}
OPS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt, "==": operator.eq}
# metric: (zh, en, source)
METRICS = {
    # open demands, as the leads and 场景匹配 count them (matching.profiles.open_condition on the date)
    "demands": ("本地开放需求数（征集中或对接中、已发布且未过截止日期）",
                "open local demands (collecting or in talks, published and not past their deadline)", "demands"),
    "demand_lq": ("开放需求区位商（开放需求占全国比 ÷ 企业占全国比）",
                  "open-demand LQ (share of open demands ÷ share of enterprises)", "demands, placements"),
    "patents": ("专利数（申请人在本地）", "patents (applicant in the region)", "patents"),
    "patent_lq": ("专利区位商（专利占全国比 ÷ 企业占全国比）", "patent LQ (share of patents ÷ share of enterprises)", "patents, placements"),
    "universities": ("开设 AI 专业的高校数", "universities with AI programmes", "resources"),
    "infra_enterprises": ("算力基础设施企业数", "compute-infrastructure enterprises", "placements"),
    "compute_pflops": ("算力规模（PFLOPS）", "compute capacity (PFLOPS)", "resources"),
    "dc_racks": ("数据中心标准机架", "data-centre racks", "resources"),
    "government_funds": ("本地政府引导基金（投资方）数", "local government guidance funds (investors)", "investors"),
    "guidance_fund_yi": ("引导基金规模（亿元）", "guidance funds committed (100M CNY)", "resources"),
    "idle_compute_ratio": ("算力空转风险比（算力占比 ÷ 应用需求占比）", "idle-compute ratio (compute share ÷ demand share)", "resources, placements"),
    "app_enterprises": ("模型与应用企业数（用算需求）", "model and application enterprises (compute demand)", "placements"),
}
RESOURCE_FIELDS = {
    "compute_pflops": "number", "dc_racks": "number", "pue": "number", "electricity_cny_kwh": "number",
    "guidance_fund_yi": "number", "universities": "number", "land_mu": "number", "compute_vouchers": "bool",
    "name": "text", "note": "text",
}


# -- configuration and resources ---------------------------------------------------------------------------

def load_config(path: str | Path | None = None) -> dict:
    """The weights and thresholds (``data/recommend.yaml`` or a user file), validated."""
    f = ConfigFile.read(path or CONFIG_PATH, "配置文件", "configuration file")
    for key in ("rca_threshold", "segment_level", "quadrant_split"):
        f.number(key)
    f.number("window_years", lo=0, above=True, integer=True)
    if "min_national_count" in f.doc:
        f.number("min_national_count", lo=0, integer=True)
    f.doc.setdefault("min_national_count", MIN_NATIONAL_COUNT)
    for group, keys in (("score_weights", ("feasibility", "value")), ("value_weights", VALUE_SIGNALS)):
        w = f.known(group, f.mapping(group), keys)
        for k in w:
            f.number(f"{group}.{k}", lo=0)
        if sum(w.values()) <= 0:
            raise f.error(group, "的权重之和应大于 0", "weights should add up to more than 0")
    for i, m in enumerate(f.items("modes", required=False)):
        if not isinstance(m, dict) or not m.get("code"):
            raise f.error(f"modes[{i}].code", "缺失", "is missing")
        f.choice(f"modes[{i}].require", m.get("require", "all"), ("all", "any"))
        for j, c in enumerate(m.get("criteria") or []):
            where = f"modes[{i}].criteria[{j}]"
            f.choice(f"{where}.metric", c.get("metric"), METRICS)
            f.choice(f"{where}.op", c.get("op"), OPS)
            f.number(f"{where}.value", c.get("value"))
    return f.doc


def load_resources(path: str | Path) -> dict:
    """A region resources file: ``regions: {code: {compute_pflops, dc_racks, pue, …}}``, validated."""
    f = ConfigFile.read(path, "地区资源文件", "region resources file")
    regions: dict[str, dict] = {}
    for key, entry in f.mapping("regions").items():
        code = str(key).strip()
        if not (len(code) == 6 and code.isdigit()):
            raise f.error(f"regions.{key}", "的键应为 6 位行政区划代码（如 \"330100\"）",
                          "should be keyed by a 6-digit region code (e.g. \"330100\")")
        f.known(f"regions.{code}", f.mapping(f"regions.{code}", entry), RESOURCE_FIELDS)
        for name, v in entry.items():
            kind, where = RESOURCE_FIELDS[name], f"regions.{code}.{name}"
            if v is None:
                continue
            if kind == "number":
                f.number(where, v, lo=1 if name == "pue" else 0)
            if kind == "bool" and not isinstance(v, bool):
                raise f.expect(where, f" true/false（实际为 {v!r}）", f"true/false (got {v!r})")
            if kind == "text" and not isinstance(v, str):
                raise f.expect(where, "文字", "text")
        regions[code] = dict(entry)
    as_of = f.doc.get("as_of")
    return {"path": str(f.path), "synthetic": bool(f.doc.get("synthetic", False)), "label": f.doc.get("label"),
            "as_of": as_of.isoformat() if isinstance(as_of, _dt.date) else as_of, "units": f.doc.get("units"),
            "regions": regions}


# the levels a resources file can list, in words (a region's level: core/geo/lookup.py)
RESOURCE_LEVELS = {"province": ("省级地区", "provinces", "省级地区", "province"),
                   "city": ("地级市", "prefecture-level cities", "地级市", "city"),
                   "district": ("区县", "districts", "区县", "district")}


def resources_absent(store, res: dict, info: dict) -> tuple[str, str]:
    """Why a region the resources file does not list reads 数据不足 on the criteria that read it: the file lists only
    regions of other levels (the demo's: prefecture-level cities, so never a district), or not this one."""
    levels = dict.fromkeys(r.level for r in (region_ref(store, c) for c in res["regions"]) if r is not None)
    name, name_en = info.get("name") or info["code"], info.get("name_en") or info.get("name") or info["code"]
    what = "，读取它的条件（算力、高校、引导基金等）记为数据不足", ", so the criteria that read it (compute, universities, guidance funds …) read no data"
    if levels and info.get("level") not in levels:
        zh_of = "、".join(RESOURCE_LEVELS[lv][0] for lv in levels if lv in RESOURCE_LEVELS)
        en_of = " and ".join(RESOURCE_LEVELS[lv][1] for lv in levels if lv in RESOURCE_LEVELS)
        own = RESOURCE_LEVELS.get(info.get("level"), ("地区", "region", "地区", "region"))
        return (f"地区资源文件只覆盖{zh_of}（{len(res['regions'])} 个），没有{own[2]} {name} 的数据{what[0]}",
                f"the region resources file covers {en_of} only ({len(res['regions'])}) and has no figures for the {own[3]} "
                f"{name_en}{what[1]}")
    return (f"地区资源文件未列出 {name}{what[0]}", f"the region resources file does not list {name_en}{what[1]}")


def default_resources(store) -> Path | None:
    """The demo resources file for the synthetic demo database; otherwise none (pass --resources)."""
    return DEMO_RESOURCES if store.synthetic else None


# -- pure helpers ----------------------------------------------------------------------------------------

def _finite(v: Any) -> float | None:
    if v is None:
        return None
    v = float(v)
    return v if math.isfinite(v) else None


def percentile_ranks(values: list[float | None]) -> list[float | None]:
    """Mid-rank percentile of each value among the known values, in [0, 1]:
    ``(#{y < x} + ½ #{y = x, other}) / (n − 1)``; 0.5 when only one value is known; None stays None."""
    known = [v for v in values if v is not None]
    n = len(known)
    out: list[float | None] = []
    for v in values:
        if v is None:
            out.append(None)
        elif n == 1:
            out.append(0.5)
        else:
            less = sum(1 for y in known if y < v)
            ties = sum(1 for y in known if y == v) - 1
            out.append((less + 0.5 * ties) / (n - 1))
    return out


def weighted(terms: dict[str, float | None], weights: dict[str, float]) -> tuple[float | None, dict[str, float]]:
    """Σ w_k x_k / Σ w_k over the terms with a value, and each term's share of that result."""
    have = {k: x for k, x in terms.items() if x is not None and weights.get(k, 0) > 0}
    wsum = sum(weights[k] for k in have)
    if not have or wsum <= 0:
        return None, {}
    contrib = {k: weights[k] / wsum * x for k, x in have.items()}
    return sum(contrib.values()), contrib


def evaluate_mode(mode: dict, profile: dict, as_of: Any = None, region: str | None = None,
                  resources_after: str | None = None) -> dict:
    """One attraction mode against a profile: every criterion with its value, threshold and outcome; the
    same as an ``Explained`` (value = suggested, one part per criterion: 1 passed, 0 failed, None unknown).
    ``resources_after``: the resources file's date when it is after ``as_of``: each criterion that reads the file
    is marked ``after_as_of`` (its part's detail too), so that every view of the mode marks it (†)."""
    crit = []
    for c in mode.get("criteria") or []:
        v = profile.get(c["metric"])
        passed = None if v is None else bool(OPS[c["op"]](v, c["value"]))
        zh, en, src = METRICS[c["metric"]]
        crit.append({"metric": c["metric"], "label_zh": zh, "label_en": en, "source": src, "value": v,
                     "op": c["op"], "threshold": c["value"], "passed": passed,
                     # marked only where a figure was read: a criterion the file gives nothing for used no later data
                     "after_as_of": bool(resources_after) and "resources" in src and v is not None})
    require = mode.get("require", "all")
    outcomes = [c["passed"] is True for c in crit]
    fires = bool(crit) and (all(outcomes) if require == "all" else any(outcomes))
    # a criterion without data (passed None) is unknown, not failed: a mode whose outcome hangs on unknown criteria
    # cannot be judged ("unknown"), never "not suggested"
    decided = [c["passed"] for c in crit if c["passed"] is not None]
    if fires:
        verdict = "yes"
    elif not crit or (False in decided if require == "all" else len(decided) == len(crit)):
        verdict = "no"
    else:
        verdict = "unknown"
    explained = Explained(
        value=fires, method="mode-rules", version="1", as_of=as_of,
        params={"mode": mode["code"], "require": require,
                "criteria": [{"metric": c["metric"], "op": c["op"], "threshold": c["threshold"]} for c in crit]},
        parts=[Part(signal=c["metric"], label=c["label_zh"], raw=c["value"],
                    contribution=None if c["passed"] is None else float(c["passed"]),
                    detail={"op": c["op"], "threshold": c["threshold"], "passed": c["passed"], "label_en": c["label_en"],
                            **({"after_as_of": resources_after} if c["after_as_of"] else {})})
               for c in crit],
        evidence=[Ref(table=t.strip(), where={"region": region}) for t in
                  dict.fromkeys(x for c in crit for x in c["source"].split(","))],
        formula=f"suggested = {require}(criteria passed)")
    return {"code": mode["code"], "name_zh": mode.get("name_zh"), "name_en": mode.get("name_en"),
            "suggested": fires, "verdict": verdict, "require": require, "criteria": crit,
            "action_zh": mode.get("action_zh"), "action_en": mode.get("action_en"), "explain": explained}


SCORE_FORMULA = "score = Σ w·pct / Σ w over {feasibility: density_pct, value: value_pct}"


def rank_segments(rows: list[dict], cfg: dict, context: dict | None = None) -> list[dict]:
    """Percentiles, value, score and quadrant for candidate rows holding density, pci, cog, funding_cagr,
    patent_cagr; returns the rows ranked (score, then feasibility, then code). Each row's ``explain`` holds
    the score as an ``Explained``: one part per signal (raw value, percentile, effective weight,
    contribution; the contributions add up to the score). ``context``: chain, level, region, as_of, window."""
    ctx = context or {}
    feas = percentile_ranks([_finite(r.get("density")) for r in rows])
    pcts = {k: percentile_ranks([_finite(r.get(k)) for r in rows]) for k in VALUE_SIGNALS}
    sw, vw, split = cfg["score_weights"], cfg["value_weights"], cfg["quadrant_split"]
    params = {"chain": ctx.get("chain"), "level": ctx.get("level"), "segment_level": cfg["segment_level"],
              "rca_threshold": cfg["rca_threshold"], "quadrant_split": split, "window_years": cfg["window_years"],
              "score_weights": dict(sw), "value_weights": dict(vw)}
    for i, r in enumerate(rows):
        r["feasibility_pct"] = feas[i]
        signal_pct = {k: pcts[k][i] for k in VALUE_SIGNALS}
        r["value_pct"], vparts = weighted(signal_pct, vw)
        r["score"], sparts = weighted({"feasibility": r["feasibility_pct"], "value": r["value_pct"]}, sw)
        # effective weight of every signal in the score: contribution = weight × percentile, Σ = score
        s_sum = sum(sw[k] for k in sparts) or 1.0
        v_sum = sum(vw[k] for k in vparts) or 1.0
        parts = [Part(signal="density", raw=r.get("density"), normalised=r["feasibility_pct"],
                      weight=sw["feasibility"] / s_sum if "feasibility" in sparts else None,
                      contribution=sparts.get("feasibility"))]
        for k in VALUE_SIGNALS:
            wk = (sw["value"] / s_sum) * (vw[k] / v_sum) if ("value" in sparts and k in vparts) else None
            parts.append(Part(signal=k, raw=r.get(k), normalised=signal_pct[k], weight=wk,
                              contribution=None if wk is None else wk * signal_pct[k]))
        if r["feasibility_pct"] is None or r["value_pct"] is None:
            r["quadrant"] = r["quadrant_zh"] = r["quadrant_en"] = None
        else:
            q = QUADRANTS[(r["feasibility_pct"] >= split, r["value_pct"] >= split)]
            r["quadrant"], r["quadrant_zh"], r["quadrant_en"] = q
        where = {"chain": ctx.get("chain"), "node": r["node"], "level": ctx.get("level")}
        r["explain"] = Explained(
            value=r["score"], method="relatedness-complexity", version="1", params=params, parts=parts,
            evidence=[Ref("placements", where={**where, "region": ctx.get("region")}, note="region × segment matrix"),
                      Ref("fundings", where={**where, "window": ctx.get("window")}, note="national funding growth"),
                      Ref("patents", where={**where, "window": ctx.get("window")}, note="national patent growth")],
            as_of=ctx.get("as_of"), formula=SCORE_FORMULA)
    rows.sort(key=lambda r: (-(r["score"] if r["score"] is not None else -1.0),
                             -(r["feasibility_pct"] if r["feasibility_pct"] is not None else -1.0), r["node"]))
    for i, r in enumerate(rows, 1):
        r["rank"] = i
    return rows


# -- from the store --------------------------------------------------------------------------------------

def _minus_years(d: _dt.date, years: int) -> _dt.date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:
        return d.replace(year=d.year - years, day=28)




def space_level(info: dict) -> str:
    """The matrix a region's differentiated path is computed on: its own level, except for a macro-region,
    whose matrix is ``macro:CODE`` (the macro-region as one unit beside the provinces, or the parts of
    provinces, outside it; ``analytics.segments.segment_matrix``). Macro-regions overlap (三极 holds 长三角; 珠三角 lies in
    粤港澳大湾区), so a matrix of macro-regions counts an enterprise several times and its column sums are
    not the nation."""
    return MACRO_SPACE + info["code"] if info["level"] == "macro" else info["level"]


def segment_space(store, chain: str, level: str, seg_level: int, ref: _dt.date, rca_threshold: float = 1.0):
    """``(regions, nodes, X, complexity)``: the region × segment matrix at ``level`` on ``ref`` and every
    complexity output on it. It is the nation's, the same for every region of the level: a served generation
    computes it once per level, date and chain (``generation_memo``), not once per region page, lead list and
    region label (the second call of a region page was the same matrix again)."""
    def compute():
        regions, nodes, X = matrix_from_rows(segment_matrix(store, chain, level, seg_level, ref))
        return regions, nodes, X, complexity_matrix(X, regions, nodes, rca_threshold=rca_threshold)

    return generation_memo(store, ("segment_space", chain, level, seg_level, ref, float(rca_threshold)), compute)


def _segment_growth(store, chain: str, seg_level: int, ref: _dt.date, years: int) -> dict[str, dict]:
    """National funding (万元) and patents per segment in the recent and the previous window."""
    mid, lo = _minus_years(ref, years), _minus_years(ref, 2 * years)
    clo, cp = closure_cte(chain)
    es = f"""WITH RECURSIVE {clo},
        es AS (SELECT DISTINCT p.enterprise_id, clo.anc AS node FROM placements p
               JOIN clo ON clo.code = p.node_code AND clo.anc_level = ? WHERE p.chain = ?)"""
    fund = store.query(f"""{es}
        SELECT es.node,
               {dialect.current().exact_sum("f.amount_wan", where="f.date > ? AND f.date <= ?")} AS recent,
               {dialect.current().exact_sum("f.amount_wan", where="f.date > ? AND f.date <= ?")} AS previous
        FROM es JOIN fundings f ON f.enterprise_id = es.enterprise_id GROUP BY 1""",
                       cp + [seg_level, chain, mid, ref, lo, mid])
    pat = store.query(f"""{es}
        SELECT es.node,
               count(DISTINCT pt.id) FILTER (WHERE pt.applied > ? AND pt.applied <= ?) AS recent,
               count(DISTINCT pt.id) FILTER (WHERE pt.applied > ? AND pt.applied <= ?) AS previous
        FROM es JOIN patent_applicants pa ON pa.enterprise_id = es.enterprise_id
        JOIN patents pt ON pt.id = pa.patent_id GROUP BY 1""", cp + [seg_level, chain, mid, ref, lo, mid])
    out: dict[str, dict] = {}
    for r in fund:
        out.setdefault(r["node"], {})["funding"] = (float(r["recent"]), float(r["previous"]))
    for r in pat:
        out.setdefault(r["node"], {})["patents"] = (int(r["recent"]), int(r["previous"]))
    return out


def region_profile_metrics(store, info: dict, chain: str, ref: _dt.date, cfg: dict, resources: dict | None) -> dict:
    """The numbers the attraction-mode rules read (definitions in docs/methods.md)."""
    clo, cp = closure_cte(chain)
    rc, rp = region_condition(info, "e")
    ent = store.query(f"""WITH RECURSIVE {clo}
        SELECT count(DISTINCT e.id) AS national, count(DISTINCT e.id) FILTER (WHERE {rc}) AS local,
               count(DISTINCT e.id) FILTER (WHERE {rc} AND list_contains(?, clo.anc)) AS infra,
               count(DISTINCT e.id) FILTER (WHERE {rc} AND list_contains(?, clo.anc)) AS app
        FROM placements p JOIN clo ON clo.code = p.node_code JOIN {enterprises_as_of(ref, store)} e ON e.id = p.enterprise_id
        WHERE p.chain = ? AND e.province_code IS NOT NULL""",
                      cp + rp + rp + [list(cfg.get("infra_nodes") or [])] + rp + [list(cfg.get("demand_stages") or []), chain])[0]
    # the demands open on the date — the one definition the leads' 本地需求 and 场景匹配 use (``open_condition``): a
    # demand 已完成, or past its deadline, is no scene to attract an enterprise with
    dc, dp = region_condition(info, "d")
    oc, op = open_condition("d", ref)
    dem = store.query(f"""SELECT count(*) AS national, count(*) FILTER (WHERE {dc}) AS local FROM demands d
                          WHERE d.province_code IS NOT NULL AND {oc}""", dp + op)[0]
    ac, ap = region_condition(info, "a")
    pat = store.query(f"""WITH a AS (
            SELECT pa.patent_id, coalesce(pa.province_code, e.province_code) AS province_code,
                   coalesce(pa.city_code, e.city_code) AS city_code, coalesce(pa.district_code, e.district_code) AS district_code
            FROM patent_applicants pa LEFT JOIN enterprises e ON e.id = pa.enterprise_id
            JOIN patents pt ON pt.id = pa.patent_id WHERE pt.applied IS NULL OR pt.applied <= ?)
        SELECT count(DISTINCT a.patent_id) FILTER (WHERE a.province_code IS NOT NULL) AS national,
               count(DISTINCT a.patent_id) FILTER (WHERE {ac}) AS local FROM a""", [ref] + ap)[0]
    ic, ip = region_condition(info, "i")
    funds = store.query(f"""SELECT count(*) AS n, list(i.name ORDER BY i.name) AS names,
               (SELECT count(*) FROM investors WHERE type IS NOT NULL AND type <> '') AS typed FROM (
            SELECT i.id, i.name, coalesce(i.province_code, ie.province_code) AS province_code,
                   coalesce(i.city_code, ie.city_code) AS city_code, coalesce(i.district_code, ie.district_code) AS district_code
            FROM investors i LEFT JOIN enterprises ie ON ie.id = i.enterprise_id WHERE list_contains(?, i.type)) i
        WHERE {ic}""", [list(cfg.get("fund_types") or [])] + ip)[0]

    def lq(local, national, base_local, base_national):
        if not national or not base_local or not base_national:
            return None
        return (local / national) / (base_local / base_national)

    entry = (resources or {}).get("regions", {}).get(info["code"]) if resources else None
    res = lambda k: _finite(entry.get(k)) if entry and entry.get(k) is not None else None  # noqa: E731
    prof = {
        "enterprises": ent["local"], "enterprises_national": ent["national"],
        "demands": dem["local"], "demands_national": dem["national"],
        "demand_lq": lq(dem["local"], dem["national"], ent["local"], ent["national"]),
        "patents": pat["local"], "patents_national": pat["national"],
        "patent_lq": lq(pat["local"], pat["national"], ent["local"], ent["national"]),
        "infra_enterprises": ent["infra"], "app_enterprises": ent["app"],
        # no investor of the database has a type: whether any is a government fund is unknown, not 0
        "government_funds": funds["n"] if funds["typed"] else None, "government_fund_names": funds["names"] or [],
        "universities": res("universities"), "compute_pflops": res("compute_pflops"), "dc_racks": res("dc_racks"),
        "pue": res("pue"), "electricity_cny_kwh": res("electricity_cny_kwh"),
        "guidance_fund_yi": res("guidance_fund_yi"), "land_mu": res("land_mu"),
        "compute_vouchers_in_place": entry.get("compute_vouchers") if entry else None,
        "in_resources": entry is not None,
    }
    prof.update(idle_compute(store, info, chain, ref, cfg, resources))
    return prof


def idle_compute(store, info: dict, chain: str, ref: _dt.date, cfg: dict, resources: dict | None) -> dict:
    """算力空转 risk: the region's share of compute over its share of compute-consuming enterprises, both
    among the regions of the resources file at the region's level (docs/methods.md)."""
    empty = {"idle_compute_ratio": None, "idle_peers": []}
    if not resources or info["level"] not in ("province", "city", "district"):
        return empty
    lvl = info["level"]
    peers = {c: e for c, e in resources["regions"].items() if _finite(e.get("compute_pflops")) is not None}
    rows = store.query("SELECT code FROM regions WHERE level = ? AND list_contains(?, code)", [lvl, list(peers)])
    peers = {r["code"]: peers[r["code"]] for r in rows}
    if info["code"] not in peers:
        return empty
    clo, cp = closure_cte(chain)
    apps = {r["region"]: r["n"] for r in store.query(f"""WITH RECURSIVE {clo}
        SELECT e.{lvl}_code AS region, count(DISTINCT e.id) AS n
        FROM placements p JOIN clo ON clo.code = p.node_code JOIN {enterprises_as_of(ref, store)} e ON e.id = p.enterprise_id
        WHERE p.chain = ? AND list_contains(?, clo.anc) AND list_contains(?, e.{lvl}_code) GROUP BY 1""",
                                                                  cp + [chain, list(cfg.get("demand_stages") or []), list(peers)])}
    tot_c = sum(float(e["compute_pflops"]) for e in peers.values())
    demand = {c: max(apps.get(c, 0), 1) for c in peers}  # at least one, so a region without demand stays finite
    tot_d = sum(demand.values())
    peer_rows = []
    for c, e in sorted(peers.items()):
        cs, ds = float(e["compute_pflops"]) / tot_c if tot_c else None, demand[c] / tot_d
        peer_rows.append({"region": c, "name": e.get("name"), "compute_pflops": float(e["compute_pflops"]),
                          "app_enterprises": apps.get(c, 0), "compute_share": cs, "demand_share": ds,
                          "ratio": cs / ds if cs is not None else None})
    mine = next(r for r in peer_rows if r["region"] == info["code"])
    return {"idle_compute_ratio": mine["ratio"], "idle_peers": peer_rows}


def thin_note(n: int, floor: int) -> tuple[str, str]:
    """The note on the ``n`` segments under ``floor`` enterprises nationally (ranked last), in Chinese and English:
    counts grouped from 1,000 up, one segment said in the singular."""
    return (f"{n:,} 个环节全国企业数少于 {floor:,} 家，其关联密度与复杂度依据过少，排在其余环节之后",
            f"{count_en(n, 'segment', sep=True)} {noun_en(n, 'has', 'have')} fewer than {floor:,} enterprises "
            f"nationally: {noun_en(n, 'its', 'their')} density and complexity rest on too few enterprises, so "
            f"{noun_en(n, 'it ranks', 'they rank')} after the others")


def recommend(store, region: str, *, level: str | None = None, as_of: Any = None, resources: Any = None,
              top: int = 15, chain: str | None = None, config: str | Path | None = None) -> dict:
    """Segments to attract (feasibility × value) and attraction modes for one region."""
    from .regions.nodes import default_chain

    cfg = load_config(config)
    if top < 0:
        raise UserError("--top 不能为负", "--top cannot be negative")
    info = resolve_region(store, region, level)
    if info is None:
        raise UserError("请给出地区（代码或名称）", "give a region (code or name)")
    chain = chain or default_chain(store)
    ref = reference_date(store, as_of)
    seg_level = int(cfg["segment_level"])
    years = int(cfg["window_years"])
    notes: list[str] = []
    notes_en: list[str] = []  # the same notes in English, in the same order

    res_path = Path(resources) if resources else default_resources(store)
    res = load_resources(res_path) if res_path else None
    if res is None:
        notes.append("未提供地区资源文件（--resources）：算力、高校、引导基金规模等指标缺失，相关条件记为数据不足（不计为通过，也不计为未满足）")
        notes_en.append("no region resources file (--resources): compute, universities, guidance funds and the like "
                        "are unknown and their criteria read no data (neither met nor failed)")

    # Region × segment matrix at the region's level (a macro-region: itself beside the rest of the nation), and
    # every complexity output.
    regions, nodes, X, cx = segment_space(store, chain, space_level(info), seg_level, ref, float(cfg["rca_threshold"]))
    if info["code"] not in regions:
        if note := not_classified(store, chain, ("，无法计算关联度", ", so relatedness cannot be computed")):
            raise NotFound(*note)
        raise NotFound(f"{info['name']} 截至 {ref} 没有已归入产业链的企业，无法计算关联度",
                       f"{info.get('name_en') or info['name']} has no enterprise placed on the chain as of {ref}: "
                       "relatedness cannot be computed")
    ri = regions.index(info["code"])
    seg_info = {r["code"]: r for r in store.query(
        "SELECT code, name_zh, name_en, stage, parent_code, position FROM chain_nodes WHERE chain = ? AND level = ? "
        "ORDER BY position, code", [chain, seg_level])}
    growth = generation_memo(store, ("segment_growth", chain, seg_level, ref, years),
                             lambda: _segment_growth(store, chain, seg_level, ref, years))
    national = X.sum(axis=0)

    candidates, strengths, unranked = [], [], []
    for code, meta in seg_info.items():
        base = {"node": code, "name_zh": meta["name_zh"], "name_en": meta["name_en"], "stage": meta["stage"],
                "parent_code": meta["parent_code"]}
        if code not in nodes:
            unranked.append({**base, "reason": "全国没有已归类企业"})
            continue
        j = nodes.index(code)
        g = growth.get(code, {})
        f_recent, f_prev = g.get("funding", (0.0, 0.0))
        p_recent, p_prev = g.get("patents", (0, 0))
        row = {**base, "count": int(X[ri, j]), "national_count": int(national[j]), "region_total": int(X[ri].sum()),
               "rca": _finite(cx.rca[ri, j]), "mcp": int(cx.mcp[ri, j]) if _finite(cx.mcp[ri, j]) is not None else None,
               "density": _finite(cx.density[ri, j]), "pci": _finite(cx.pci[j]), "cog": _finite(cx.cog[ri, j]),
               "ubiquity": _finite(cx.ubiquity[j]),
               "funding_recent_wan": f_recent, "funding_previous_wan": f_prev,
               "funding_cagr": cagr(f_prev, f_recent, years),
               "patents_recent": p_recent, "patents_previous": p_prev, "patent_cagr": cagr(p_prev, p_recent, years)}
        if row["rca"] is not None and row["rca"] >= cfg["rca_threshold"]:
            strengths.append(row)
        else:
            candidates.append(row)
    mid, lo = _minus_years(ref, years), _minus_years(ref, 2 * years)
    ctx = {"chain": chain, "level": info["level"], "region": info["code"], "as_of": ref.isoformat(),
           "window": [lo.isoformat(), ref.isoformat()]}
    # a segment with fewer than min_national_count enterprises nationally is ranked after the others (``thin``):
    # its percentiles are taken among the thin segments only, so it moves no other segment's score
    floor = int(cfg["min_national_count"])
    for r in candidates:
        r["thin"] = r["national_count"] < floor
    ranked = rank_segments([r for r in candidates if not r["thin"]], cfg, ctx)
    ranked += rank_segments([r for r in candidates if r["thin"]], cfg, ctx)
    for i, r in enumerate(ranked, 1):
        r["rank"] = i
        if r["thin"] and r["quadrant"]:  # said where the quadrant is shown (CLI, page, report)
            r["quadrant_zh"] += f"·全国不足 {floor} 家，排后"
            r["quadrant_en"] += f" · under {floor} nationally, ranked last"
    n_thin = sum(r["thin"] for r in ranked)
    if n_thin:
        zh, en = thin_note(n_thin, floor)
        notes.append(zh)
        notes_en.append(en)
    strengths.sort(key=lambda r: (-(r["rca"] or 0), r["node"]))
    if cx.notes:
        notes.append("复杂度计算提示: " + ", ".join(cx.notes))
        notes_en.append("complexity computation: " + ", ".join(cx.notes))

    profile = region_profile_metrics(store, info, chain, ref, cfg, res)
    # resources dated after the as-of date: a look back reads figures from its future; said, and each criterion
    # that reads the file marked (``after_as_of``, shown as †); the sentence is the resources' ``note``, which the
    # region page, its report and workbook print under the modes as the CLI prints it
    later = res is not None and isinstance(res["as_of"], str) and res["as_of"] > ref.isoformat()
    modes = [evaluate_mode(m, profile, ref.isoformat(), info["code"], res["as_of"] if later else None)
             for m in cfg.get("modes") or []]
    res_note = None
    # a region the file does not list reads no data on every criterion that reads the file: said why (a resources file of
    # prefecture-level cities has no figure for a district), as the page, report and workbook print it under the modes
    absent = resources_absent(store, res, info) if res is not None and info["code"] not in res["regions"] else None
    if absent:
        notes.append(absent[0])
        notes_en.append(absent[1])
    if later and any(c["after_as_of"] for m in modes for c in m["criteria"]):
        res_note = (f"地区资源文件截至 {res['as_of']}，晚于分析日期 {ref}：招商模式中读取资源的条件（算力、高校、引导基金等，标 †）"
                    "用的是较晚的数据",
                    f"the region resources file is as of {res['as_of']}, after the analysis date {ref}: the attraction "
                    "modes' criteria that read it (compute, universities, guidance funds …, marked †) use later figures")
        notes.append(res_note[0])
        notes_en.append(res_note[1])
    modes.sort(key=lambda m: not m["suggested"])  # stable: suggested first, config order kept

    return {
        "region": {k: info[k] for k in ("code", "name", "name_en", "level")},
        "level": info["level"], "chain": chain, "as_of": ref.isoformat(), "segment_level": seg_level,
        "rca_threshold": cfg["rca_threshold"], "quadrant_split": cfg["quadrant_split"],
        "min_national_count": int(cfg["min_national_count"]),
        "window": {"years": years, "recent": [mid.isoformat(), ref.isoformat()],
                   "previous": [lo.isoformat(), mid.isoformat()]},
        "weights": {"score": cfg["score_weights"], "value": cfg["value_weights"]},
        "formula": {"score": SCORE_FORMULA,
                    "value": "value_pct = Σ w_k·pct_k / Σ w_k over k ∈ {pci, cog, funding_cagr, patent_cagr}",
                    "growth": "cagr = (recent / previous)^(1 / years) − 1",
                    "percentile": "pct = (#{y < x} + ½·#{y = x, other}) / (n − 1) among the candidates"},
        "reference": REFERENCE,
        "matrix": {"regions": len(regions), "segments": len(nodes), "components": cx.components,
                   "region_diversity": _finite(cx.diversity[ri]), "eci": _finite(cx.eci[ri]), "coi": _finite(cx.coi[ri])},
        "candidates": len(ranked),
        "segments": ranked[:top] if top else ranked,
        # every candidate below the --top cut (the region profile adds each one's 强链/补链/延链 label): said, never
        # silently dropped
        "beyond_top": [{k: r[k] for k in ("rank", "node", "name_zh", "name_en", "count", "national_count")}
                       for r in (ranked[top:] if top else [])],
        # segments missing locally (no enterprise) that rank below the --top cut: said, never silently dropped
        "missing_beyond_top": [{k: r[k] for k in ("rank", "node", "name_zh", "name_en", "national_count")}
                               for r in (ranked[top:] if top else []) if r["count"] == 0],
        "strengths": strengths,
        "unranked": unranked,
        "modes": modes,
        "suggested_modes": [m["code"] for m in modes if m["suggested"]],
        "profile": profile,
        "resources": None if res is None else {**{k: res[k] for k in ("path", "synthetic", "label", "as_of")},
                                               "regions": len(res["regions"]), "after_as_of": res_note is not None,
                                               "note": res_note and res_note[0], "note_en": res_note and res_note[1],
                                               "absent_note": absent and absent[0], "absent_note_en": absent and absent[1]},
        "synthetic": bool(store.synthetic) or bool(res and res["synthetic"]),
        "notes": notes, "notes_en": notes_en,
    }
