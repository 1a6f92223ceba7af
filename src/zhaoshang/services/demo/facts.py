"""Dated facts of the demo dataset: funding rounds, branches, patents, news and the demand list.
A mixin of ``generate.Generator``: the methods read the generator's tables and write through its sinks."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import rand as R
from .population import AI_ALIVE, CATS, NON_AI, Population, uscc_batch
from .columns import (CATEGORY_NAMES, CHUNK, COLUMNS, GENERATOR_VERSION, INV_TYPE_W, INV_TYPES, NEWS_SENT, NEWS_TYPES,
                      NEWS_W, NUMERIC, ROUND_MEDIAN_WAN, ROUNDS, SOURCE, SOURCE_B, Sink, _app_check, _erfinv, _sub,
                      _tag, schema)


class FactsMixin:
    def _latent(self, a) -> tuple[np.ndarray, np.ndarray]:
        """Hidden traits of each enterprise that no table holds (docs/demo-data.md, "Expansion"): an expansion
        propensity (log-normal, mean 1) that drives its branches and, noisily, its rounds and patents, and a
        favourite province its cross-province branches lean to. The lead model reads only the facts they
        produce, so its backtest is not circular."""
        z = np.sqrt(2) * _erfinv(2 * np.clip(R.uniform(self.seed, a["idx"], "xprop"), 1e-9, 1 - 1e-9) - 1)
        xp = np.exp(1.2 * z - 0.72)
        fav = R.choice_rows(R.uniform(self.seed, a["idx"], "xfav"), self.dst_given_src, a["prov"])
        return xp, fav

    def _fundings(self, a, rng) -> dict:
        """Funding rounds of AI enterprises with realistic stage gaps and sizes (all rounds of a chunk at once)."""
        P, s = self.P, self.seed
        idx = a["idx"]
        vol = self.cal["volumes"]
        u = R.uniform(s, idx, "funded")
        xp, _ = self._latent(a)
        p_f = np.where(a["unicorn"], 1.0, np.where(a["bench"], 0.9, np.clip(vol["funded_share"] * xp ** 0.4, 0, 0.9)))
        funded = a["ai"] & (u < p_f) & (a["cat"] != NON_AI)
        cont = np.clip(np.where(a["unicorn"], 0.9, np.where(a["bench"], 0.72, 0.55)) * xp ** 0.1, 0, 0.95)
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
        wan = np.array(ROUND_MEDIAN_WAN, dtype=np.float64)[rnd] * boost * lognorm[row, col] * xp[e] ** 0.4
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
        # never "0万美元": a source writes at least the smallest unit it counts in
        usd_t = pc.if_else(pa.array(usd < 10000), R.join(R.ints_text(np.maximum(np.round(usd), 1)), "万美元"),
                           R.join(R.tenths_text(usd / 10000), "亿美元"))
        cny_t = pc.if_else(pa.array(wan >= 10000), R.join(R.tenths_text(wan / 10000), "亿人民币"),
                           R.join(R.ints_text(np.maximum(np.round(wan / 10) * 10, 10)), "万人民币"))
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

    def _branches(self, a, rng) -> None:
        """Branches, subsidiaries and outbound investments opening in other cities: the expansion signal."""
        P, s = self.P, self.seed
        idx = a["idx"]
        ai = a["ai"]
        xp, fav = self._latent(a)
        lam = self.cal["volumes"]["branches_per_ai"] * np.where(a["bench"] | a["unicorn"], 4.0, 1.0) * self.q_src[a["prov"]] * xp
        k = np.where(ai, rng.poisson(lam), 0)
        e = np.repeat(np.arange(len(idx)), k)
        m = len(e)
        if m == 0:
            return
        src = a["prov"][e]
        cross = rng.random(m) < 0.7
        # half of the cross-province openings go to the enterprise's hidden favourite province
        dst = np.where(cross, np.where(rng.random(m) < 0.5, fav[e], R.choice_rows(rng.random(m), self.dst_given_src, src)), src)
        city = self._city_in(dst, rng.random(m))
        kind = np.where(rng.random(m) < 0.55, "branch", np.where(rng.random(m) < 0.6, "subsidiary", "investment"))
        start = a["founded"][e] + 365
        stop = np.where(a["dissolved"][e] >= 0, a["dissolved"][e], self.end_day - 20)
        ok = stop > start
        date = start + np.floor(rng.random(m) ** 0.6 * np.maximum(stop - start, 1)).astype(np.int64)
        # most openings fall in the enterprise's hidden expansion wave: three years from a day of its life
        life = np.maximum(stop - start, 1)
        wave = start + np.floor(R.uniform(self.seed, a["idx"], "xwave")[e] * life).astype(np.int64)
        in_wave = rng.random(m) < 0.7
        date = np.where(in_wave, np.minimum(wave + np.floor(rng.random(m) * 1095).astype(np.int64), stop - 1), date)
        date = np.maximum(date, start)
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
            # a demand still open on the data date is 长期有效 (as many real lists say), so it is open today too; the
            # others keep their dates (the draw where it was, so nothing else of the demo moves)
            "published": R.dates_text(pub), "deadline": pc.if_else(
                pa.array((due := pub + rng.integers(60, 200, n)) > self.end_day),
                pa.scalar("长期有效"), R.dates_text(due)),
            "status": np.array(["征集中", "对接中", "已对接", "已完成"])[np.floor(rng.random(n) * 4).astype(np.int64)],
            "contact": pc.if_else(pa.array(city == hz), phone, person)})
