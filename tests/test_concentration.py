"""Concentration and growth: helpers against independent pandas/numpy computations on real lists, and the
store-level function on a small database filled through the schema."""

from __future__ import annotations

import json

import math

import numpy as np
import pandas as pd
import pytest

from cli_util import run

from zhaoshang.core.errors import UserError
from zhaoshang.services.analytics.concentration import (
    cagr,
    concentration,
    cr,
    gini,
    hhi,
    location_quotient,
    shares,
    summary,
)


def gini_pairwise(x: np.ndarray) -> float:
    """Gini as the mean absolute difference over twice the mean (a different formula from the code's)."""
    x = np.asarray(x, float)
    return np.abs(x[:, None] - x[None, :]).mean() / (2 * x.mean())


def check_against_pandas(labels: pd.Series):
    vc = labels.value_counts()
    vals = vc.to_numpy(float)
    p = labels.value_counts(normalize=True)
    rng = np.random.default_rng(0)
    shuffled = rng.permutation(vals)            # order must not matter
    assert np.allclose(sorted(shares(shuffled)), sorted(p.to_numpy()), atol=1e-12)
    assert math.isclose(hhi(shuffled), float((p ** 2).sum()), abs_tol=1e-12)
    assert math.isclose(cr(shuffled, 3), float(p.nlargest(3).sum()), abs_tol=1e-12)
    assert math.isclose(cr(shuffled, 5), float(p.nlargest(5).sum()), abs_tol=1e-12)
    assert math.isclose(gini(shuffled), gini_pairwise(vals), abs_tol=1e-12)
    s = summary(shuffled)
    assert math.isclose(s["hhi_10000"], s["hhi"] * 10000) and s["total"] == len(labels)
    assert 0 < s["gini"] < 1 and s["cr3"] <= s["cr5"] <= 1
    return vc


def test_large_model_list_by_province_and_city(shared):
    from zhaoshang.core.geo.parser import parse_region

    df = pd.read_csv(shared("ai_companies/awesome_llms_in_china_2024-11.csv"), dtype=str)
    m = [parse_region(t) for t in df["location_raw"].fillna("")]
    prov = pd.Series([x.province_code for x in m]).dropna()
    city = pd.Series([x.city_code for x in m]).dropna()
    assert len(prov) >= 0.95 * len(df)
    vc = check_against_pandas(prov)
    assert vc.index[0] == "110000"          # Beijing leads the list
    check_against_pandas(city)
    # A city-level HHI is at most the province-level one only when cities split provinces: check it holds.
    assert hhi(city.value_counts()) <= hhi(prov.value_counts()) + 1e-12


@pytest.mark.parametrize("column", ["location_l1", "sub_industry"])
def test_itjuzi_companies(shared, column):
    df = pd.read_csv(shared("ai_companies/itjuzi_china_ai_companies_2018-12.csv"), dtype=str)
    check_against_pandas(df[column].dropna())


def test_itjuzi_financing_events_by_province_and_growth(shared):
    df = pd.read_csv(shared("financing/itjuzi_china_ai_financing_events_2018-12.csv"), dtype=str)
    prov = df["location_raw"].str.split("-").str[0].dropna()
    check_against_pandas(prov)
    years = pd.to_datetime(df["date"], errors="coerce").dt.year.value_counts()
    start, end = float(years.get(2013, 0)), float(years.get(2017, 0))
    assert start > 0 and end > start
    expected = math.exp(math.log(end / start) / 4) - 1
    assert math.isclose(cagr(start, end, 4), expected, rel_tol=1e-12)


def test_szse_list_by_province_and_location_quotient(shared):
    df = pd.read_csv(shared("listed_companies/szse_a_share_list_2026-01.csv"), dtype=str)
    df = df[df["省份"].notna() & df["所属行业"].notna()]
    check_against_pandas(df["省份"])
    # LQ of the information-technology sector by province, against all listed companies.
    it = df["所属行业"].str.startswith("I")
    tab = pd.crosstab(df["省份"], it)
    expected = (tab[True] / tab[True].sum()) / (tab.sum(axis=1) / tab.to_numpy().sum())
    got = location_quotient(tab[True].tolist(), tab.sum(axis=1).tolist())
    assert np.allclose(np.asarray(got, float), expected.to_numpy(), atol=1e-12)
    assert max(got) > 1 > min(got)


def test_helpers_edge_cases():
    assert hhi([0, 0]) is None and cr([], 3) is None and gini([5]) == 0.0
    assert gini([0, 0, 0, 10]) == pytest.approx(0.75)   # (n−1)/n when one region has everything
    assert hhi([7]) == 1.0 and cr([1, 1], 5) == 1.0
    assert cagr(0, 10, 5) is None and cagr(10, 10, 3) == 0.0 and cagr(100, 121, 2) == pytest.approx(0.1)
    assert location_quotient([1, 0], [0, 5]) == [None, 0.0]
    with pytest.raises(UserError):
        hhi([1, -1])


# -- from the store --------------------------------------------------------------------------------------

def fill(s):
    """A small database filled through the schema: 8 enterprises in 3 provinces, 5 of them on the AI chain,
    with fundings and patents at known dates."""
    ents = [  # id, province, city, founded, dissolved
        (1, "110000", "110100", "2012-01-01", None),
        (2, "110000", "110100", "2017-05-01", None),
        (3, "110000", "110100", "2019-05-01", None),
        (4, "440000", "440300", "2014-01-01", None),
        (5, "440000", "440300", "2016-01-01", "2019-01-01"),
        (6, "440000", "440100", "2010-01-01", None),   # not on the chain
        (7, "310000", "310100", "2010-01-01", None),   # not on the chain
        (8, "310000", "310100", "2013-01-01", None),
    ]
    s.con.executemany("INSERT INTO enterprises (id, name, province_code, city_code, founded, dissolved) "
                      "VALUES (?, 'e' || ?, ?, ?, ?, ?)", [(e[0], e[0], *e[1:]) for e in ents])
    s.con.executemany("INSERT INTO placements (enterprise_id, chain, node_code) VALUES (?, 'ai', ?)",
                      [(1, "U01"), (2, "M01"), (3, "M01.1"), (4, "M01"), (5, "D01"), (8, "U01"), (1, "M01")])
    s.con.executemany("INSERT INTO fundings (id, enterprise_id, date, amount_wan) VALUES (?, ?, ?, ?)",
                      [(1, 1, "2015-03-01", 1000), (2, 1, "2019-06-01", 3000), (3, 4, "2015-02-01", 500),
                       (4, 4, "2019-08-01", 500), (5, 2, "2018-01-01", 2000), (6, 6, "2019-01-01", 9999)])
    s.con.executemany("INSERT INTO patents (id, applied) VALUES (?, ?)",
                      [(1, "2016-01-01"), (2, "2019-09-01"), (3, "2019-10-01")])
    s.con.executemany("INSERT INTO patent_applicants (patent_id, enterprise_id) VALUES (?, ?)",
                      [(1, 1), (2, 1), (2, 4), (3, 8)])


@pytest.fixture
def store():
    from zhaoshang.core.store import Store

    s = Store(":memory:")
    fill(s)
    yield s
    s.close()


def run_cli(db, args):
    return run(*args, db=db, check=False, timeout=120)


def test_cli(tmp_path):
    """The command on a database file filled through the schema (the same rows as the fixture)."""
    from zhaoshang.core.store import Store

    db = tmp_path / "t.duckdb"
    with Store(db) as s:
        fill(s)
    out = run_cli(db, ["concentration", "--level", "province", "--as-of", "2020-01-01", "--format", "json"])
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["hhi_10000"] == pytest.approx(4400) and doc["rows"][0]["region"] == "110000"
    assert {"cr3", "cr5", "hhi", "gini", "growth", "rows"} <= set(doc)
    out = run_cli(db, ["concentration", "--chain", "M01", "--measure", "funding", "--as-of", "2020-01-01"])
    assert out.returncode == 0 and "CR3" in out.stdout
    # a window without rounds (all before it): no HHI or Gini, never "None"; said, with the as-of that finds them
    out = run_cli(db, ["concentration", "--measure", "funding", "--as-of", "2026-01-01"])
    assert out.returncode == 0 and "None" not in out.stdout and "HHI —，基尼系数 —" in out.stdout, out.stdout
    assert "2021-01-01 至 2026-01-01 的 5 年窗口内没有融资事件" in out.stderr and "--as-of 2019-08-01" in out.stderr
    en = run_cli(db, ["--lang", "en", "concentration", "--measure", "funding", "--as-of", "2026-01-01"])
    assert "None" not in en.stdout and "HHI —, Gini —" in en.stdout, en.stdout
    assert "no funding rounds in the 5-year window 2021-01-01 to 2026-01-01" in en.stderr
    assert "give an earlier --as-of such as 2019-08-01" in en.stderr, en.stderr
    # patents all after the window: a later as-of
    en = run_cli(db, ["--lang", "en", "concentration", "--measure", "patents", "--as-of", "2012-01-01"])
    assert "no patents in the 5-year window" in en.stderr and "the first is of 2016-01-01: give a later --as-of" in en.stderr


def test_concentration_of_enterprises(store):
    doc = concentration(store, "province", as_of="2020-01-01", window_years=5)
    rows = {r["region"]: r for r in doc["rows"]}
    # On the chain and alive on 2020-01-01: Beijing 1,2,3; Guangdong 4 (5 dissolved); Shanghai 8.
    assert {k: r["value"] for k, r in rows.items()} == {"110000": 3, "440000": 1, "310000": 1}
    assert rows["110000"]["rank"] == 1 and rows["110000"]["share"] == pytest.approx(0.6)
    assert doc["hhi"] == pytest.approx(0.36 + 0.04 + 0.04) and doc["hhi_10000"] == pytest.approx(4400)
    assert doc["cr3"] == pytest.approx(1.0) and doc["gini"] == pytest.approx(gini([3, 1, 1]))
    # LQ against all enterprises alive then (Beijing 3 of 7, Guangdong 2, Shanghai 2).
    assert rows["110000"]["lq"] == pytest.approx(0.6 / (3 / 7))
    assert rows["440000"]["lq"] == pytest.approx(0.2 / (2 / 7))
    # Growth 2015-01-01 → 2020-01-01: Beijing 1 → 3, Guangdong 1 → 1 (5 came and went), Shanghai 1 → 1.
    assert rows["110000"]["cagr_enterprises"] == pytest.approx(3 ** 0.2 - 1)
    assert rows["440000"]["cagr_enterprises"] == 0.0
    assert doc["growth"]["cagr_enterprises"] == pytest.approx((5 / 3) ** 0.2 - 1)
    doc2 = concentration(store, "province", as_of="2018-06-30", window_years=3)
    guangdong = {r["region"]: r for r in doc2["rows"]}["440000"]
    assert guangdong["value"] == 2 and guangdong["cagr_enterprises"] == pytest.approx(2 ** (1 / 3) - 1)
    # Funding: the year to the end vs the year to the start of the window (enterprise 6 is off the chain).
    assert rows["110000"]["funding_wan"] == 6000 and rows["440000"]["funding_wan"] == 1000
    assert rows["110000"]["cagr_funding"] is None   # nothing in 2014-01-01 … 2015-01-01
    assert rows["110000"]["patents"] == 2 and rows["440000"]["patents"] == 1 and rows["310000"]["patents"] == 1


def test_concentration_of_a_node_and_other_measures(store):
    doc = concentration(store, "province", chain_node="M01", as_of="2020-01-01", measure="funding")
    rows = {r["region"]: r for r in doc["rows"]}
    assert rows["110000"]["enterprises"] == 3            # 1, 2 and 3 (M01.1 is below M01)
    assert rows["110000"]["value"] == 6000 and rows["440000"]["value"] == 500 + 500
    assert rows["110000"]["share"] == pytest.approx(6000 / 7000)
    doc = concentration(store, "city", as_of="2020-01-01", measure="patents", window_years=2)
    vals = {r["region"]: r["value"] for r in doc["rows"]}
    assert vals == {"110100": 1, "440300": 1, "310100": 1, "440100": 0}
    with pytest.raises(UserError):
        concentration(store, chain_node="X99")
    with pytest.raises(UserError):
        concentration(store, level="county")


def test_concentration_by_macro_region(store):
    doc = concentration(store, "macro", as_of="2020-01-01")
    rows = {r["region"]: r for r in doc["rows"]}
    assert rows["M-JJJ"]["value"] == 3 and rows["M-JJJ"]["name"] == "京津冀"
    assert rows["M-YRD"]["value"] == 1


def test_the_same_figures_whatever_order_the_regions_come_back_in(demo_db):
    """A GROUP BY returns its regions in no set order; the totals behind the growth line must not depend on it
    (the funding CAGR's last digits moved between two runs of the same command)."""
    from shuffled_store import Shuffled
    from zhaoshang.core.store import Store

    with Store(demo_db, read_only=True) as s:
        straight = concentration(s, "province")
        assert straight["growth"]["cagr_funding"] is not None
        for seed in range(10):
            assert concentration(Shuffled(s, seed), "province") == straight, seed
