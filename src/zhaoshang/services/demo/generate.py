"""Write the synthetic demo dataset (合成演示数据) as one Parquet file per import kind.

Columns are named exactly as the target fields of ``core.fields`` so the files import without a mapping.
Enterprises are generated in chunks of index ranges; every row of a chunk is computed with numpy/pyarrow
from counter-based hashes (see ``rand``), so memory stays flat whatever the scale and the same seed
gives byte-identical files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from . import rand as R
from .population import AI_ALIVE, NON_AI, Population, uscc_batch

SOURCE = "synthetic-demo"
SOURCE_B = "synthetic-demo-b"
GENERATOR_VERSION = "1"
CHUNK = 100_000
ROUNDS = ["天使轮", "Pre-A轮", "A轮", "A+轮", "B轮", "B+轮", "C轮", "D轮", "E轮"]
ROUND_MEDIAN_WAN = [400, 1200, 4000, 7000, 12000, 18000, 35000, 70000, 120000]
INV_TYPES = ["VC", "PE", "CVC", "government_fund", "angel"]
INV_TYPE_W = [0.45, 0.20, 0.10, 0.10, 0.15]

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
            if isinstance(v, np.ndarray):
                v = pa.array(v.tolist() if v.dtype.kind == "U" else v, f.type, from_pandas=True)
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


def _np(a) -> np.ndarray:
    return np.asarray(a.to_pylist() if isinstance(a, pa.Array) else a, dtype=object)


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

    def _pick_investor(self, prov: np.ndarray, u: np.ndarray) -> np.ndarray:
        out = np.empty(len(prov), dtype=np.int64)
        for p in np.unique(prov):
            m = prov == p
            pool = self.inv_by_prov[p]
            if len(pool) == 0:
                pool = np.arange(self.inv["n"])
            out[m] = pool[np.floor(u[m] * len(pool)).astype(np.int64)]
        return out

    # -- files -----------------------------------------------------------------------------------------
    def run(self) -> dict:
        P = self.P
        names = {"enterprises_2020": "enterprises", "enterprises": "enterprises", "enterprises_2025": "enterprises",
                 "enterprises_b": "enterprises", "persons": "persons", "investors": "investors", "roles": "roles",
                 "shareholdings": "shareholdings", "branches": "branches", "fundings": "fundings", "patents": "patents",
                 "news": "news", "demands": "demands", "contacts": "contacts"}
        self.sinks = {f: Sink(self.out / f"{f}.parquet", k) for f, k in names.items()}
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
                    "files": files}
        (self.out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
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
        info = P.node_info + P.non_ai
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
        self._enterprises(a, info, rng)
        self._persons(a, has, pid0)
        self._roles(a, has, pid0, pid_cof)
        rounds = self._fundings(a, rng)
        self._shareholdings(a, has, pid0, pid_cof, rounds)
        self._branches(a, rng)
        self._patents(a, rng, pid0, info)
        self._news(a, rng, rounds, info)

    def _status(self, a: dict, when: int) -> pa.Array:
        d = a["dissolved"]
        gone = (d >= 0) & (d <= when)
        st = np.where(gone, np.where(a["revoked"], "吊销", "注销"),
                      np.where(R.uniform(self.seed, a["idx"], "stw") < 0.8, "存续", "在业"))
        return st

    def _enterprises(self, a: dict, info: list, rng) -> None:
        P, s, idx = self.P, self.seed, self.idx_of(a)
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

        def cap_text(v):
            vs = v.astype(str)
            unit = np.where(usd, "万美元", np.where(fmt == 0, "万元人民币", np.where(fmt == 1, "万人民币", "万元")))
            return np.char.add(vs, unit)

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
        # scope: 一般项目 with node items, 人工智能 items for AI, generic items; some 许可项目
        kinfo_scope = [x["scope"] for x in info]
        u1 = R.uniform(s, idx, "sc1")
        u2 = R.uniform(s, idx, "sc2")
        u3 = R.uniform(s, idx, "sc3")
        gen = voc["scope_generic"]
        aiv = voc["scope_ai"]
        lic = voc["scope_licensed"]
        focus_l = [x.get("focus") or x.get("description") for x in info]
        prod_l = [x["products"] for x in info]
        flav = self.cal.get("flavour", {})
        scope, desc, prods = [], [], []
        founded_y = R.years_of(a["founded"])
        for j in range(n):
            k = kind[j]
            sc = kinfo_scope[k]
            parts = [sc[int(u1[j] * len(sc))]]
            if len(sc) > 1:
                parts.append(sc[(int(u1[j] * len(sc)) + 1 + int(u2[j] * (len(sc) - 1))) % len(sc)])
            if ai[j]:
                parts.insert(0 if u3[j] < 0.5 else len(parts), aiv[int(u2[j] * len(aiv))])
                parts.append(gen[int(u3[j] * len(gen))])
                if u1[j] < 0.5:
                    parts.append(gen[(int(u3[j] * len(gen)) + 3) % len(gen)])
            text = "一般项目：" + "；".join(dict.fromkeys(parts)) + voc["scope_general_tail"]
            if u2[j] < 0.3:
                text += "。许可项目：" + lic[int(u3[j] * len(lic))] + voc["scope_licensed_tail"]
            scope.append(text)
            fl = focus_l[k]
            f = fl[int(u2[j] * len(fl))]
            extra = flav.get(P.cities[city[j]].code, {}).get(P.nodes[k] if k < P.n_nodes else "", "")
            cn = self.city_names[city[j]]
            if ai[j]:
                d = f"{stem[j]}成立于{founded_y[j]}年，总部位于{cn}，是一家专注于{f}的人工智能企业"
                d += f"，{extra}。" if extra else "。"
                if a["bench"][j]:
                    d += "公司入选杭州人工智能标杆企业。"
            else:
                d = f"公司成立于{founded_y[j]}年，位于{cn}，{f}。"
            desc.append(d)
            pl = prod_l[k]
            p1 = pl[int(u3[j] * len(pl))]
            p2 = pl[(int(u3[j] * len(pl)) + 1) % len(pl)]
            prods.append(f"{p1}、{p2}" if ai[j] and u1[j] < 0.7 else p1)
        scope = np.array(scope, dtype=object)
        desc = np.array(desc, dtype=object)
        prods = np.array(prods, dtype=object)
        industry = np.array([x["industry"] for x in info])[kind]
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
        desc_missing = R.uniform(s, idx, "dm") < 0.12
        ch = a["changes"]
        uregion = R.uniform(s, idx, "regcode")

        def snapshot(when: int, mask: np.ndarray, dup: bool = False) -> dict:
            m = mask
            name_now = np.where((ch["name"] >= 0) & (ch["name"] <= when), a["name"], self.P.names(a, old=True)) if (ch["name"] >= 0).any() else a["name"]
            former = np.where((ch["name"] >= 0) & (ch["name"] <= when), self.P.names(a, old=True), None)
            addr = np.where((ch["address"] >= 0) & (ch["address"] <= when), addr_new, addr_old)
            capv = np.where((ch["capital"] >= 0) & (ch["capital"] > when), cap_old_i, cap_new_i)
            lrep = np.where((ch["legal_rep"] >= 0) & (ch["legal_rep"] <= when), a["legal_rep_new"], a["legal_rep_old"])
            st = self._status(a, when)
            diss = np.where((a["dissolved"] >= 0) & (a["dissolved"] <= when), a["dissolved"], -1)
            # most rows give region names, a few give codes (as some exports do)
            as_code = uregion < 0.06
            prov = np.where(as_code, np.array([c.province for c in P.cities])[city], self.prov_names[city])
            cty = np.where(as_code, np.array([c.code for c in P.cities])[city], self.city_names[city])
            cols = {
                "key": np.char.add("E", idx.astype(str))[m], "name": name_now[m], "uscc": a["uscc"][m],
                "short_name": short[m], "brand": brand[m], "english_name": ename[m], "former_names": former[m],
                "legal_form": form[m], "status": st[m], "founded": R.dates_text(a["founded"][m]),
                "dissolved": R.dates_text(diss[m]), "capital": cap_text(capv)[m], "province": prov[m], "city": cty[m],
                "district": np.where(dname == "", None, dname)[m], "address": addr[m], "industry": industry[m],
                "scope": scope[m], "description": np.where(desc_missing, None, desc)[m], "products": prods[m],
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
                cols["key"] = np.char.add("B", idx.astype(str))[m]
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
        a["short"] = np.where(short == None, stem, short)  # noqa: E711
        a["scope_focus"] = [x for x in focus_l]

    @staticmethod
    def idx_of(a):
        return a["idx"]

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
            "key": np.char.add("P", pid.astype(str)), "name": self.P.person_name(pid),
            "gender": np.where(R.uniform(s, pid, "g") < 0.72, "男", "女"), "birth_year": by,
            "description": serial_note})

    def _roles(self, a, has, pid0, pid_cof) -> None:
        P, s = self.P, self.seed
        idx = a["idx"]
        f = R.dates_text(a["founded"])
        out = {k: [] for k in COLUMNS["roles"]}

        def add(mask, pid, role, title, start, end=None):
            m = mask
            out["person"].append(P.person_name(pid[m]))
            out["person_key"].append(np.char.add("P", pid[m].astype(str)))
            out["enterprise"].append(a["name"][m])
            out["enterprise_uscc"].append(a["uscc"][m])
            out["role"].append(np.full(int(m.sum()), role))
            out["title"].append(np.asarray(title)[m] if isinstance(title, np.ndarray) else np.full(int(m.sum()), title))
            out["start"].append(_np(start)[m])
            out["end"].append(_np(end)[m] if end is not None else np.full(int(m.sum()), None, dtype=object))

        lr = a["changes"]["legal_rep"]
        lr_txt = R.dates_text(lr)
        title0 = np.where(R.uniform(s, idx, "t0") < 0.5, "执行董事兼总经理", "董事长")
        add(np.ones(len(idx), bool), pid0, "legal_rep", "法定代表人", f, np.where(lr >= 0, _np(lr_txt), None))
        add(a["ai"], pid0, "founder", np.where(title0 == "董事长", "创始人、董事长", "创始人、CEO"), f)
        add(has[:, 1], pid_cof, "founder", "联合创始人", f)
        titles = np.array(["CTO", "首席科学家", "副总经理", "COO", "财务负责人"])
        add(has[:, 2], pid0 + 2, "executive", titles[R.randint(s, idx, "t2", len(titles))], f)
        add(lr >= 0, pid0 + 2, "legal_rep", "法定代表人", lr_txt)
        add(has[:, 3], pid0 + 3, "supervisor", "监事", f)
        self.sinks["roles"].write({k: np.concatenate(v) for k, v in out.items()})

    def _fundings(self, a, rng) -> dict:
        """Funding rounds of AI enterprises with realistic stage gaps and sizes."""
        P, s = self.P, self.seed
        idx = a["idx"]
        vol = self.cal["volumes"]
        u = R.uniform(s, idx, "funded")
        p_f = np.where(a["unicorn"], 1.0, np.where(a["bench"], 0.9, vol["funded_share"]))
        funded = a["ai"] & (u < p_f) & (a["cat"] != NON_AI)
        cont = np.where(a["unicorn"], 0.9, np.where(a["bench"], 0.72, 0.55))
        rows = {k: [] for k in ("e", "round", "date", "wan")}
        for e in np.nonzero(funded)[0]:
            d = int(a["founded"][e]) + int(rng.integers(120, 720))
            stage = 0 if rng.random() < 0.6 else int(rng.integers(1, 3))
            end = a["dissolved"][e] if a["dissolved"][e] >= 0 else self.end_day - 20
            k = 0
            while d < end and stage < len(ROUNDS):
                rows["e"].append(e)
                rows["round"].append(stage)
                rows["date"].append(d)
                boost = 3.0 if a["unicorn"][e] else (1.6 if a["bench"][e] else 1.0)
                rows["wan"].append(ROUND_MEDIAN_WAN[stage] * boost * float(np.exp(rng.normal(0, 0.6))))
                k += 1
                if rng.random() > cont[e] and not (a["unicorn"][e] and k < 4):
                    break
                d += int(rng.gamma(4.0, 120.0)) + 180
                stage += 1 if rng.random() < 0.75 else 2
        m = len(rows["e"])
        res = {k: np.array(v) for k, v in rows.items()}
        if m == 0:
            return {"e": np.zeros(0, int)}
        e = res["e"]
        prov = a["prov"][e]
        # investors: 1-4 per round; a share of slots from another province (cooperation edges)
        n_inv = 1 + (rng.random(m) < 0.6) + (rng.random(m) < 0.35) + (rng.random(m) < 0.15)
        inv_lists, leads = [], []
        cross_base = vol["cross_investor_share"]
        q = np.clip(cross_base * self.q_dst[prov], 0, 0.95)
        for j in range(m):
            chosen = []
            for slot in range(int(n_inv[j])):
                if rng.random() < q[j]:
                    sp = int(R.choice_cdf(np.array([rng.random()]), self.src_given_dst[prov[j]])[0])
                else:
                    sp = int(prov[j])
                pool = self.inv_by_prov[sp]
                if len(pool) == 0:
                    pool = np.arange(self.inv["n"])
                k = int(pool[int(rng.random() * len(pool))])
                if k not in chosen:
                    chosen.append(k)
            g = self.gov_by_city.get(int(a["city"][e[j]]))
            if g is not None and rng.random() < 0.25 and g not in chosen:
                chosen.append(g)
            inv_lists.append(chosen)
            leads.append(chosen[0])
        res["investors"] = inv_lists
        res["lead"] = np.array(leads)
        wan = res["wan"]
        amount = []
        for j in range(m):
            r = rng.random()
            w = wan[j]
            if r < 0.14:
                amount.append("未透露")
            elif r < 0.26:
                amount.append("数千万人民币" if w < 10000 else ("数亿人民币" if w < 100000 else "数十亿人民币"))
            elif r < 0.36:
                usd = w / 720
                amount.append(f"{usd:.0f}万美元" if usd < 10000 else f"{usd / 10000:.1f}亿美元")
            elif w >= 10000:
                amount.append(f"{w / 10000:.1f}亿人民币")
            else:
                amount.append(f"{int(round(w, -1))}万人民币")
        res["amount"] = amount
        sep = "，"
        when = res["date"]
        self.sinks["fundings"].write({
            "key": [f"F{a['idx'][e[j]]}-{j}" for j in range(m)],
            "enterprise": P.names_at(_sub(a, e), when),
            "enterprise_uscc": a["uscc"][e], "date": R.dates_text(when), "round": np.array(ROUNDS)[res["round"]],
            "amount": np.array(amount), "investors": np.array([sep.join(self.inv["name"][k] for k in L) for L in inv_lists]),
            "lead_investor": self.inv["name"][res["lead"]], "region": P.region_text({"city": a["city"][e]})})
        return res

    def _shareholdings(self, a, has, pid0, pid_cof, rounds) -> None:
        P, s = self.P, self.seed
        idx = a["idx"]
        n = len(idx)
        out = {k: [] for k in COLUMNS["shareholdings"]}
        f = _np(R.dates_text(a["founded"]))
        dilution = np.ones(n)
        if len(rounds.get("e", [])):
            np.multiply.at(dilution, rounds["e"], 0.85)
        p0 = np.where(has[:, 1], 60.0, 90.0) * dilution
        p1 = 30.0 * dilution

        def add(mask, holder, htype, pct, start, holder_uscc=None, e=None):
            e = np.nonzero(mask)[0] if e is None else e
            out["enterprise"].append(a["name"][e])
            out["enterprise_uscc"].append(a["uscc"][e])
            out["holder"].append(np.asarray(holder))
            out["holder_type"].append(np.full(len(e), htype))
            out["holder_uscc"].append(np.asarray(holder_uscc) if holder_uscc is not None else np.full(len(e), None, dtype=object))
            out["percent"].append(np.round(np.asarray(pct, dtype=float), 2))
            out["amount"].append(np.full(len(e), None, dtype=object))
            out["start"].append(np.asarray(start, dtype=object))
            out["end"].append(np.full(len(e), None, dtype=object))

        m0 = np.ones(n, bool)
        add(m0, P.person_name(pid0), "person", p0, f)
        m1 = has[:, 1]
        add(m1, P.person_name(pid_cof[m1]), "person", p1[m1], f[m1])
        if len(rounds.get("e", [])):
            e = rounds["e"]
            lead = rounds["lead"]
            pct = np.clip(3 + 12 * R.uniform(s, e * 31 + rounds["round"], "pct"), 1, 20) * np.where(rounds["round"] < 3, 1.0, 0.5)
            add(None, self.inv["name"][lead], "investor", pct, _np(R.dates_text(rounds["date"])), self.inv["uscc"][lead], e=e)
        self.sinks["shareholdings"].write({k: np.concatenate(v) if v else None for k, v in out.items()})
        self._pending_holdings = out

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
        parent_name = a["name"][e]
        cs = self.city_short[city]
        child = np.where(kind == "branch", np.char.add(np.char.add(parent_name, cs), "分公司"),
                         np.char.add(np.char.add(cs, a["stem"][e]), np.char.add(np.array(P.words)[a["word"][e]], "有限公司")))
        new_no = self.branch_no + np.arange(m)
        self.branch_no += m
        child_uscc = uscc_batch(P.city_codes[city], (new_no * 7919 + 70_000_000 + self.seed % 1000) % 100_000_000, "91")
        # investments go to existing enterprises of the target city
        inv = kind == "investment"
        tgt = P.pick(city, AI_ALIVE, rng.random(m))
        inv &= tgt >= 0
        if inv.any():
            t = P.attrs(tgt[inv])
            child[inv] = P.names(t)
            child_uscc[inv] = P.usccs(t)
            date[inv] = np.maximum(date[inv], t["founded"] + 30)
        same_city = city == a["city"][e]
        keep = ok & ~((kind == "branch") & same_city) & (date < self.end_day)
        pct = np.where(kind == "branch", np.nan, np.where(kind == "subsidiary", 51 + np.floor(rng.random(m) * 49), 5 + np.floor(rng.random(m) * 25)))
        region = P.region_text({"city": city})
        road = np.array(self.voc["roads"])[np.floor(rng.random(m) * len(self.voc["roads"])).astype(int)]
        addr = np.char.add(np.char.add(region, road), np.char.add((1 + np.floor(rng.random(m) * 500)).astype(int).astype(str), "号"))
        self.sinks["branches"].write({
            "parent": parent_name[keep], "parent_uscc": a["uscc"][e][keep], "child": child[keep],
            "child_uscc": child_uscc[keep], "kind": kind[keep], "date": R.dates_text(date[keep]),
            "percent": pct[keep], "region": region[keep], "address": addr[keep]})

    def _patents(self, a, rng, pid0, info) -> None:
        P, s = self.P, self.seed
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
        ptype = np.where(r < np.where(hw, 0.6, 0.85), "发明", np.where(r < 0.97, "实用新型", "外观设计"))
        pub = applied + np.where(ptype == "发明", 540, 180) + np.floor(rng.random(m) * 60).astype(np.int64)
        granted = np.where((ptype == "发明") & (rng.random(m) < 0.6), applied + 720 + np.floor(rng.random(m) * 400).astype(np.int64),
                           np.where(ptype != "发明", pub, -1))
        limit = self.end_day
        ok &= pub <= limit
        granted = np.where(granted <= limit, granted, -1)
        no = self.patent_no + np.arange(m)
        self.patent_no += m
        serial = (no * 7919 + 1234567 + s % 1000) % 100_000_000
        yrs = R.years_of(applied)
        tcode = np.where(ptype == "发明", 1, np.where(ptype == "实用新型", 2, 3))
        app12 = np.char.add(np.char.add(yrs.astype(str), tcode.astype(str)), np.char.zfill((serial % 10_000_000).astype(str), 7))
        app_no = np.char.add(np.char.add(app12, "."), _app_check(app12))
        kindc = np.where(ptype == "发明", np.where(granted >= 0, "B", "A"), np.where(ptype == "实用新型", "U", "S"))
        number = np.char.add(np.char.add("CN1", np.char.zfill(serial.astype(str), 8)), kindc)
        kind = a["kind"][e]
        titles, abstracts, ipcs = [], [], []
        sfx = ["", "及系统", "及装置", "、设备及存储介质", "及电子设备"]
        for j in range(m):
            inf = info[kind[j]]
            pt = inf.get("patents") or [f"一种{inf['name']}产品的加工方法"]
            t = pt[int(rng.random() * len(pt))] + sfx[int(rng.random() * len(sfx))]
            if ptype[j] == "外观设计":
                t = (inf.get("products") or ["产品"])[0] + "（外观）"
            titles.append(t)
            foc = (inf.get("focus") or inf.get("description"))[0]
            abstracts.append(f"本申请公开了{t}，涉及{inf['name']}技术领域。所述方法面向{foc}，通过改进数据处理与控制流程，提升了效率与可靠性。")
            ip = inf.get("ipc") or ["G06Q10/00"]
            i0 = int(rng.random() * len(ip))
            ipcs.append(";".join(dict.fromkeys([ip[i0], ip[(i0 + 1) % len(ip)]])))
        # applicants: the enterprise, plus co-applicants across provinces (the cooperation network)
        own = P.names_at(_sub(a, e), applied)
        own_region = P.region_text({"city": a["city"][e]})
        src = a["prov"][e]
        q = np.clip(vol["cross_patent_share"] * self.q_src[src], 0, 0.9) * a["ai"][e]
        cross = rng.random(m) < q
        dst = R.choice_rows(rng.random(m), self.dst_given_src, src)
        dcity = self._city_in(dst, rng.random(m))
        partner = P.pick(dcity, AI_ALIVE, rng.random(m))
        cross &= partner >= 0
        applicants = own.astype(object)
        regions = own_region.astype(object)
        if cross.any():
            pa_ = P.attrs(partner[cross])
            pn = P.names_at(pa_, applied[cross])
            applicants[cross] = np.char.add(np.char.add(own[cross], ";"), pn)
            regions[cross] = np.char.add(np.char.add(own_region[cross], ";"), P.region_text(pa_))
        inv1 = P.person_name(pid0[e] + np.where(rng.random(m) < 0.5, 2, 0))
        inv2 = P.person_name(10**12 + no)
        inventors = np.where(rng.random(m) < 0.7, np.char.add(np.char.add(inv1, ";"), inv2), inv1)
        status = np.where(granted >= 0, "授权", np.where(rng.random(m) < 0.85, "实质审查", "驳回"))
        self.sinks["patents"].write({
            "number": number[ok], "application_number": app_no[ok], "title": np.array(titles, dtype=object)[ok],
            "abstract": np.array(abstracts, dtype=object)[ok], "type": ptype[ok], "applied": R.dates_text(applied[ok]),
            "published": R.dates_text(pub[ok]), "granted": R.dates_text(granted[ok]), "status": status[ok],
            "ipc": np.array(ipcs, dtype=object)[ok], "applicants": applicants[ok], "applicant_regions": regions[ok],
            "inventors": inventors[ok], "cited": None})

    def _news(self, a, rng, rounds, info) -> None:
        P, s = self.P, self.seed
        idx = a["idx"]
        vol = self.cal["volumes"]
        lam = np.where(a["ai"], vol["news_per_ai"], 0.05) * np.where(a["bench"] | a["unicorn"], 3, 1)
        k = rng.poisson(lam)
        e = list(np.repeat(np.arange(len(idx)), k))
        types = list(rng.choice(["product", "award", "partnership", "expansion", "risk"], size=len(e), p=[0.35, 0.2, 0.2, 0.12, 0.13]))
        dates = []
        for j, ej in enumerate(e):
            lo = int(a["founded"][ej]) + 60
            hi = int(a["dissolved"][ej]) if a["dissolved"][ej] >= 0 else self.end_day - 10
            dates.append(lo + int(rng.random() * max(hi - lo, 1)))
        # funding news for most rounds
        fr = []
        if len(rounds.get("e", [])):
            for j in range(len(rounds["e"])):
                if rng.random() < 0.6:
                    e.append(int(rounds["e"][j]))
                    types.append("funding")
                    dates.append(int(rounds["date"][j]) + int(rng.integers(0, 20)))
                    fr.append(j)
        fr_iter = iter(fr)
        tpl, body = self.voc["news"], self.voc["body"]
        sent_rng = {"funding": (0.5, 0.9), "product": (0.3, 0.8), "award": (0.5, 0.9), "partnership": (0.3, 0.7),
                    "expansion": (0.3, 0.7), "risk": (-0.85, -0.3)}
        out = {k2: [] for k2 in COLUMNS["news"]}
        for j, (ej, t, d) in enumerate(zip(e, types, dates)):
            inf = info[a["kind"][ej]]
            short = a["short"][ej]
            cur_city = self.city_names[a["city"][ej]]
            city2 = self.city_names[int(rng.random() * len(self.city_names))]
            partner = f"{self.city_short[int(rng.random() * len(self.city_short))]}某大型制造企业" if rng.random() < 0.5 else "多家行业头部客户"
            f = {"short": short, "name": a["name"][ej], "product": inf["products"][int(rng.random() * len(inf["products"]))],
                 "year": R.years_of(np.array([d]))[0], "city": cur_city, "city2": city2, "partner": partner,
                 "focus": (inf.get("focus") or inf.get("description"))[0], "round": "", "lead": "", "amount": ""}
            if t == "funding":
                rj = next(fr_iter)
                f["round"] = ROUNDS[rounds["round"][rj]]
                f["lead"] = self.inv["short"][rounds["lead"][rj]]
                f["amount"] = rounds["amount"][rj] if rounds["amount"][rj] != "未透露" else ""
            tl = tpl[t]
            out["title"].append(tl[int(rng.random() * len(tl))].format(**f))
            out["body"].append(body[t].format(**f) + "（合成演示数据）")
            lo_s, hi_s = sent_rng[t]
            out["sentiment"].append(round(lo_s + (hi_s - lo_s) * rng.random(), 3))
            out["event_type"].append(t)
            out["enterprises"].append(a["name"][ej] if rng.random() < 0.6 else short)
            out["published"].append(d)
            out["key"].append(f"N{a['idx'][ej]}-{j}")
            out["outlet"].append(self.voc["outlets"][int(rng.random() * len(self.voc["outlets"]))])
            out["url"].append(f"https://news.example.org/{a['idx'][ej]}/{j}")
        if not out["key"]:
            return
        out["published"] = R.dates_text(np.minimum(np.array(out["published"]), self.end_day))
        self.sinks["news"].write({k2: (np.array(v, dtype=object) if isinstance(v, list) else v) for k2, v in out.items()})

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
        depts = ["经济和信息化局", "数据资源管理局", "交通运输局", "卫生健康委员会", "教育局", "应急管理局", "城市管理局", "港航管理中心", "投资促进局"]
        out = {k: [] for k in COLUMNS["demands"]}
        for j in range(n):
            c = int(city[j])
            node = P.nodes[int(rng.random() * P.n_nodes)]
            inf = P.node_info[P.nodes.index(node)]
            title = inf["demands"][int(rng.random() * len(inf["demands"]))]
            gov = rng.random() < 0.7
            cty = P.cities[c]
            dname = cty.districts[int(rng.random() * len(cty.districts))] if cty.districts and rng.random() < 0.6 else ""
            if gov:
                org = f"{cty.name}{dname}{depts[int(rng.random() * len(depts))]}"
            else:
                e = P.pick(np.array([c]), NON_AI if rng.random() < 0.5 else AI_ALIVE, np.array([rng.random()]))
                org = str(P.names(P.attrs(e))[0]) if e[0] >= 0 else f"{cty.name}{dname}某制造企业"
            pub = R.day(2023, 1, 1) + int(rng.random() * 1000)
            out["key"].append(f"D{j}")
            out["title"].append(f"{cty.short}{dname}{title}")
            out["description"].append(f"{org}拟开展“{title}”，面向具备{inf['name']}能力的企业征集解决方案，要求具备落地案例与本地化服务能力（合成演示数据）。")
            out["category"].append(inf["name"])
            out["node"].append(node if rng.random() < 0.75 else None)
            out["organisation"].append(org)
            out["demander_type"].append("government" if gov else "enterprise")
            out["region"].append(f"{cty.province_name}{cty.name}{dname}" if cty.province_name != cty.name else f"{cty.name}{dname}")
            budget = int(rng.choice([50, 80, 100, 200, 300, 500, 800, 1000, 2000]))
            out["budget"].append(f"{budget}万元" if rng.random() < 0.8 else None)
            out["published"].append(pub)
            out["deadline"].append(pub + int(rng.integers(60, 200)))
            out["status"].append(["征集中", "对接中", "已对接", "已完成"][int(rng.random() * 4)])
            out["contact"].append(f"{P.person_name(np.array([2 * 10**12 + j]))[0]} 0571-8{int(rng.integers(1000000, 9999999))}" if c == hz else str(P.person_name(np.array([2 * 10**12 + j]))[0]))
        out["published"] = R.dates_text(np.array(out["published"]))
        out["deadline"] = R.dates_text(np.array(out["deadline"]))
        self.sinks["demands"].write({k: np.array(v, dtype=object) if isinstance(v, list) else v for k, v in out.items()})

    def _write_contacts(self) -> None:
        """The known people of a sample bureau in 杭州: enterprise leaders met on visits, investor partners."""
        P, s = self.P, self.seed
        rng = np.random.default_rng([s, 7002])
        n = max(10, int(round(self.cal["volumes"]["contacts_per_1000"] * P.N / 1000)))
        hz = P.city_index["330100"]
        # benchmark enterprises first, then other 杭州 AI enterprises, then enterprises elsewhere (targets)
        nb = min(P.bench_n, n // 2)
        ranks = np.arange(nb)
        e_hz = P.index_of(np.full(nb, hz), AI_ALIVE, ranks)
        n_other = n - nb - n // 5
        city_o = R.choice_cdf(rng.random(max(n_other, 0)), np.cumsum([c.share for c in P.cities]) / sum(c.share for c in P.cities))
        e_o = P.pick(city_o, AI_ALIVE, rng.random(len(city_o)))
        e_all = np.concatenate([e_hz, e_o[e_o >= 0]]).astype(np.int64)
        at = P.attrs(e_all)
        names = P.names(at)
        leader = P.person_name(e_all * 8)
        out = {k: [] for k in COLUMNS["contacts"]}
        rel = ["走访企业", "展会结识", "产业联盟活动", "校友引荐", "投资机构引荐", "招商推介会"]
        for j in range(len(e_all)):
            out["key"].append(f"C{j}")
            out["name"].append(str(leader[j]))
            out["organisation"].append(str(names[j]))
            out["title"].append("董事长" if rng.random() < 0.5 else "总经理")
            out["phone"].append(f"1{int(rng.integers(3, 9))}{int(rng.integers(0, 9))}****{int(rng.integers(1000, 9999))}")
            out["email"].append(f"contact{j}@example.com")
            out["relation"].append(rel[int(rng.random() * len(rel))])
            out["notes"].append("有意在杭州设立研发中心" if at["city"][j] != hz and rng.random() < 0.5 else None)
            out["enterprise"].append(str(names[j]))
            c = P.cities[int(at["city"][j])]
            out["region"].append(c.name if c.name == c.province_name else c.province_name + c.name)
        k0 = len(e_all)
        for j in range(n - k0):
            iv = int(rng.random() * self.inv["n"])
            out["key"].append(f"C{k0 + j}")
            out["name"].append(str(P.person_name(np.array([8 * (10**9 + iv)]))[0]))
            out["organisation"].append(str(self.inv["name"][iv]))
            out["title"].append("合伙人")
            out["phone"].append(f"1{int(rng.integers(3, 9))}{int(rng.integers(0, 9))}****{int(rng.integers(1000, 9999))}")
            out["email"].append(f"partner{j}@example.com")
            out["relation"].append("投资机构引荐")
            out["notes"].append("关注人工智能早期项目")
            out["enterprise"].append(None)
            c = P.cities[int(self.inv["city"][iv])]
            out["region"].append(c.name if c.name == c.province_name else c.province_name + c.name)
        self.sinks["contacts"].write({k: np.array(v, dtype=object) for k, v in out.items()})


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
    """Check digit of a Chinese patent application number (weights 2-9 repeating, mod 11, 10 → X)."""
    w = np.array([2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5])
    d = np.array([list(x) for x in app12.astype(str)], dtype=np.int64) if len(app12) else np.zeros((0, 12), np.int64)
    c = (d * w).sum(axis=1) % 11
    return np.where(c == 10, "X", c.astype(str))


def generate(out_dir, scale: int | None = None, seed: int = 20241, start: int = 2010, end: int = 2025,
             progress: Callable | None = None) -> dict:
    """Write the synthetic demo dataset into ``out_dir`` (one Parquet file per kind) and return the manifest."""
    return Generator(out_dir, scale, seed, start, end, progress).run()
