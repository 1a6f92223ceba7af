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
from .columns import (CATEGORY_NAMES, CHUNK, COLUMNS, GENERATOR_VERSION, INV_TYPE_W, INV_TYPES, NEWS_SENT, NEWS_TYPES,
                      NEWS_W, NUMERIC, ROUND_MEDIAN_WAN, ROUNDS, SOURCE, SOURCE_B, Sink, _app_check, _erfinv, _sub,
                      _tag, schema)
from .facts import FactsMixin
from .people import PeopleMixin


class Generator(FactsMixin, PeopleMixin):
    """The demo dataset at a scale: regions, investors and texts first, then enterprises chunk by chunk with
    their people (``people``) and dated facts (``facts``)."""

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
        self.progress(0, total=self.n_chunks + 2, description="生成合成演示数据",
                      description_en="generating synthetic demo data")
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
                          # the end-of-period export lists only the enterprises founded or changed since the reference
                          # date: a partial export (the others are not gone)
                          **({"scope": "partial"} if f == "enterprises_2025" else {}),
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
                if len(nm):  # a small demo's snapshot may hold no duplicate (numpy's string ops refuse an empty array)
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



def generate(out_dir, scale: int | None = None, seed: int = 20241, start: int = 2010, end: int = 2025,
             progress: Callable | None = None) -> dict:
    """Write the synthetic demo dataset into ``out_dir`` (one Parquet file per kind) and return the manifest."""
    return Generator(out_dir, scale, seed, start, end, progress).run()
