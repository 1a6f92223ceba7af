"""People of the demo dataset: persons, their roles, shareholdings and the contacts file (all fictional).
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


class PeopleMixin:
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
