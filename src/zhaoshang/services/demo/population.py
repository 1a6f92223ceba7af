"""The synthetic enterprise population: quotas by city and category, and per-enterprise attributes.

Enterprise ``i`` (0 ≤ i < scale) is placed by an affine bijection ``p = (A·i + B) mod N`` into a slot table
ordered by city and then category (core AI in operation at the reference date, AI dissolved before it,
AI founded after it, non-AI). The quotas are exact (largest-remainder), so published shares hold at any
scale, and the k-th enterprise of a city segment can be found by inverting the bijection.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from ...core.config import parse_yaml
from . import rand as R

CATS = ("ai_alive", "ai_dissolved", "ai_new", "non_ai")
AI_ALIVE, AI_DISSOLVED, AI_NEW, NON_AI = range(4)
STAGES = {"U": "upstream", "M": "midstream", "D": "downstream"}

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = np.array([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28], dtype=np.int64)
ORG_WEIGHTS = np.array([3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)


@lru_cache(maxsize=None)
def load_yaml(name: str) -> dict:
    res = resources.files("zhaoshang").joinpath("data", "demo", name)
    return parse_yaml(res.read_text(encoding="utf-8"), "演示数据设置", "demo data settings", str(res))


def calibration() -> dict:
    return load_yaml("calibration.yaml")


def vocabulary() -> dict:
    return load_yaml("vocabulary.yaml")


def _pairs(items: list[str]) -> tuple[list[str], list[str]]:
    chars, roms = [], []
    for it in items:
        c, r = str(it).split(":")
        chars.append(c)
        roms.append(r)
    return chars, roms


def uscc_batch(region6: np.ndarray, body: np.ndarray, org_type: str = "91") -> np.ndarray:
    """Vectorised GB 32100-2015 credit codes: org type + 6-digit region + 8-digit body + GB 11714 check + check.

    ``region6`` and ``body`` are integer arrays. Returns a numpy array of 18-character strings.
    """
    n = len(body)
    digits = np.empty((n, 17), dtype=np.int64)
    digits[:, 0] = USCC_CHARS.index(org_type[0])
    digits[:, 1] = USCC_CHARS.index(org_type[1])
    reg = np.asarray(region6, dtype=np.int64)
    for k in range(6):
        digits[:, 2 + k] = (reg // 10 ** (5 - k)) % 10
    b = np.asarray(body, dtype=np.int64)
    for k in range(8):
        digits[:, 8 + k] = (b // 10 ** (7 - k)) % 10
    c9 = 11 - (digits[:, 8:16] * ORG_WEIGHTS).sum(axis=1) % 11
    digits[:, 16] = np.where(c9 == 10, USCC_CHARS.index("X"), np.where(c9 == 11, 0, c9))
    check = (31 - (digits * USCC_WEIGHTS).sum(axis=1) % 31) % 31
    table = np.array(list(USCC_CHARS))
    chars = np.concatenate([table[digits], table[check][:, None]], axis=1)
    return chars.view(f"<U18").reshape(n) if chars.flags.c_contiguous else np.array(["".join(r) for r in chars])


def uscc_valid(code: str) -> bool:
    """Check character test (used by tests as an independent oracle is the project parser when present)."""
    if not isinstance(code, str) or len(code) != 18 or any(c not in USCC_CHARS for c in code):
        return False
    v = [USCC_CHARS.index(c) for c in code]
    return (31 - sum(a * b for a, b in zip(v[:17], USCC_WEIGHTS)) % 31) % 31 == v[17]


@dataclass
class City:
    code: str
    name: str
    short: str
    province: str
    province_name: str
    en: str
    share: float
    group: str
    districts: list[str]
    district_w: np.ndarray


class Population:
    def __init__(self, scale: int | None = None, seed: int = 20241, start: int = 2010, end: int = 2025):
        cal = calibration()
        voc = vocabulary()
        self.cal, self.voc = cal, voc
        self.default_scale = int(cal["default_scale"])
        self.N = int(scale or self.default_scale)
        if self.N < 50:
            raise ValueError("scale must be at least 50")
        self.seed = int(seed)
        self.start, self.end = int(start), int(end)
        self.ref_year = int(str(cal["reference_date"])[:4])
        self.factor = self.N / self.default_scale

        # -- cities ------------------------------------------------------------------------------
        self.cities: list[City] = []
        for c in cal["cities"]:
            d = cal["districts"].get(c["code"], {})
            w = np.array(list(d.values()), dtype=float)
            self.cities.append(City(c["code"], c["name"], c["name"].removesuffix("市"), c["province"],
                                    c["province_name"], c["en"], float(c["share"]), c["group"], list(d.keys()),
                                    w / w.sum() if len(w) else w))
        self.city_index = {c.code: k for k, c in enumerate(self.cities)}
        nc = len(self.cities)
        shares = np.array([c.share for c in self.cities])
        self.city_codes = np.array([int(c.code) for c in self.cities])
        self.provinces = sorted({c.province for c in self.cities})
        self.city_prov = np.array([self.provinces.index(c.province) for c in self.cities])

        # -- category quotas, then city quotas per category ------------------------------------------
        pop = cal["population"]
        cat_n = R.largest_remainder(self.N, [pop[k] for k in CATS])
        self.cat_n = cat_n
        quota = np.zeros((nc, 4), dtype=np.int64)
        for k in range(3):
            quota[:, k] = R.largest_remainder(int(cat_n[k]), shares)
        quota[:, NON_AI] = R.largest_remainder(int(cat_n[NON_AI]), np.sqrt(shares))
        self.quota = quota
        flat = quota.reshape(-1)  # segment = city * 4 + cat
        self.seg_start = np.concatenate([[0], np.cumsum(flat)[:-1]])
        self.city_start = self.seg_start[::4]
        self.city_total = quota.sum(axis=1)
        self.A = R.coprime_multiplier(self.N, self.seed)
        self.B = (self.seed * 7919) % self.N
        self.A_inv = pow(self.A, -1, self.N)
        self.seg_mul = np.array([R.coprime_multiplier(int(max(q, 1)), self.seed + k, 0.4142) for k, q in enumerate(flat)], dtype=np.int64)
        self.seg_off = np.array([(self.seed * 31 + k) % max(int(q), 1) for k, q in enumerate(flat)], dtype=np.int64)

        # -- name stems ---------------------------------------------------------------------------------
        self.s1, self.s1r = _pairs(voc["stem_first"])
        self.s2, self.s2r = _pairs(voc["stem_second"])
        base = len(self.s1) * len(self.s2)
        self.stem_cap = np.array([base * len(self.s2) ** max(0, int(np.ceil(np.log(max(t, 1) / base) / np.log(len(self.s2)))) if t > base else 0)
                                  for t in self.city_total], dtype=np.int64)
        self.stem_mul = np.array([R.coprime_multiplier(int(c), self.seed + k, 0.381966) for k, c in enumerate(self.stem_cap)], dtype=np.int64)

        # -- nodes -------------------------------------------------------------------------------------
        self.nodes = list(voc["nodes"].keys())
        self.node_info = [voc["nodes"][k] for k in self.nodes]
        self.non_ai = voc["non_ai"]
        self.n_nodes = len(self.nodes)
        self.node_stage = np.array(["UMD".index(k[0]) for k in self.nodes])
        base_w = np.array([float(n["weight"]) for n in self.node_info])
        mult = np.ones((nc, self.n_nodes))
        for code, sp in cal.get("specialisations", {}).items():
            for node, m in sp.items():
                mult[self.city_index[code], self.nodes.index(node)] = float(m)
        # solve the multiplier that gives a city its target share of a node
        ai_q = quota[:, AI_ALIVE].astype(float)
        for node, tgt in cal.get("node_city_shares", {}).items():
            j = self.nodes.index(node)
            for code, share in tgt.items():
                ci = self.city_index[code]
                probs = base_w * mult
                probs = probs / probs.sum(axis=1, keepdims=True)
                others = float((ai_q * probs[:, j]).sum() - ai_q[ci] * probs[ci, j])
                # p_ci(m) = m·w_j / (S_rest + m·w_j); need ai_q[ci]·p_ci = share/(1-share)·others
                need = share / (1 - share) * others / ai_q[ci]
                need = min(max(need, 1e-6), 0.95)
                rest = float((base_w * mult[ci]).sum() - base_w[j] * mult[ci, j])
                mult[ci, j] = need * rest / ((1 - need) * base_w[j])
        probs = base_w * mult
        self.node_prob = probs / probs.sum(axis=1, keepdims=True)
        self.node_cdf = np.cumsum(self.node_prob, axis=1)
        na_w = np.array([float(n["weight"]) for n in self.non_ai])
        self.non_ai_cdf = np.cumsum(na_w / na_w.sum())
        # name words: one global table, each node (and non-AI kind) owning a slice
        self.words, self.word_off, self.word_len = [], [], []
        for info in self.node_info + self.non_ai:
            self.word_off.append(len(self.words))
            self.word_len.append(len(info["name_words"]))
            self.words.extend(info["name_words"])
        self.word_off = np.array(self.word_off)
        self.word_len = np.array(self.word_len)

        # -- benchmarks, unicorns ---------------------------------------------------------------------
        hb = cal["hangzhou_benchmarks"]
        self.bench_city = self.city_index[hb["city"]]
        self.bench_n = min(int(round(hb["total"] * self.factor)), int(quota[self.bench_city, AI_ALIVE]))
        dnames = list(hb["districts"].keys())
        self.bench_district_names = dnames
        self.bench_district_q = R.largest_remainder(self.bench_n, list(hb["districts"].values()))
        self.bench_stage_q = R.largest_remainder(self.bench_n, [hb["stages"][s] for s in ("upstream", "midstream", "downstream")])
        uni = cal["unicorns"]
        self.unicorn_n = np.zeros(nc, dtype=np.int64)
        codes = list(uni["cities"].keys())
        q = R.largest_remainder(int(round(uni["total"] * self.factor)), list(uni["cities"].values()))
        for code, n in zip(codes, q):
            self.unicorn_n[self.city_index[code]] = min(int(n), int(quota[self.city_index[code], AI_ALIVE]))

        # -- founding-year distributions by group ---------------------------------------------------------
        self.growth = cal["growth"]
        self.years = np.arange(self.start, self.ref_year + 1)
        self.year_cdf = {}
        for grp, g in self.growth.items():
            w = (1 + float(g)) ** (self.years - self.start)
            self.year_cdf[grp] = np.cumsum(w / w.sum())
        self.city_group = np.array([0 if c.group == "pole" else 1 for c in self.cities])

        # -- districts as a global table ----------------------------------------------------------------
        self.district_names = []
        self.district_off = []
        for c in self.cities:
            self.district_off.append(len(self.district_names))
            self.district_names.extend(c.districts)
        self.district_off = np.array(self.district_off)
        maxd = max(1, max(len(c.districts) for c in self.cities))
        self.district_cdf = np.ones((nc, maxd))
        for k, c in enumerate(self.cities):
            if len(c.districts):
                cdf = np.cumsum(c.district_w)
                self.district_cdf[k, : len(cdf)] = cdf
                self.district_cdf[k, len(cdf):] = 1.0

    # ------------------------------------------------------------------------------------------------------
    def index_of(self, city: np.ndarray, cat: int | np.ndarray, rank: np.ndarray) -> np.ndarray:
        """Enterprise index of the ``rank``-th member of segment (city, cat)."""
        p = self.seg_start[np.asarray(city) * 4 + np.asarray(cat)] + np.asarray(rank, dtype=np.int64)
        return ((p - self.B) % self.N * self.A_inv) % self.N

    def pick(self, city: np.ndarray, cat: int, u: np.ndarray) -> np.ndarray:
        """A uniformly chosen enterprise of segment (city, cat) for uniforms ``u`` (-1 when the segment is empty)."""
        city = np.asarray(city, dtype=np.int64)
        n = self.quota[city, cat]
        rank = np.floor(u * n).astype(np.int64)
        out = self.index_of(city, cat, np.minimum(rank, np.maximum(n - 1, 0)))
        return np.where(n > 0, out, -1)

    def attrs(self, idx: np.ndarray) -> dict:
        """Every base attribute of enterprises ``idx`` (vectorised, pure function of seed and index)."""
        s = self.seed
        idx = np.asarray(idx, dtype=np.int64)
        p = (idx * self.A + self.B) % self.N
        seg = np.searchsorted(self.seg_start, p, side="right") - 1
        # skip empty segments that share a start with the next one
        city = seg // 4
        cat = seg % 4
        rank = p - self.seg_start[seg]
        city_rank = p - self.city_start[city]
        ai = cat != NON_AI
        bench = (city == self.bench_city) & (cat == AI_ALIVE) & (rank < self.bench_n)
        unicorn = (cat == AI_ALIVE) & (rank < self.unicorn_n[city])

        # node: stratified within each segment, so a city's node counts are exact up to rounding
        q = self.quota.reshape(-1)[seg]
        u = ((rank * self.seg_mul[seg] + self.seg_off[seg]) % np.maximum(q, 1) + R.uniform(s, idx, "node")) / np.maximum(q, 1)
        node = R.choice_rows(u, self.node_cdf, city)
        if bench.any():
            r = rank[bench]
            stage_cut = np.cumsum(self.bench_stage_q)
            stage = np.searchsorted(stage_cut, r, side="right")
            sub = np.zeros(len(r), dtype=np.int64)
            for st in range(3):
                m = stage == st
                cand = np.nonzero(self.node_stage == st)[0]
                w = self.node_prob[self.bench_city, cand]
                cdf = np.cumsum(w / w.sum())
                sub[m] = cand[R.choice_cdf(u[bench][m], cdf)]
            node[bench] = sub
        na = R.choice_cdf(u, self.non_ai_cdf)
        kind = np.where(ai, node, self.n_nodes + na)  # row in node_info + non_ai

        # district
        ud = R.uniform(s, idx, "district")
        ncd = np.array([len(c.districts) for c in self.cities])[city]
        dloc = R.choice_rows(ud, self.district_cdf, city)
        district = np.where(ncd > 0, self.district_off[city] + np.minimum(dloc, np.maximum(ncd - 1, 0)), -1)
        if bench.any():
            bd = np.searchsorted(np.cumsum(self.bench_district_q), rank[bench], side="right")
            names = np.array(self.bench_district_names)[bd]
            off = self.district_off[self.bench_city]
            local = {n: off + k for k, n in enumerate(self.cities[self.bench_city].districts)}
            extra = [n for n in self.bench_district_names if n not in local]
            for n in extra:  # benchmark districts missing from the city's general list
                local[n] = len(self.district_names)
                self.district_names.append(n)
            district[bench] = np.array([local[n] for n in names])

        # founding, dissolution
        uy = R.uniform(s, idx, "year")
        grp = self.city_group[city]
        year = np.where(grp == 0, self.years[R.choice_cdf(uy, self.year_cdf["pole"])],
                        self.years[R.choice_cdf(uy, self.year_cdf["multi"])])
        older = bench | unicorn
        year = np.where(older, self.start + np.floor(uy ** 1.6 * (self.ref_year - 2 - self.start + 1)).astype(np.int64), year)
        span = self.ref_year - 4 - self.start + 1
        year = np.where(cat == AI_DISSOLVED, self.start + np.floor(uy * span).astype(np.int64), year)
        year = np.where(cat == AI_NEW, self.ref_year + 1, year)
        year = np.where(cat == NON_AI, self.start + np.floor(uy * (self.end - self.start + 1)).astype(np.int64), year)
        year = np.minimum(year, self.end)
        y0 = ((year - 1970).astype("datetime64[Y]").astype("datetime64[D]")).astype(np.int64)
        ndays = np.where(year == self.end, 330, 365)
        founded = y0 + R.randint(s, idx, "doy", ndays)
        end_day = R.day(self.end, 12, 31)
        ref_day = R.day(self.ref_year, 12, 31)
        ud2 = R.uniform(s, idx, "dissolve")
        dissolved = np.full(len(idx), -1, dtype=np.int64)
        m = cat == AI_DISSOLVED
        dissolved[m] = founded[m] + 365 + np.floor(ud2[m] * (ref_day - 30 - founded[m] - 365)).astype(np.int64)
        late = (cat == AI_ALIVE) & (ud2 < 0.02) & ~older  # deregistered after the reference date
        dissolved[late] = ref_day + 1 + np.floor(R.uniform(s, idx[late], "late") * (end_day - 31 - ref_day)).astype(np.int64)
        m = (cat == NON_AI) & (ud2 < 0.10)
        span_na = np.maximum(end_day - 31 - founded[m] - 200, 1)
        dissolved[m] = founded[m] + 200 + np.floor(R.uniform(s, idx[m], "nd") * span_na).astype(np.int64)
        dissolved = np.where((dissolved >= 0) & (dissolved <= founded), -1, dissolved)
        revoked = R.uniform(s, idx, "revoked") < 0.25  # 吊销 rather than 注销

        # changes (value before/after a dated change)
        ch = self.cal["volumes"]["changes"]
        lo = founded + 180
        hi = np.where(dissolved >= 0, dissolved - 1, end_day - 31)
        chg = {}
        for f, share in ch.items():
            uf = R.uniform(s, idx, "chg_" + f)
            when = lo + np.floor(R.uniform(s, idx, "chgd_" + f) * np.maximum(hi - lo, 0)).astype(np.int64)
            chg[f] = np.where((uf < float(share)) & (hi > lo), when, -1)

        # name stem (unique within the city)
        cap = self.stem_cap[city]
        code = (city_rank * self.stem_mul[city] + (self.seed % 1009)) % cap
        n1, n2 = len(self.s1), len(self.s2)
        st1 = code % n1
        st2 = (code // n1) % n2
        rest = code // (n1 * n2)
        nsyl = np.where(cap > n1 * n2, 2 + np.ceil(np.log(cap / (n1 * n2)) / np.log(n2)).astype(np.int64), 2)

        wl = self.word_len[kind]
        word = self.word_off[kind] + R.randint(s, idx, "word", wl)
        old_word = self.word_off[kind] + (word - self.word_off[kind] + 1) % wl
        uform = R.uniform(s, idx, "form")
        fw = np.array([f["weight"] for f in self.voc["legal_forms"]], dtype=float)
        form = R.choice_cdf(uform, np.cumsum(fw / fw.sum()))
        ucap = R.uniform(s, idx, "capital")
        return dict(idx=idx, city=city, cat=cat, rank=rank, ai=ai, bench=bench, unicorn=unicorn, node=node,
                    kind=kind, district=district, founded=founded, dissolved=dissolved, revoked=revoked,
                    changes=chg, st1=st1, st2=st2, rest=rest, nsyl=nsyl, word=word, old_word=old_word,
                    form=form, ucap=ucap)

    # -- derived text ---------------------------------------------------------------------------------
    def stems(self, a: dict) -> tuple[np.ndarray, np.ndarray]:
        s1 = np.array(self.s1)[a["st1"]]
        s2 = np.array(self.s2)[a["st2"]]
        r1 = np.array(self.s1r)[a["st1"]]
        r2 = np.array(self.s2r)[a["st2"]]
        stem = np.char.add(s1, s2)
        rom = np.char.add(np.char.capitalize(r1), r2)
        extra = a["nsyl"] > 2
        if extra.any():
            rest = a["rest"].copy()
            n2 = len(self.s2)
            for _ in range(int(a["nsyl"].max()) - 2):
                k = rest % n2
                rest //= n2
                stem = np.where(extra, np.char.add(stem, np.array(self.s2)[k]), stem)
                rom = np.where(extra, np.char.add(rom, np.array(self.s2r)[k]), rom)
        return stem, rom

    def names(self, a: dict, old: bool = False) -> np.ndarray:
        stem, _ = self.stems(a)
        city_short = np.array([c.short for c in self.cities])[a["city"]]
        words = np.array(self.words)
        w = words[a["old_word"]] if old else words[a["word"]]
        suffix = np.array([f["suffix"] for f in self.voc["legal_forms"]])[a["form"]]
        return np.char.add(np.char.add(np.char.add(city_short, stem), w), suffix)

    def names_at(self, a: dict, when: np.ndarray) -> np.ndarray:
        """Registered name on day ``when`` (the former name before a name change)."""
        cur = self.names(a)
        c = a["changes"]["name"]
        if (c >= 0).any():
            old = self.names(a, old=True)
            cur = np.where((c >= 0) & (np.asarray(when) < c), old, cur)
        return cur

    def usccs(self, a: dict) -> np.ndarray:
        body = (a["idx"] * 7919 + 1000003 * (self.seed % 89) + 17) % 100_000_000
        return uscc_batch(self.city_codes[a["city"]], body)

    def region_text(self, a: dict) -> np.ndarray:
        prov = np.array([c.province_name for c in self.cities])[a["city"]]
        cty = np.array([c.name for c in self.cities])[a["city"]]
        muni = np.array([c.province_name == c.name for c in self.cities])[a["city"]]
        return np.where(muni, cty, np.char.add(prov, cty))

    def person_name(self, pid: np.ndarray) -> np.ndarray:
        sur = self.voc["surnames"]
        giv = self.voc["given_chars"]
        h = R.hash64(self.seed, pid, "person")
        hs = (h % np.uint64(len(sur) * 7)).astype(np.int64)
        # common surnames are more common: fold the first ten over a wider range
        si = np.where(hs < len(sur), hs, hs % 10)
        g1 = ((h >> np.uint64(20)) % np.uint64(len(giv))).astype(np.int64)
        g2 = ((h >> np.uint64(36)) % np.uint64(len(giv))).astype(np.int64)
        two = ((h >> np.uint64(52)) % np.uint64(10)).astype(np.int64) < 7
        name = np.char.add(np.array(sur)[si], np.array(giv)[g1])
        return np.where(two, np.char.add(name, np.array(giv)[g2]), name)
