"""Write the synthetic demo dataset (合成演示数据) as one Parquet file per import kind.

Columns are named exactly as the target fields of ``core.fields`` so the files import without a mapping.
Enterprises are generated in chunks of index ranges; every row of a chunk is computed with numpy/pyarrow
from counter-based hashes (see ``rand``), so memory stays flat whatever the scale and the same seed
gives byte-identical files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ...core import jsonenc
from . import rand as R
from .population import AI_ALIVE, CATS, NON_AI, Population, uscc_batch

SOURCE = "synthetic-demo"
SOURCE_B = "synthetic-demo-b"
GENERATOR_VERSION = "1"
CHUNK = 100_000
ROUNDS = ["天使轮", "Pre-A轮", "A轮", "A+轮", "B轮", "B+轮", "C轮", "D轮", "E轮"]
ROUND_MEDIAN_WAN = [400, 1200, 4000, 7000, 12000, 18000, 35000, 70000, 120000]
INV_TYPES = ["VC", "PE", "CVC", "government_fund", "angel"]
INV_TYPE_W = [0.45, 0.20, 0.10, 0.10, 0.15]
NEWS_TYPES = ["product", "award", "partnership", "expansion", "risk", "funding"]
NEWS_W = [0.35, 0.2, 0.2, 0.12, 0.13]  # the kinds of news that are not about a funding round
NEWS_SENT = np.array([(0.3, 0.8), (0.5, 0.9), (0.3, 0.7), (0.3, 0.7), (-0.85, -0.3), (0.5, 0.9)])
CATEGORY_NAMES = list(CATS)

COLUMNS = {
    "enterprises": ["key", "name", "uscc", "short_name", "brand", "english_name", "former_names", "legal_form",
                    "status", "founded", "dissolved", "capital", "province", "city", "district", "address",
                    "industry", "scope", "description", "products", "website", "listed_code", "legal_rep", "tags"],
    "persons": ["key", "name", "gender", "birth_year", "description"],
    "roles": ["person", "person_key", "enterprise", "enterprise_uscc", "role", "title", "start", "end"],
    "investors": ["key", "name", "type", "uscc", "region", "country", "description"],
    "shareholdings": ["enterprise", "enterprise_uscc", "holder", "holder_type", "holder_uscc", "percent", "amount", "start", "end"],
    "branches": ["parent", "parent_uscc", "child", "child_uscc", "kind", "date", "percent", "region", "address"],
    "fundings": ["key", "enterprise", "enterprise_uscc", "date", "round", "amount", "investors", "lead_investor", "region"],
    "patents": ["number", "application_number", "title", "abstract", "type", "applied", "published", "granted",
                "status", "ipc", "applicants", "applicant_regions", "inventors", "cited"],
    "news": ["key", "title", "body", "url", "published", "outlet", "enterprises", "sentiment", "event_type"],
    "demands": ["key", "title", "description", "category", "node", "organisation", "demander_type", "region",
                "budget", "published", "deadline", "status", "contact"],
    "contacts": ["key", "name", "organisation", "title", "phone", "email", "relation", "notes", "enterprise", "region"],
    # not an import kind: the node each enterprise was generated for (the answer key of classification checks)
    "labels": ["key", "uscc", "node", "category"],
}
NUMERIC = {"percent": pa.float64(), "sentiment": pa.float64(), "birth_year": pa.int64()}


def schema(kind: str) -> pa.Schema:
    return pa.schema([(c, NUMERIC.get(c, pa.string())) for c in COLUMNS[kind]])


class Sink:
    """One Parquet file written chunk by chunk."""

    def __init__(self, path: Path, kind: str):
        self.path, self.kind, self.rows = path, kind, 0
        self.schema = schema(kind)
        self.writer = pq.ParquetWriter(str(path), self.schema, compression="zstd", write_statistics=False)

    def write(self, cols: dict) -> None:
        n = None
        arrays = []
        for f in self.schema:
            v = cols.get(f.name)
            if v is None:
                arrays.append(None)
                continue
            if isinstance(v, pa.ChunkedArray):
                v = v.combine_chunks()
            if isinstance(v, np.ndarray):
                v = pa.array(v, f.type) if v.dtype.kind == "U" else pa.array(v, f.type, from_pandas=True)
            elif isinstance(v, list):
                v = pa.array(v, f.type)
            elif v.type != f.type:
                v = v.cast(f.type)
            n = len(v)
            arrays.append(v)
        if not n:
            return
        arrays = [a if a is not None else pa.nulls(n, f.type) for a, f in zip(arrays, self.schema)]
        self.writer.write_table(pa.Table.from_arrays(arrays, schema=self.schema), row_group_size=CHUNK)
        self.rows += n

    def close(self) -> None:
        self.writer.close()


class Generator:
    def __init__(self, out_dir, scale=None, seed=20241, start=2010, end=2025, progress: Callable | None = None):
        self.P = Population(scale, seed, start, end)
        self.out = Path(out_dir)
        self.out.mkdir(parents=True, exist_ok=True)
        self.seed = int(seed)
        self.progress = progress or (lambda n=1, **kw: None)
        P = self.P
        self.voc, self.cal = P.voc, P.cal
        self.ref_day = R.day(P.ref_year, 12, 31)
        self.end_day = R.day(P.end, 12, 31)
        self.prev_day = R.day(2020, 12, 31)
        self.city_names = np.array([c.name for c in P.cities])
        self.prov_names = np.array([c.province_name for c in P.cities])
        self.city_short = np.array([c.short for c in P.cities])
        self.n_chunks = (P.N + CHUNK - 1) // CHUNK
        self._cooperation()
        self._investors_table()
        self._text_tables()

    # -- cooperation between provinces ----------------------------------------------------------------
    def _cooperation(self) -> None:
        P, co = self.P, self.cal["cooperation"]
        provs = P.provinces
        w = np.array([float(co["weights"].get(p, 0.004)) for p in provs])
        g = np.array([p in co["group"] for p in provs])
        J = np.outer(w, w)
        np.fill_diagonal(J, 0)
        blocks = {(True, True): co["internal_share"], (True, False): co["output_share"] - co["internal_share"],
                  (False, True): co["inbound_share"], (False, False): 1 - co["output_share"] - co["inbound_share"]}
        for (sg, dg), tot in blocks.items():
            m = np.outer(g == sg, g == dg)
            J[m] = J[m] / J[m].sum() * tot
        self.J = J
        self.coop_group = g
        src_m, dst_m = J.sum(axis=1), J.sum(axis=0)
        # enterprise share per province (the base rate of patents / fundings on each side)
        ent = np.bincount(P.city_prov, weights=P.quota[:, AI_ALIVE], minlength=len(provs)).astype(float)
        ent /= ent.sum()
        self.q_src = src_m / np.maximum(ent, 1e-9)   # relative propensity to originate a cross-province edge
        self.q_dst = dst_m / np.maximum(ent, 1e-9)
        self.q_src /= (ent * self.q_src).sum()
        self.q_dst /= (ent * self.q_dst).sum()
        self.dst_given_src = np.cumsum(J / np.maximum(J.sum(axis=1, keepdims=True), 1e-12), axis=1)
        self.src_given_dst = np.cumsum((J / np.maximum(J.sum(axis=0, keepdims=True), 1e-12)).T, axis=1)
        # city within a province: by enterprise share, secondary nodes weighted up
        sec = set(co.get("secondary_nodes", []))
        cw = np.array([c.share * (3.0 if c.code in sec else 1.0) for c in P.cities])
        self.prov_city_cdf = np.zeros((len(provs), len(P.cities)))
        for k in range(len(provs)):
            m = P.city_prov == k
            ww = np.where(m, cw, 0)
            self.prov_city_cdf[k] = np.cumsum(ww / ww.sum())

    def _city_in(self, prov: np.ndarray, u: np.ndarray) -> np.ndarray:
        return R.choice_rows(u, self.prov_city_cdf, prov)

    # -- investors (a small table, built up front) -------------------------------------------------------
    def _investors_table(self) -> None:
        P, s = self.P, self.seed
        n = max(60, int(round(self.cal["volumes"]["investors_per_1000"] * P.N / 1000)))
        k = np.arange(n)
        # where investors sit: capital follows the cooperation sources
        src = self.J.sum(axis=1)
        prov = R.choice_cdf(R.uniform(s, k, "inv_prov"), np.cumsum(src / src.sum()))
        city = self._city_in(prov, R.uniform(s, k, "inv_city"))
        typ = R.choice_cdf(R.uniform(s, k, "inv_type"), np.cumsum(INV_TYPE_W))
        # one government guidance fund per main city, the first rows
        gov_cities = [c for c in ("340100", "330100", "110100", "310100", "440300", "320500", "510100", "420100", "320100", "610100") if c in P.city_index]
        for j, code in enumerate(gov_cities[: n // 6]):
            city[j] = P.city_index[code]
            prov[j] = P.city_prov[city[j]]
            typ[j] = 3
        stem_code = (k * 389 + self.seed % 577) % (len(P.s1) * len(P.s2))
        s2 = np.array(P.s2)[stem_code % len(P.s2)]
        s1 = np.array(P.s1)[stem_code // len(P.s2) % len(P.s1)]
        stem = np.char.add(s2, s1)
        words = self.voc["investor_words"]
        names = []
        for j in range(n):
            t = INV_TYPES[typ[j]]
            cs = self.city_short[city[j]]
            w = words[t][j % len(words[t])]
            if t == "government_fund":
                names.append(f"{cs}市人工智能{w}合伙企业（有限合伙）" if j < len(gov_cities) else f"{cs}{stem[j]}{w}合伙企业（有限合伙）")
            elif t in ("VC", "angel"):
                names.append(f"{cs}{stem[j]}{w}合伙企业（有限合伙）" if j % 2 else f"{stem[j]}{w}管理有限公司")
            elif t == "PE":
                names.append(f"{stem[j]}{w}基金管理有限公司")
            else:
                names.append(f"{cs}{stem[j]}{w}有限公司")
        short = [f"{stem[j]}{'资本' if INV_TYPES[typ[j]] in ('VC', 'PE') else ('天使' if INV_TYPES[typ[j]] == 'angel' else '投资')}" for j in range(n)]
        for j in range(min(len(gov_cities), n // 6)):
            short[j] = names[j].replace("合伙企业（有限合伙）", "")
        self.inv = dict(n=n, prov=prov, city=city, type=typ, name=np.array(names), short=np.array(short),
                        uscc=uscc_batch(P.city_codes[city], (k * 104729 + 55_000_000 + self.seed % 1000) % 100_000_000, "93"))
        self.inv_by_prov = [np.nonzero(prov == p)[0] for p in range(len(P.provinces))]
        self.gov_by_city = {int(city[j]): j for j in range(min(len(gov_cities), n // 6))}

    # -- vocabulary as id tables (text is built column-wise from them) ---------------------------------------
    def _text_tables(self) -> None:
        P, voc = self.P, self.voc
        self.kinds = P.node_info + P.non_ai
        self.pool = pool = R.Pool()
        self.T = {
            "scope": R.Lists(pool, [x["scope"] for x in self.kinds]),
            "focus": R.Lists(pool, [x.get("focus") or x.get("description") for x in self.kinds]),
            "products": R.Lists(pool, [x["products"] for x in self.kinds]),
            "patents": R.Lists(pool, [x.get("patents") or [f"一种{x['name']}产品的加工方法"] for x in self.kinds]),
            "ipc": R.Lists(pool, [x.get("ipc") or ["G06Q10/00"] for x in self.kinds]),
            "demands": R.Lists(pool, [x["demands"] for x in P.node_info]),
        }
        self.ai_items = np.array([pool.id(x) for x in voc["scope_ai"]], dtype=np.int64)
        self.gen_items = np.array([pool.id(x) for x in voc["scope_generic"]], dtype=np.int64)
        self.lic_items = np.array([pool.id(x) for x in voc["scope_licensed"]], dtype=np.int64)
        self.sfx = np.array([pool.id(x) for x in ["", "及系统", "及装置", "、设备及存储介质", "及电子设备"]], dtype=np.int64)
        self.kind_name = pa.array([x["name"] for x in self.kinds], pa.string())
        flav = self.cal.get("flavour", {})
        self.flavour = pa.array([flav.get(c.code, {}).get(P.nodes[k] if k < P.n_nodes else "", "")
                                 for c in P.cities for k in range(len(self.kinds))], pa.string())
        self.news_pool = R.Pool()
        self.news_tpl = R.Lists(self.news_pool, [voc["news"][t] for t in NEWS_TYPES])
        self.news_bodies = [voc["body"][t] for t in NEWS_TYPES]
        self.news_no = 0
        # investors grouped by province, for vectorised picks
        inv = self.inv
        self.inv_names = pa.array(inv["name"].tolist(), pa.string())
        self.inv_short = pa.array(inv["short"].tolist(), pa.string())
        self.inv_sorted = np.argsort(inv["prov"], kind="stable")
        self.inv_cnt = np.bincount(inv["prov"], minlength=len(P.provinces))
        self.inv_off = np.concatenate([[0], np.cumsum(self.inv_cnt)[:-1]])
        self.gov_of_city = np.full(len(P.cities), -1, dtype=np.int64)
        for c, j in self.gov_by_city.items():
            self.gov_of_city[c] = j

    # -- files -----------------------------------------------------------------------------------------
    def run(self) -> dict:
        P = self.P
        names = {"enterprises_2020": "enterprises", "enterprises": "enterprises", "enterprises_2025": "enterprises",
                 "enterprises_b": "enterprises", "persons": "persons", "investors": "investors", "roles": "roles",
                 "shareholdings": "shareholdings", "branches": "branches", "fundings": "fundings", "patents": "patents",
                 "news": "news", "demands": "demands", "contacts": "contacts"}
        self.sinks = {f: Sink(self.out / f"{f}.parquet", k) for f, k in names.items()}
        self.sinks["labels"] = Sink(self.out / "labels.parquet", "labels")
        self.progress(0, total=self.n_chunks + 2, description="生成合成演示数据")
        self._write_investors()
        self.branch_no = 0
        self.patent_no = 0
        for c in range(self.n_chunks):
            lo, hi = c * CHUNK, min(P.N, (c + 1) * CHUNK)
            self._chunk(c, np.arange(lo, hi, dtype=np.int64))
            self.progress(1)
        self._write_demands()
        self._write_contacts()
        self.progress(1)
        for s in self.sinks.values():
            s.close()
        dates = {"enterprises_2020": "2020-12-31", "enterprises": str(self.cal["reference_date"]),
                 "enterprises_2025": f"{P.end}-12-31", "enterprises_b": str(self.cal["reference_date"])}
        files = []
        for f, k in names.items():
            files.append({"file": f"{f}.parquet", "kind": k, "rows": self.sinks[f].rows,
                          "source": SOURCE_B if f == "enterprises_b" else SOURCE,
                          "data_date": dates.get(f, f"{P.end}-12-31")})
        manifest = {"generator": "zhaoshang.services.demo", "version": GENERATOR_VERSION, "seed": self.seed,
                    "scale": P.N, "start": P.start, "end": P.end, "synthetic": True,
                    "label": "synthetic demo data / 合成演示数据 — fictional enterprises, people and events",
                    "enterprises": {k: int(v) for k, v in zip(("ai_alive", "ai_dissolved", "ai_new", "non_ai"), P.cat_n)},
                    "files": files,
                    "labels": {"file": "labels.parquet", "rows": self.sinks["labels"].rows,
                               "what": "the node each enterprise was generated for; not imported"}}
        (self.out / "manifest.json").write_text(jsonenc.dumps(manifest, indent=2), encoding="utf-8")
        return manifest

    def _write_investors(self) -> None:
        inv, P = self.inv, self.P
        n = inv["n"]
        region = np.where(np.array([c.province_name == c.name for c in P.cities])[inv["city"]],
                          self.city_names[inv["city"]], np.char.add(self.prov_names[inv["city"]], self.city_names[inv["city"]]))
        tname = {"VC": "创业投资机构", "PE": "私募股权投资机构", "CVC": "产业资本", "government_fund": "政府引导基金", "angel": "天使投资机构"}
        desc = [f"{inv['short'][j]}是一家位于{self.city_names[inv['city'][j]]}的{tname[INV_TYPES[inv['type'][j]]]}，关注人工智能与硬科技领域的早中期投资（合成演示数据）" for j in range(n)]
        self.sinks["investors"].write({
            "key": np.char.add("INV", np.arange(n).astype(str)), "name": inv["name"],
            "type": np.array(INV_TYPES)[inv["type"]], "uscc": inv["uscc"], "region": region,
            "country": np.full(n, "中国"), "description": np.array(desc)})
        # the partners of investors: persons who sit on portfolio boards (shared directors)
        pid = 8 * (10**9 + np.arange(n))
        self.sinks["persons"].write({
            "key": np.char.add("P", pid.astype(str)), "name": P.person_name(pid),
            "gender": np.where(R.uniform(self.seed, pid, "g") < 0.7, "男", "女"),
            "birth_year": 1965 + R.randint(self.seed, pid, "by", 20),
            "description": np.char.add(inv["short"], "合伙人")})

    # -- one chunk of enterprises and everything that hangs off them ---------------------------------------
    def _chunk(self, c: int, idx: np.ndarray) -> None:
        P, s = self.P, self.seed
        a = P.attrs(idx)
        n = len(idx)
        rng = np.random.default_rng([s, c])
        a["uscc"] = P.usccs(a)
        a["name"] = P.names(a)
        a["stem"], a["rom"] = P.stems(a)
        a["prov"] = P.city_prov[a["city"]]
        # people: slot 0 founder + legal rep, 1 co-founder, 2 executive, 3 supervisor
        pid0 = idx * 8
        has = np.stack([np.ones(n, bool), a["ai"] & (R.uniform(s, idx, "cof") < 0.6),
                        a["ai"] & (R.uniform(s, idx, "exe") < 0.75), R.uniform(s, idx, "sup") < 0.5], axis=1)
        # serial founders: the co-founder slot is the founder of another enterprise of the same city
        serial = a["ai"] & (R.uniform(s, idx, "serial") < 0.08)
        other = P.pick(a["city"], AI_ALIVE, R.uniform(s, idx, "serial_pick"))
        serial &= (other >= 0) & (other != idx)
        pid_cof = np.where(serial, other * 8, pid0 + 1)
        has[:, 1] |= serial
        a["serial"] = serial
        a["legal_rep_old"] = P.person_name(pid0)
        a["legal_rep_new"] = P.person_name(pid0 + 2)
        has[:, 2] |= a["changes"]["legal_rep"] >= 0
        self._enterprises(a, rng)
        self._labels(a)
        self._persons(a, has, pid0)
        self._roles(a, has, pid0, pid_cof)
        rounds = self._fundings(a, rng)
        self._shareholdings(a, has, pid0, pid_cof, rounds)
        self._branches(a, rng)
        self._patents(a, rng, pid0)
        self._news(a, rng, rounds)

    def _status(self, a: dict, when: int) -> np.ndarray:
        d = a["dissolved"]
        gone = (d >= 0) & (d <= when)
        st = np.where(gone, np.where(a["revoked"], "吊销", "注销"),
                      np.where(R.uniform(self.seed, a["idx"], "stw") < 0.8, "存续", "在业"))
        return st

    def _labels(self, a: dict) -> None:
        """The node each enterprise was generated for (not imported: the answer key for classification checks)."""
        P = self.P
        node = np.where(a["ai"], np.array(P.nodes + [""])[np.where(a["ai"], a["node"], P.n_nodes)], "")
        self.sinks["labels"].write({
            "key": R.join("E", R.ints_text(a["idx"])), "uscc": a["uscc"],
            "node": pc.if_else(pa.array(a["ai"]), R.text(node), pa.nulls(len(node), pa.string())),
            "category": np.array(CATEGORY_NAMES)[a["cat"]]})

    def _enterprises(self, a: dict, rng) -> None:
        P, s, idx, T = self.P, self.seed, a["idx"], self.T
        n = len(idx)
        city = a["city"]
        kind = a["kind"]
        voc = self.voc
        ai = a["ai"]
        # capital: log-normal around 500 万, larger for benchmarks and unicorns
        z = np.sqrt(2) * _erfinv(2 * a["ucap"] - 1)
        cap = np.exp(np.log(500) + 1.1 * z) * np.where(a["bench"], 8, 1) * np.where(a["unicorn"], 20, 1)
        nice = np.array([10, 30, 50, 100, 200, 300, 500, 800, 1000, 1500, 2000, 3000, 5000, 8000, 10000, 20000, 50000, 100000, 200000])
        cap_new_i = nice[np.clip(np.searchsorted(nice, cap), 0, len(nice) - 1)]
        cap_old_i = nice[np.clip(np.searchsorted(nice, cap) - 1 - (R.uniform(s, idx, "capd") < 0.3), 0, len(nice) - 1)]
        form = np.array([f["form"] for f in voc["legal_forms"]])[a["form"]]
        usd = np.char.find(form.astype(str), "外商") >= 0
        fmt = R.randint(s, idx, "capfmt", 3)
        unit = np.where(usd, "万美元", np.where(fmt == 0, "万元人民币", np.where(fmt == 1, "万人民币", "万元")))

        stem, rom = a["stem"], a["rom"]
        dist = a["district"]
        dname = np.where(dist >= 0, np.array(P.district_names + [""])[dist], "")
        road = np.array(voc["roads"])[R.randint(s, idx, "road", len(voc["roads"]))]
        num = (1 + R.randint(s, idx, "num", 998)).astype(str)
        bld = np.array(voc["buildings"])[R.randint(s, idx, "bld", len(voc["buildings"]))]
        region = P.region_text(a)
        addr_old = np.char.add(np.char.add(np.char.add(np.char.add(region, dname), road), num), bld)
        road2 = np.array(voc["roads"])[R.randint(s, idx, "road2", len(voc["roads"]))]
        num2 = (1 + R.randint(s, idx, "num2", 998)).astype(str)
        addr_new = np.char.add(np.char.add(np.char.add(np.char.add(region, dname), road2), num2), bld)

        # scope (经营范围): 一般项目 with node items, an 人工智能 item and generic items for AI; some 许可项目.
        # Items are string ids, so a repeated item is dropped (the first occurrence stays).
        u1 = R.uniform(s, idx, "sc1")
        u2 = R.uniform(s, idx, "sc2")
        u3 = R.uniform(s, idx, "sc3")
        L = T["scope"].len[kind]
        i0 = T["scope"].pick(kind, u1)
        p0 = T["scope"].ids(kind, i0)
        p1 = np.where(L > 1, T["scope"].ids(kind, i0 + 1 + np.floor(u2 * np.maximum(L - 1, 0)).astype(np.int64)), -1)
        aiv = self.ai_items[np.minimum(np.floor(u2 * len(self.ai_items)).astype(np.int64), len(self.ai_items) - 1)]
        g0 = np.minimum(np.floor(u3 * len(self.gen_items)).astype(np.int64), len(self.gen_items) - 1)
        none = np.full(n, -1)
        slots = np.stack([np.where(ai & (u3 < 0.5), aiv, none), p0, p1, np.where(ai & (u3 >= 0.5), aiv, none),
                          np.where(ai, self.gen_items[g0], none),
                          np.where(ai & (u1 < 0.5), self.gen_items[(g0 + 3) % len(self.gen_items)], none)], axis=1)
        for j in range(1, slots.shape[1]):
            dup = (slots[:, :j] == slots[:, j:j + 1]).any(axis=1)
            slots[:, j] = np.where(dup, -1, slots[:, j])
        items = R.join_list(self.pool.arr, slots, "；")
        lic = self.lic_items[np.minimum(np.floor(u3 * len(self.lic_items)).astype(np.int64), len(self.lic_items) - 1)]
        licensed = R.where(u2 < 0.3, R.join("。许可项目：", self.pool.text(lic), voc["scope_licensed_tail"]), "")
        scope = R.join("一般项目：", items, voc["scope_general_tail"], licensed)
        # description
        focus = T["focus"].text(kind, T["focus"].pick(kind, u2))
        year = R.ints_text(R.years_of(a["founded"]))
        cn = R.text(self.city_names[city])
        extra = self.flavour.take(pa.array(city * len(self.kinds) + kind))
        tail = R.where(pc.equal(extra, ""), "。", R.join("，", extra, "。"))
        bench = R.where(a["bench"], "公司入选杭州人工智能标杆企业。", "")
        d_ai = R.join(R.text(stem), "成立于", year, "年，总部位于", cn, "，是一家专注于", focus, "的人工智能企业", tail, bench)
        d_other = R.join("公司成立于", year, "年，位于", cn, "，", focus, "。")
        desc = pc.if_else(pa.array(ai), d_ai, d_other)
        k3 = T["products"].pick(kind, u3)
        pr1 = T["products"].text(kind, k3)
        pr2 = T["products"].text(kind, k3 + 1)
        prods = pc.if_else(pa.array(ai & (u1 < 0.7) & (T["products"].len[kind] > 1)), R.join(pr1, "、", pr2), pr1)
        industry = np.array([x["industry"] for x in self.kinds])[kind]
        # tags
        ut = R.uniform(s, idx, "tags")
        tags = np.full(n, "", dtype=object)
        hi_tech = ai & (ut < 0.35)
        srs = ai & (R.uniform(s, idx, "srs") < 0.12 + 0.6 * a["bench"])
        tags = _tag(tags, hi_tech | a["bench"], "高新技术企业")
        tags = _tag(tags, srs, "专精特新")
        tags = _tag(tags, a["bench"], "标杆")
        tags = _tag(tags, a["unicorn"], "独角兽")
        tags = np.where(tags == "", None, tags)
        listed = a["ai"] & (R.uniform(s, idx, "listed") < 0.006 + 0.1 * a["bench"]) & (a["cat"] == AI_ALIVE)
        board = np.where(R.uniform(s, idx, "board") < 0.5, "688", "301")
        code = np.char.add(board, np.char.zfill((R.randint(s, idx, "lcode", 999)).astype(str), 3))
        listed_code = np.where(listed, code, None)
        ua = R.uniform(s, idx, "alias")
        short = np.where(ua < 0.5, np.char.add(stem, np.where(ai, "科技", "")), None)
        brand = np.where(ai & (ua > 0.75), stem, None)
        ename = np.where(ai & (R.uniform(s, idx, "en") < 0.3),
                         np.char.add(np.char.add(np.array([c.en for c in P.cities])[city], " "), np.char.add(rom, " Technology Co., Ltd.")), None)
        website = np.where(R.uniform(s, idx, "web") < 0.55, np.char.add(np.char.add("www.", np.char.lower(rom)), np.where(ai, ".cn", ".com.cn")), None)
        desc = pc.if_else(pa.array(R.uniform(s, idx, "dm") < 0.12), pa.nulls(n, pa.string()), desc)
        ch = a["changes"]
        uregion = R.uniform(s, idx, "regcode")
        old_name = P.names(a, old=True) if (ch["name"] >= 0).any() else a["name"]
        # most rows give region names, a few give codes (as some exports do)
        as_code = uregion < 0.06
        prov = np.where(as_code, np.array([c.province for c in P.cities])[city], self.prov_names[city])
        cty = np.where(as_code, np.array([c.code for c in P.cities])[city], self.city_names[city])
        keys = R.join("E", R.ints_text(idx))

        def snapshot(when: int, mask: np.ndarray, dup: bool = False) -> dict:
            m = mask
            pm = pa.array(m)
            renamed = (ch["name"] >= 0) & (ch["name"] <= when)
            # the registered name on that day: the former name until the change
            name_now = np.where((ch["name"] >= 0) & (ch["name"] > when), old_name, a["name"])
            former = np.where(renamed, old_name, None)
            addr = np.where((ch["address"] >= 0) & (ch["address"] <= when), addr_new, addr_old)
            capv = np.where((ch["capital"] >= 0) & (ch["capital"] > when), cap_old_i, cap_new_i)
            lrep = np.where((ch["legal_rep"] >= 0) & (ch["legal_rep"] <= when), a["legal_rep_new"], a["legal_rep_old"])
            st = self._status(a, when)
            diss = np.where((a["dissolved"] >= 0) & (a["dissolved"] <= when), a["dissolved"], -1)
            cols = {
                "key": keys.filter(pm), "name": name_now[m], "uscc": a["uscc"][m],
                "short_name": short[m], "brand": brand[m], "english_name": ename[m], "former_names": former[m],
                "legal_form": form[m], "status": st[m], "founded": R.dates_text(a["founded"][m]),
                "dissolved": R.dates_text(diss[m]), "capital": np.char.add(capv[m].astype(str), unit[m]),
                "province": prov[m], "city": cty[m],
                "district": np.where(dname == "", None, dname)[m], "address": addr[m], "industry": industry[m],
                "scope": scope.filter(pm), "description": desc.filter(pm), "products": prods.filter(pm),
                "website": website[m], "listed_code": listed_code[m], "legal_rep": lrep[m], "tags": tags[m],
            }
            if dup:
                # a second source: full-width brackets around the city or no legal form, fewer fields
                v = R.uniform(s, idx, "dupv")[m]
                nm = cols["name"].astype(str)
                cs = self.city_short[city][m]
                no_form = np.char.replace(np.char.replace(nm, "股份有限公司", ""), "有限公司", "")
                bracket = np.char.add(np.char.add(np.char.replace(no_form, cs, "", count=1), np.char.add("（", np.char.add(cs, "）"))),
                                      np.where(np.char.find(nm, "股份有限公司") >= 0, "股份有限公司", "有限公司"))
                cols["name"] = np.where(v < 0.5, no_form, bracket)
                cols["key"] = R.join("B", R.ints_text(idx[m]))
                for f in ("short_name", "brand", "english_name", "former_names", "description", "website", "tags", "listed_code", "products"):
                    cols[f] = None
            return cols

        f = a["founded"]
        self.sinks["enterprises_2020"].write(snapshot(self.prev_day, f <= self.prev_day))
        self.sinks["enterprises"].write(snapshot(self.ref_day, f <= self.ref_day))
        changed = np.zeros(n, bool)
        for v in ch.values():
            changed |= (v > self.ref_day)
        changed |= (a["dissolved"] > self.ref_day)
        self.sinks["enterprises_2025"].write(snapshot(self.end_day, (f > self.ref_day) | changed))
        dup = (f <= self.ref_day) & (R.uniform(s, idx, "dup") < self.cal["volumes"]["duplicate_share"])
        self.sinks["enterprises_b"].write(snapshot(self.ref_day, dup, dup=True))
        a["short"] = np.where(short == None, stem, short).astype(str)  # noqa: E711
        # the short form a newspaper would use: the registered short name or brand (both become aliases)
        a["alias"] = np.where(short != None, short, np.where(brand != None, brand, "")).astype(str)  # noqa: E711

    def _persons(self, a, has, pid0) -> None:
        s = self.seed
        rows_pid = []
        for slot in range(4):
            m = has[:, slot] if slot != 1 else has[:, 1] & ~a["serial"]
            rows_pid.append(pid0[m] + slot)
        pid = np.concatenate(rows_pid)
        pid = np.unique(pid)  # deterministic order
        by = 1960 + R.randint(s, pid, "by", 38)
        serial_note = np.where(R.uniform(s, pid, "pd") < 0.3, "连续创业者，曾参与多家科技企业创立", None)
        self.sinks["persons"].write({
            "key": R.join("P", R.ints_text(pid)), "name": self.P.person_name(pid),
            "gender": np.where(R.uniform(s, pid, "g") < 0.72, "男", "女"), "birth_year": by,
            "description": serial_note})

    def _roles(self, a, has, pid0, pid_cof) -> None:
        """People in office as of the file's date, under the enterprise's current registered name."""
        P, s = self.P, self.seed
        idx = a["idx"]
        f = R.dates_text(a["founded"])
        name = R.text(a["name"])
        uscc = R.text(a["uscc"])
        out = {k: [] for k in COLUMNS["roles"]}

        def add(mask, pid, role, title, start, end=None):
            pm = pa.array(mask)
            k = int(mask.sum())
            out["person"].append(R.text(P.person_name(pid[mask])))
            out["person_key"].append(R.join("P", R.ints_text(pid[mask])))
            out["enterprise"].append(name.filter(pm))
            out["enterprise_uscc"].append(uscc.filter(pm))
            out["role"].append(pa.array([role] * k, pa.string()))
            out["title"].append(R.text(np.asarray(title)[mask]) if isinstance(title, np.ndarray) else pa.array([title] * k, pa.string()))
            out["start"].append(start.filter(pm))
            out["end"].append(end.filter(pm) if end is not None else pa.nulls(k, pa.string()))

        lr = a["changes"]["legal_rep"]
        lr_txt = R.dates_text(lr)
        title0 = np.where(R.uniform(s, idx, "t0") < 0.5, "执行董事兼总经理", "董事长")
        add(np.ones(len(idx), bool), pid0, "legal_rep", "法定代表人", f, lr_txt)
        add(a["ai"], pid0, "founder", np.where(title0 == "董事长", "创始人、董事长", "创始人、CEO"), f)
        add(has[:, 1], pid_cof, "founder", "联合创始人", f)
        titles = np.array(["CTO", "首席科学家", "副总经理", "COO", "财务负责人"])
        add(has[:, 2], pid0 + 2, "executive", titles[R.randint(s, idx, "t2", len(titles))], f)
        add(lr >= 0, pid0 + 2, "legal_rep", "法定代表人", lr_txt)
        add(has[:, 3], pid0 + 3, "supervisor", "监事", f)
        self.sinks["roles"].write({k: pa.concat_arrays(v) for k, v in out.items()})

    def _fundings(self, a, rng) -> dict:
        """Funding rounds of AI enterprises with realistic stage gaps and sizes (all rounds of a chunk at once)."""
        P, s = self.P, self.seed
        idx = a["idx"]
        vol = self.cal["volumes"]
        u = R.uniform(s, idx, "funded")
        p_f = np.where(a["unicorn"], 1.0, np.where(a["bench"], 0.9, vol["funded_share"]))
        funded = a["ai"] & (u < p_f) & (a["cat"] != NON_AI)
        cont = np.where(a["unicorn"], 0.9, np.where(a["bench"], 0.72, 0.55))
        fe = np.nonzero(funded)[0]
        nf, K = len(fe), len(ROUNDS)
        if nf == 0:
            return {"e": np.zeros(0, np.int64)}
        # a candidate sequence of K rounds per funded enterprise; it stops at the first break, the end of
        # the enterprise (or of the period) or after the last stage
        d0 = a["founded"][fe] + rng.integers(120, 720, nf)
        st0 = np.where(rng.random(nf) < 0.6, 0, rng.integers(1, 3, nf))
        gaps = np.floor(rng.gamma(4.0, 120.0, (nf, K))).astype(np.int64) + 180
        inc = np.where(rng.random((nf, K)) < 0.75, 1, 2)
        brk = rng.random((nf, K)) > cont[fe][:, None]
        brk &= ~(a["unicorn"][fe][:, None] & (np.arange(K)[None, :] + 1 < 4))
        lognorm = np.exp(rng.normal(0, 0.6, (nf, K)))
        date = d0[:, None] + np.concatenate([np.zeros((nf, 1), np.int64), np.cumsum(gaps[:, :-1], axis=1)], axis=1)
        stage = st0[:, None] + np.concatenate([np.zeros((nf, 1), np.int64), np.cumsum(inc[:, :-1], axis=1)], axis=1)
        end = np.where(a["dissolved"][fe] >= 0, a["dissolved"][fe], self.end_day - 20)
        broken_before = np.concatenate([np.zeros((nf, 1), bool), np.cumsum(brk[:, :-1], axis=1) > 0], axis=1)
        exists = (date < end[:, None]) & (stage < K) & ~broken_before
        exists = np.cumprod(exists, axis=1).astype(bool)
        row, col = np.nonzero(exists)  # row-major: enterprise by enterprise, rounds in order
        e = fe[row]
        rnd = stage[row, col]
        when = date[row, col]
        boost = np.where(a["unicorn"][e], 3.0, np.where(a["bench"][e], 1.6, 1.0))
        wan = np.array(ROUND_MEDIAN_WAN, dtype=np.float64)[rnd] * boost * lognorm[row, col]
        m = len(e)
        if m == 0:
            return {"e": np.zeros(0, np.int64)}
        prov = a["prov"][e]
        # investors: 1-4 per round; a share of slots from another province (cooperation edges); the local
        # guidance fund joins a quarter of its city's rounds
        n_inv = 1 + (rng.random(m) < 0.6) + (rng.random(m) < 0.35) + (rng.random(m) < 0.15)
        q = np.clip(vol["cross_investor_share"] * self.q_dst[prov], 0, 0.95)
        C = np.full((m, 5), -1, dtype=np.int64)
        for slot in range(4):
            cross = rng.random(m) < q
            sp = np.where(cross, R.choice_rows(rng.random(m), self.src_given_dst, prov), prov)
            C[:, slot] = np.where(slot < n_inv, self._investor_in(sp, rng.random(m)), -1)
        g = self.gov_of_city[a["city"][e]]
        C[:, 4] = np.where((g >= 0) & (rng.random(m) < 0.25), g, -1)
        for j in range(1, 5):
            C[:, j] = np.where((C[:, :j] == C[:, j:j + 1]).any(axis=1), -1, C[:, j])
        lead = C[:, 0]
        # amounts as sources write them: undisclosed, vague, USD, 亿 or 万
        r = rng.random(m)
        vague = np.where(wan < 10000, "数千万人民币", np.where(wan < 100000, "数亿人民币", "数十亿人民币"))
        usd = wan / 720
        usd_t = pc.if_else(pa.array(usd < 10000), R.join(R.ints_text(np.round(usd)), "万美元"), R.join(R.tenths_text(usd / 10000), "亿美元"))
        cny_t = pc.if_else(pa.array(wan >= 10000), R.join(R.tenths_text(wan / 10000), "亿人民币"),
                           R.join(R.ints_text(np.round(wan / 10) * 10), "万人民币"))
        amount = pc.if_else(pa.array(r < 0.14), "未透露", pc.if_else(pa.array(r < 0.26), R.text(vague),
                            pc.if_else(pa.array(r < 0.36), usd_t, cny_t)))
        # numbered within the enterprise, so a key never depends on the chunk size
        first = np.concatenate([[True], e[1:] != e[:-1]])
        start = np.maximum.accumulate(np.where(first, np.arange(m), 0))
        k_in = np.arange(m) - start
        self.sinks["fundings"].write({
            "key": R.join("F", R.ints_text(idx[e]), "-", R.ints_text(k_in)),
            "enterprise": P.names_at(_sub(a, e), when),
            "enterprise_uscc": a["uscc"][e], "date": R.dates_text(when), "round": np.array(ROUNDS)[rnd],
            "amount": amount, "investors": R.join_list(self.inv_names, C, "，"),
            "lead_investor": self.inv_names.take(pa.array(lead)), "region": P.region_text({"city": a["city"][e]})})
        return {"e": e, "round": rnd, "date": when, "lead": lead, "amount": amount}

    def _investor_in(self, prov: np.ndarray, u: np.ndarray) -> np.ndarray:
        """An investor of province ``prov`` (any investor when the province has none)."""
        cnt = self.inv_cnt[prov]
        local = self.inv_sorted[np.minimum(self.inv_off[prov] + np.floor(u * cnt).astype(np.int64), len(self.inv_sorted) - 1)]
        anyone = np.minimum(np.floor(u * self.inv["n"]).astype(np.int64), self.inv["n"] - 1)
        return np.where(cnt > 0, local, anyone)

    def _shareholdings(self, a, has, pid0, pid_cof, rounds) -> None:
        """The shareholder register as of the file's date, under the enterprise's current registered name."""
        P, s = self.P, self.seed
        idx = a["idx"]
        n = len(idx)
        out = {k: [] for k in COLUMNS["shareholdings"]}
        f = R.dates_text(a["founded"])
        name = R.text(a["name"])
        uscc = R.text(a["uscc"])
        dilution = np.ones(n)
        if len(rounds["e"]):
            np.multiply.at(dilution, rounds["e"], 0.85)
        p0 = np.where(has[:, 1], 60.0, 90.0) * dilution
        p1 = 30.0 * dilution

        def add(e, holder, htype, pct, start, holder_uscc=None):
            k = len(e)
            ea = pa.array(e)
            out["enterprise"].append(name.take(ea))
            out["enterprise_uscc"].append(uscc.take(ea))
            out["holder"].append(R.text(holder))
            out["holder_type"].append(pa.array([htype] * k, pa.string()))
            out["holder_uscc"].append(R.text(holder_uscc) if holder_uscc is not None else pa.nulls(k, pa.string()))
            out["percent"].append(pa.array(np.round(np.asarray(pct, dtype=float), 2)))
            out["amount"].append(pa.nulls(k, pa.string()))
            out["start"].append(start)
            out["end"].append(pa.nulls(k, pa.string()))

        e0 = np.arange(n)
        add(e0, P.person_name(pid0), "person", p0, f)
        e1 = np.nonzero(has[:, 1])[0]
        add(e1, P.person_name(pid_cof[e1]), "person", p1[e1], f.take(pa.array(e1)))
        if len(rounds["e"]):
            e = rounds["e"]
            lead = rounds["lead"]
            pct = np.clip(3 + 12 * R.uniform(s, idx[e] * 31 + rounds["round"], "pct"), 1, 20) * np.where(rounds["round"] < 3, 1.0, 0.5)
            add(e, self.inv_names.take(pa.array(lead)), "investor", pct, R.dates_text(rounds["date"]), self.inv["uscc"][lead])
        self.sinks["shareholdings"].write({k: pa.concat_arrays(v) for k, v in out.items()})

    def _branches(self, a, rng) -> None:
        """Branches, subsidiaries and outbound investments opening in other cities: the expansion signal."""
        P, s = self.P, self.seed
        idx = a["idx"]
        ai = a["ai"]
        lam = self.cal["volumes"]["branches_per_ai"] * np.where(a["bench"] | a["unicorn"], 4.0, 1.0) * self.q_src[a["prov"]]
        k = np.where(ai, rng.poisson(lam), 0)
        e = np.repeat(np.arange(len(idx)), k)
        m = len(e)
        if m == 0:
            return
        src = a["prov"][e]
        cross = rng.random(m) < 0.7
        dst = np.where(cross, R.choice_rows(rng.random(m), self.dst_given_src, src), src)
        city = self._city_in(dst, rng.random(m))
        kind = np.where(rng.random(m) < 0.55, "branch", np.where(rng.random(m) < 0.6, "subsidiary", "investment"))
        start = a["founded"][e] + 365
        stop = np.where(a["dissolved"][e] >= 0, a["dissolved"][e], self.end_day - 20)
        ok = stop > start
        date = start + np.floor(rng.random(m) ** 0.6 * np.maximum(stop - start, 1)).astype(np.int64)
        # investments go to existing enterprises of the target city
        inv = kind == "investment"
        tgt = P.pick(city, AI_ALIVE, rng.random(m))
        inv &= tgt >= 0
        kind = np.where((kind == "investment") & ~inv, "subsidiary", kind)
        t = P.attrs(tgt[inv]) if inv.any() else None
        if inv.any():
            date[inv] = np.maximum(date[inv], t["founded"] + 30)
        same_city = city == a["city"][e]
        keep = ok & ~((kind == "branch") & same_city) & (date < self.end_day)
        # the parent under its name on the day; a branch is 〈parent〉〈city〉分公司, a subsidiary 〈parent〉（〈city〉）有限公司
        parent_name = P.names_at(_sub(a, e), date)
        cs = self.city_short[city]
        # the parent's name without its legal form is unique, so two parents never name a subsidiary alike
        bare = np.char.replace(np.char.replace(parent_name, "股份有限公司", ""), "有限公司", "")
        sub_name = np.char.add(bare, np.char.add(np.char.add("（", cs), "）有限公司"))
        child = np.where(kind == "branch", np.char.add(np.char.add(parent_name, cs), "分公司"), sub_name).astype(object)
        new_no = self.branch_no + np.arange(m)
        self.branch_no += m
        child_uscc = uscc_batch(P.city_codes[city], (new_no * 7919 + 70_000_000 + self.seed % 1000) % 100_000_000, "91")
        if inv.any():
            child[inv] = P.names_at(t, date[inv])
            child_uscc[inv] = P.usccs(t)
        pct = np.where(kind == "branch", np.nan, np.where(kind == "subsidiary", 51 + np.floor(rng.random(m) * 49), 5 + np.floor(rng.random(m) * 25)))
        region = P.region_text({"city": city})
        road = np.array(self.voc["roads"])[np.floor(rng.random(m) * len(self.voc["roads"])).astype(int)]
        addr = np.char.add(np.char.add(region, road), np.char.add((1 + np.floor(rng.random(m) * 500)).astype(int).astype(str), "号"))
        self.sinks["branches"].write({
            "parent": parent_name[keep], "parent_uscc": a["uscc"][e][keep], "child": child[keep],
            "child_uscc": child_uscc[keep], "kind": kind[keep], "date": R.dates_text(date[keep]),
            "percent": pct[keep], "region": region[keep], "address": addr[keep]})

    def _patents(self, a, rng, pid0) -> None:
        P, s, T = self.P, self.seed, self.T
        idx = a["idx"]
        vol = self.cal["volumes"]
        stage = np.where(a["ai"], P.node_stage[np.minimum(a["node"], P.n_nodes - 1)], 3)
        base = np.array([1.6, 1.0, 0.8, 0.02])[stage] * vol["patents_per_ai"]
        lam = base * np.where(a["bench"], 4, 1) * np.where(a["unicorn"], 6, 1)
        lam = lam * rng.gamma(1.2, 1 / 1.2, len(idx))
        k = rng.poisson(lam)
        e = np.repeat(np.arange(len(idx)), k)
        m = len(e)
        if m == 0:
            return
        start = a["founded"][e] + 90
        stop = np.where(a["dissolved"][e] >= 0, a["dissolved"][e], self.end_day - 200)
        ok = stop > start
        applied = start + np.floor(rng.random(m) ** 0.8 * np.maximum(stop - start, 1)).astype(np.int64)
        hw = np.isin(stage[e], [0])
        r = rng.random(m)
        tcode = np.where(r < np.where(hw, 0.6, 0.85), 1, np.where(r < 0.97, 2, 3))  # invention, utility, design
        ptype = np.array(["", "发明", "实用新型", "外观设计"])[tcode]
        pub = applied + np.where(tcode == 1, 540, 180) + np.floor(rng.random(m) * 60).astype(np.int64)
        granted = np.where((tcode == 1) & (rng.random(m) < 0.6), applied + 720 + np.floor(rng.random(m) * 400).astype(np.int64),
                           np.where(tcode != 1, pub, -1))
        limit = self.end_day
        ok &= pub <= limit
        granted = np.where(granted <= limit, granted, -1)
        no = self.patent_no + np.arange(m)
        self.patent_no += m
        serial = (no * 7919 + 1234567 + s % 1000) % 100_000_000
        yrs = R.years_of(applied)
        s7 = serial % 10_000_000
        app_int = (yrs * 10 + tcode) * 10_000_000 + s7
        app_no = R.join(R.ints_text(app_int), ".", R.text(_app_check(app_int)))
        kindc = np.where(tcode == 1, np.where(granted >= 0, "B", "A"), np.where(tcode == 2, "U", "S"))
        number = R.join("CN1", R.text(np.char.zfill(serial.astype(str), 8)), R.text(kindc))
        kind = a["kind"][e]
        title = R.join(T["patents"].text(kind, T["patents"].pick(kind, rng.random(m))),
                       self.pool.text(self.sfx[np.minimum(np.floor(rng.random(m) * len(self.sfx)).astype(np.int64), len(self.sfx) - 1)]))
        design = R.join(T["products"].text(kind, np.zeros(m, np.int64)), "（外观）")
        title = pc.if_else(pa.array(tcode == 3), design, title)
        abstract = R.join("本申请公开了", title, "，涉及", self.kind_name.take(pa.array(kind)), "技术领域。所述方法面向",
                          T["focus"].text(kind, np.zeros(m, np.int64)), "，通过改进数据处理与控制流程，提升了效率与可靠性。")
        i0 = T["ipc"].pick(kind, rng.random(m))
        ip0, ip1 = T["ipc"].ids(kind, i0), T["ipc"].ids(kind, i0 + 1)
        ipc = pc.if_else(pa.array(ip0 != ip1), R.join(self.pool.text(ip0), ";", self.pool.text(ip1)), self.pool.text(ip0))
        # applicants: the enterprise under its name on the application day, plus co-applicants across
        # provinces (the cooperation network), also under their names on that day
        own = R.text(P.names_at(_sub(a, e), applied))
        own_region = R.text(P.region_text({"city": a["city"][e]}))
        src = a["prov"][e]
        q = np.clip(vol["cross_patent_share"] * self.q_src[src], 0, 0.9) * a["ai"][e]
        cross = rng.random(m) < q
        dst = R.choice_rows(rng.random(m), self.dst_given_src, src)
        dcity = self._city_in(dst, rng.random(m))
        partner = P.pick(dcity, AI_ALIVE, rng.random(m))
        cross &= (partner >= 0) & (partner != idx[e])
        applicants, regions = own, own_region
        if cross.any():
            pa_ = P.attrs(partner[cross])
            pn = np.full(m, "", dtype=object)
            pr = np.full(m, "", dtype=object)
            pn[cross] = P.names_at(pa_, applied[cross])
            pr[cross] = P.region_text(pa_)
            cm = pa.array(cross)
            applicants = pc.if_else(cm, R.join(own, ";", R.text(pn)), own)
            regions = pc.if_else(cm, R.join(own_region, ";", R.text(pr)), own_region)
        inv1 = P.person_name(pid0[e] + np.where(rng.random(m) < 0.5, 2, 0))
        inv2 = P.person_name(10**12 + no)
        inventors = pc.if_else(pa.array(rng.random(m) < 0.7), R.join(R.text(inv1), ";", R.text(inv2)), R.text(inv1))
        status = np.where(granted >= 0, "授权", np.where(rng.random(m) < 0.85, "实质审查", "驳回"))
        okm = pa.array(ok)
        self.sinks["patents"].write({
            "number": number.filter(okm), "application_number": app_no.filter(okm), "title": title.filter(okm),
            "abstract": abstract.filter(okm), "type": ptype[ok], "applied": R.dates_text(applied[ok]),
            "published": R.dates_text(pub[ok]), "granted": R.dates_text(granted[ok]), "status": status[ok],
            "ipc": ipc.filter(okm), "applicants": applicants.filter(okm), "applicant_regions": regions.filter(okm),
            "inventors": inventors.filter(okm), "cited": None})

    def _news(self, a, rng, rounds) -> None:
        P, s, T = self.P, self.seed, self.T
        idx = a["idx"]
        vol = self.cal["volumes"]
        lam = np.where(a["ai"], vol["news_per_ai"], 0.05) * np.where(a["bench"] | a["unicorn"], 3, 1)
        k = rng.poisson(lam)
        e1 = np.repeat(np.arange(len(idx)), k)
        t1 = R.choice_cdf(rng.random(len(e1)), np.cumsum(NEWS_W))
        lo = a["founded"][e1] + 60
        hi = np.where(a["dissolved"][e1] >= 0, a["dissolved"][e1], self.end_day - 10)
        d1 = lo + np.floor(rng.random(len(e1)) * np.maximum(hi - lo, 1)).astype(np.int64)
        # funding news for most rounds
        nr = len(rounds["e"])
        fsel = np.nonzero(rng.random(nr) < 0.6)[0] if nr else np.zeros(0, np.int64)
        e = np.concatenate([e1, rounds["e"][fsel] if nr else np.zeros(0, np.int64)]).astype(np.int64)
        typ = np.concatenate([t1, np.full(len(fsel), NEWS_TYPES.index("funding"))]).astype(np.int64)
        d = np.concatenate([d1, (rounds["date"][fsel] + rng.integers(0, 20, len(fsel))) if nr else np.zeros(0, np.int64)])
        m = len(e)
        if m == 0:
            return
        d = np.minimum(d, self.end_day)
        kind = a["kind"][e]
        name = R.text(P.names_at(_sub(a, e), d))
        short = R.text(a["short"][e])
        empty = pa.array([""] * m, pa.string())
        fund = np.full(m, -1, np.int64)
        fund[len(e1):] = fsel
        isf = fund >= 0
        fundm = pa.array(isf)
        fj = pa.array(np.where(isf, fund, 0))
        if nr:
            rnd = pc.if_else(fundm, pa.array(np.array(ROUNDS)[rounds["round"]]).take(fj), empty)
            lead = pc.if_else(fundm, self.inv_short.take(pa.array(rounds["lead"])).take(fj), empty)
            amt = rounds["amount"].take(fj)
            amount = pc.if_else(fundm, pc.if_else(pc.equal(amt, "未透露"), empty, amt), empty)
        else:
            rnd = lead = amount = empty
        nc = len(self.city_names)
        partner = pc.if_else(pa.array(rng.random(m) < 0.5),
                             R.join(R.text(self.city_short[np.floor(rng.random(m) * nc).astype(np.int64)]), "某大型制造企业"),
                             "多家行业头部客户")
        fields = {"short": short, "name": name, "product": T["products"].text(kind, T["products"].pick(kind, rng.random(m))),
                  "year": R.ints_text(R.years_of(d)), "city": R.text(self.city_names[a["city"][e]]),
                  "city2": R.text(self.city_names[np.floor(rng.random(m) * nc).astype(np.int64)]), "partner": partner,
                  "focus": T["focus"].text(kind, np.zeros(m, np.int64)), "round": rnd, "lead": lead, "amount": amount}
        tid = self.news_tpl.ids(typ, self.news_tpl.pick(typ, rng.random(m)))
        title = R.render(self.news_pool.values, tid, fields)
        body = R.join(R.render(self.news_bodies, typ, fields), "（合成演示数据）")
        lo_s, hi_s = NEWS_SENT[typ, 0], NEWS_SENT[typ, 1]
        sentiment = np.round(lo_s + (hi_s - lo_s) * rng.random(m), 3)
        alias = a["alias"][e]
        mention = pc.if_else(pa.array((rng.random(m) < 0.6) | (alias == "")), name, R.text(alias))
        j = R.ints_text(np.arange(m) + self.news_no)
        self.news_no += m
        self.sinks["news"].write({
            "key": R.join("N", R.ints_text(idx[e]), "-", j), "title": title, "body": body,
            "url": R.join("https://news.example.org/", R.ints_text(idx[e]), "/", j), "published": R.dates_text(d),
            "outlet": np.array(self.voc["outlets"])[np.floor(rng.random(m) * len(self.voc["outlets"])).astype(np.int64)],
            "enterprises": mention, "sentiment": sentiment, "event_type": np.array(NEWS_TYPES)[typ]})

    # -- demands and contacts (small tables) -----------------------------------------------------------------
    def _write_demands(self) -> None:
        P, s = self.P, self.seed
        rng = np.random.default_rng([s, 7001])
        n = max(12, int(round(self.cal["volumes"]["demands_per_1000"] * P.N / 1000)))
        hz = P.city_index["330100"]
        w = np.array([c.share for c in P.cities])
        w = w / w.sum() * 0.65
        w[hz] += 0.35
        city = R.choice_cdf(rng.random(n), np.cumsum(w / w.sum()))
        depts = np.array(["经济和信息化局", "数据资源管理局", "交通运输局", "卫生健康委员会", "教育局", "应急管理局", "城市管理局", "港航管理中心", "投资促进局"])
        node = np.floor(rng.random(n) * P.n_nodes).astype(np.int64)
        title = self.T["demands"].text(node, self.T["demands"].pick(node, rng.random(n)))
        gov = rng.random(n) < 0.7
        ncd = np.array([len(c.districts) for c in P.cities])[city]
        has_d = (ncd > 0) & (rng.random(n) < 0.6)
        dloc = np.floor(rng.random(n) * np.maximum(ncd, 1)).astype(np.int64)
        dname = np.where(has_d, np.array(P.district_names + [""])[np.where(has_d, P.district_off[city] + dloc, len(P.district_names))], "")
        cname = self.city_names[city]
        org_gov = np.char.add(np.char.add(cname, dname), depts[np.floor(rng.random(n) * len(depts)).astype(np.int64)])
        # enterprise demanders: an ordinary or an AI enterprise of the city, under its current name
        cat_non = rng.random(n) < 0.5
        u = rng.random(n)
        ent = np.where(cat_non, P.pick(city, NON_AI, u), P.pick(city, AI_ALIVE, u))
        org_ent = np.char.add(np.char.add(cname, dname), "某制造企业").astype(object)
        if (ent >= 0).any():
            org_ent[ent >= 0] = P.names(P.attrs(ent[ent >= 0]))
        org = R.text(np.where(gov, org_gov.astype(object), org_ent))
        pub = R.day(2023, 1, 1) + np.floor(rng.random(n) * 1000).astype(np.int64)
        budget = np.array([50, 80, 100, 200, 300, 500, 800, 1000, 2000])[rng.integers(0, 9, n)]
        muni = np.array([c.province_name == c.name for c in P.cities])[city]
        region = np.char.add(np.where(muni, cname, np.char.add(self.prov_names[city], cname)), dname)
        person = R.text(P.person_name(2 * 10**12 + np.arange(n)))
        phone = R.join(person, " 0571-8", R.ints_text(rng.integers(1000000, 9999999, n)))
        ntitle = R.join(R.text(self.city_short[city]), R.text(dname), title)
        node_code = np.array(P.nodes)[node]
        self.sinks["demands"].write({
            "key": R.join("D", R.ints_text(np.arange(n))), "title": ntitle,
            "description": R.join(org, "拟开展“", title, "”，面向具备", self.kind_name.take(pa.array(node)),
                                  "能力的企业征集解决方案，要求具备落地案例与本地化服务能力（合成演示数据）。"),
            "category": self.kind_name.take(pa.array(node)), "node": np.where(rng.random(n) < 0.75, node_code, None),
            "organisation": org, "demander_type": np.where(gov, "government", "enterprise"), "region": region,
            "budget": np.where(rng.random(n) < 0.8, np.char.add(budget.astype(str), "万元"), None),
            "published": R.dates_text(pub), "deadline": R.dates_text(pub + rng.integers(60, 200, n)),
            "status": np.array(["征集中", "对接中", "已对接", "已完成"])[np.floor(rng.random(n) * 4).astype(np.int64)],
            "contact": pc.if_else(pa.array(city == hz), phone, person)})

    def _write_contacts(self) -> None:
        """The known people of a sample bureau in 杭州: enterprise leaders met on visits, investor partners."""
        P, s = self.P, self.seed
        rng = np.random.default_rng([s, 7002])
        n = max(10, int(round(self.cal["volumes"]["contacts_per_1000"] * P.N / 1000)))
        hz = P.city_index["330100"]
        # benchmark enterprises first, then other AI enterprises elsewhere (targets), then investor partners
        nb = min(P.bench_n, n // 2)
        e_hz = P.index_of(np.full(nb, hz), AI_ALIVE, np.arange(nb))
        n_other = max(n - nb - n // 5, 0)
        city_o = R.choice_cdf(rng.random(n_other), np.cumsum([c.share for c in P.cities]) / sum(c.share for c in P.cities))
        e_o = P.pick(city_o, AI_ALIVE, rng.random(n_other))
        e_all = np.concatenate([e_hz, e_o[e_o >= 0]]).astype(np.int64)
        k0 = len(e_all)
        at = P.attrs(e_all)
        names = R.text(P.names(at))
        ni = n - k0
        iv = np.floor(rng.random(ni) * self.inv["n"]).astype(np.int64)
        rel = np.array(["走访企业", "展会结识", "产业联盟活动", "校友引荐", "投资机构引荐", "招商推介会"])
        ccity = np.concatenate([at["city"], self.inv["city"][iv]])
        muni = np.array([c.province_name == c.name for c in P.cities])[ccity]
        leader = np.concatenate([P.person_name(e_all * 8), P.person_name(8 * (10**9 + iv))])
        phone = R.join("1", R.ints_text(rng.integers(3, 9, n)), R.ints_text(rng.integers(0, 9, n)), "****",
                       R.ints_text(rng.integers(1000, 9999, n)))
        is_e = np.arange(n) < k0
        notes_e = np.where((at["city"] != hz) & (rng.random(k0) < 0.5), "有意在杭州设立研发中心", None)
        self.sinks["contacts"].write({
            "key": R.join("C", R.ints_text(np.arange(n))), "name": leader,
            "organisation": pa.concat_arrays([names, self.inv_names.take(pa.array(iv))]),
            "title": np.concatenate([np.where(rng.random(k0) < 0.5, "董事长", "总经理"), np.full(ni, "合伙人")]),
            "phone": phone,
            "email": pc.if_else(pa.array(is_e), R.join("contact", R.ints_text(np.arange(n)), "@example.com"),
                                R.join("partner", R.ints_text(np.arange(n) - k0), "@example.com")),
            "relation": np.concatenate([rel[np.floor(rng.random(k0) * len(rel)).astype(np.int64)], np.full(ni, "投资机构引荐")]),
            "notes": np.concatenate([notes_e, np.full(ni, "关注人工智能早期项目", dtype=object)]),
            "enterprise": pa.concat_arrays([names, pa.nulls(ni, pa.string())]),
            "region": np.where(muni, self.city_names[ccity], np.char.add(self.prov_names[ccity], self.city_names[ccity]))})


def _sub(a: dict, e: np.ndarray) -> dict:
    """The attributes of a subset (rows ``e``) of a chunk."""
    n = len(a["idx"])
    out = {k: v[e] for k, v in a.items() if isinstance(v, np.ndarray) and len(v) == n}
    out["changes"] = {k: v[e] for k, v in a["changes"].items()}
    return out


def _tag(tags: np.ndarray, mask: np.ndarray, tag: str) -> np.ndarray:
    return np.where(mask, np.where(tags == "", tag, tags + "、" + tag), tags)


def _erfinv(y: np.ndarray) -> np.ndarray:
    from scipy.special import erfinv

    return erfinv(np.clip(y, -0.999999, 0.999999))


def _app_check(app12: np.ndarray) -> np.ndarray:
    """Check digit of 12-digit Chinese patent application numbers (weights 2-9 repeating, mod 11, 10 → X)."""
    x = np.asarray(app12, dtype=np.int64)
    w = np.array([2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5])
    digits = (x[:, None] // (10 ** np.arange(11, -1, -1, dtype=np.int64))[None, :]) % 10
    c = (digits * w).sum(axis=1) % 11
    return np.where(c == 10, "X", c.astype(str))


def generate(out_dir, scale: int | None = None, seed: int = 20241, start: int = 2010, end: int = 2025,
             progress: Callable | None = None) -> dict:
    """Write the synthetic demo dataset into ``out_dir`` (one Parquet file per kind) and return the manifest."""
    return Generator(out_dir, scale, seed, start, end, progress).run()
