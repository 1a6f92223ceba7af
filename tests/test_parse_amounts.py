"""Amounts into CNY 万元: real strings from the shared data, known conversions, vague ranges, properties."""

from __future__ import annotations

import csv
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import PLACEHOLDER_CELLS
from zhaoshang.core.parse.amounts import FX_CNY, Amount, fx_rate, parse_amount

USD = FX_CNY["USD"]


def _distinct(path, column):
    with open(path, encoding="utf-8", newline="") as f:
        return sorted({row[column] for row in csv.DictReader(f)})


def _parse_share(values, **kw):
    ok, bad = 0, []
    for v in values:
        try:
            parse_amount(v, **kw)
            ok += 1
        except ValueError as e:
            bad.append((v, str(e)))
    return ok / len(values), bad


@pytest.mark.parametrize(
    "rel,column,unit",
    [
        ("financing/itjuzi_china_ai_financing_events_2018-12.csv", "amount_raw", None),
        ("enterprises/enterprise_registration_sample_2000_2004.csv", "注册资金", "万元"),
        ("ai_companies/itjuzi_china_ai_companies_2018-12.csv", "total_funding", None),
        ("ai_companies/itjuzi_china_ai_companies_2018-12.csv", "valuation", None),
    ],
)
def test_real_amount_columns_parse(shared, rel, column, unit):
    values = _distinct(shared(rel), column)
    assert len(values) > 3
    share, bad = _parse_share(values, unit=unit)
    assert share >= 0.99, f"{len(bad)} of {len(values)} not parsed: {bad[:20]}"


def test_real_registration_capital_values(shared):
    path = shared("enterprises/enterprise_registration_sample_2000_2004.csv")
    with open(path, encoding="utf-8", newline="") as f:
        rows = {r["注册资金"] for r in csv.DictReader(f)}
    # every row of the registry sample carries its scale in the text, so the declared unit changes nothing
    for v in rows:
        if "万" in v:
            assert parse_amount(v) == parse_amount(v, unit="万元")
    assert "1,050(万元人民币)" in rows or any("," in v for v in rows)


def test_real_financing_currencies(shared):
    values = _distinct(shared("financing/itjuzi_china_ai_financing_events_2018-12.csv"), "amount_raw")
    parsed = [parse_amount(v) for v in values]
    currencies = {a.currency for a in parsed if a is not None}
    assert {"CNY", "USD"} <= currencies
    # every value names its currency: USD rows say 美元, CNY rows 人民币
    for v, a in zip(values, parsed):
        if a is None:
            assert v == "-"
        elif "美元" in v:
            assert a.currency == "USD"
        elif "人民币" in v:
            assert a.currency == "CNY"


@pytest.mark.parametrize(
    "text,wan,currency,original",
    [
        ("5亿人民币", 50000.0, "CNY", 5e8),
        ("1.5亿人民币", 15000.0, "CNY", 1.5e8),
        ("3.43亿人民币", 34300.0, "CNY", 3.43e8),
        ("630万人民币", 630.0, "CNY", 6.3e6),
        ("1,050(万元人民币)", 1050.0, "CNY", 1.05e7),
        ("2,000(万元人民币)", 2000.0, "CNY", 2e7),
        ("600(万元)", 600.0, "CNY", 6e6),
        ("600（万元）", 600.0, "CNY", 6e6),
        ("309(万人民币元)", 309.0, "CNY", 3.09e6),
        ("17(万元(人民币))", 17.0, "CNY", 1.7e5),
        ("830万", 830.0, "CNY", 8.3e6),
        ("9.1亿", 91000.0, "CNY", 9.1e8),
        ("两千五百万", 2500.0, "CNY", 2.5e7),
        ("1亿5000万", 15000.0, "CNY", 1.5e8),
        ("30(万美元)", 30 * USD, "USD", 3e5),
        ("4(万元美元)", 4 * USD, "USD", 4e4),
        ("1000万美元", 1000 * USD, "USD", 1e7),
        ("$1.2M", 120 * USD, "USD", 1.2e6),
        ("USD 3 million", 300 * USD, "USD", 3e6),
        ("US$ 2.5bn", 250000 * USD, "USD", 2.5e9),
        ("500(万港元)", 500 * FX_CNY["HKD"], "HKD", 5e6),
        ("12(万香港元)", 12 * FX_CNY["HKD"], "HKD", 1.2e5),
        ("3(万元(港币))", 3 * FX_CNY["HKD"], "HKD", 3e4),
        ("340万欧元", 340 * FX_CNY["EUR"], "EUR", 3.4e6),
        ("100(万日元)", 100 * FX_CNY["JPY"], "JPY", 1e6),
        ("1.2B", 120000.0, "CNY", 1.2e9),
    ],
)
def test_known_conversions(text, wan, currency, original):
    a = parse_amount(text)
    assert a.currency == currency
    assert a.original == pytest.approx(original, rel=1e-12)
    assert a.wan == pytest.approx(wan, rel=1e-9)
    assert a.low_wan == a.high_wan == a.wan
    assert not a.vague and not a.undisclosed
    assert a.text == text


def test_units_for_bare_numbers():
    assert parse_amount("1050", unit="万元").wan == 1050.0
    assert parse_amount("15000000", unit="元").wan == 1500.0
    assert parse_amount(15000000, unit="元").wan == 1500.0
    a = parse_amount("1750000", unit="USD")  # Crunchbase raised_amount_usd
    assert (a.currency, a.original) == ("USD", 1750000.0)
    assert a.wan == pytest.approx(175 * USD)
    assert parse_amount(1750000.0, unit="USD").original == 1750000.0
    assert parse_amount("3", unit="亿元").wan == 30000.0
    assert parse_amount("20", unit="万美元").original == 200000.0
    # bare number without unit: 元
    assert parse_amount("600()").wan == pytest.approx(0.06)
    # a scale written in the text wins over the declared unit
    assert parse_amount("830万", unit="元").wan == 830.0
    # currency argument applies when the text names none
    assert parse_amount("830万", currency="USD").currency == "USD"
    assert parse_amount("830万人民币", currency="USD").currency == "CNY"
    with pytest.raises(ValueError, match="单位"):
        parse_amount("1", unit="公斤")


def test_vague_amounts():
    a = parse_amount("数千万美元")
    assert a.vague and a.currency == "USD"
    assert a.low_wan == pytest.approx(1000 * USD) and a.high_wan == pytest.approx(10000 * USD)
    assert a.wan == pytest.approx(math.sqrt(1000 * 10000) * USD)
    assert a.original == pytest.approx(math.sqrt(1e7 * 1e8))

    b = parse_amount("数百万人民币")
    assert (b.low_wan, b.high_wan) == (100.0, 1000.0)
    c = parse_amount("数十亿人民币")
    assert (c.low_wan, c.high_wan) == (100000.0, 1000000.0)
    d = parse_amount("数十万美元")
    assert d.low_wan == pytest.approx(10 * USD)

    near = parse_amount("近亿人民币")
    assert (near.low_wan, near.high_wan) == (8000.0, 10000.0)
    assert near.wan == pytest.approx(math.sqrt(8000 * 10000))

    floor = parse_amount("亿元及以上美元")
    assert floor.currency == "USD" and floor.low_wan == pytest.approx(10000 * USD)
    assert floor.high_wan == pytest.approx(20000 * USD)
    for t in ("超1亿元", "逾1亿元", "1亿元以上", "上亿元", "过亿"):
        x = parse_amount(t)
        assert (x.low_wan, x.high_wan, x.vague) == (10000.0, 20000.0, True), t

    approx = parse_amount("约500万")
    assert approx.wan == pytest.approx(500.0) and approx.low_wan < 500 < approx.high_wan
    assert parse_amount("500万左右").wan == pytest.approx(500.0)
    more = parse_amount("3000多万")
    assert more.low_wan == 3000.0 and more.vague
    teens = parse_amount("十几万元")
    assert (teens.low_wan, teens.high_wan) == (10.0, 20.0)
    order = parse_amount("千万级")
    assert (order.low_wan, order.high_wan) == (1000.0, 10000.0)
    ceil = parse_amount("不到1000万")
    assert (ceil.low_wan, ceil.high_wan) == (500.0, 1000.0)


def test_undisclosed_and_empty():
    for t in ("未透露", "未公开", "undisclosed", "Undisclosed", "未透露人民币", "面议"):
        a = parse_amount(t)
        assert a.undisclosed and a.wan is None and a.original is None and a.low_wan is None
        assert a.currency == "CNY"
    assert parse_amount("未透露美元").currency == "USD"
    for t in (None, " ", float("nan"), *PLACEHOLDER_CELLS):
        assert parse_amount(t) is None, t
    # a text that holds a placeholder word among others is read as usual
    assert parse_amount("金额不详").undisclosed


@pytest.mark.parametrize("text", ["abc", "上海", "1.2.3万", "万元", "1,5万", "-5万", "五毛钱人民币", "true"])
def test_garbage_raises_chinese_reason(text):
    with pytest.raises(ValueError, match="无法识别的金额"):
        parse_amount(text)


def test_fx_rate():
    assert fx_rate("CNY") == 1.0
    assert fx_rate("usd") == USD
    assert 6.0 < fx_rate("USD") < 8.0 and 0.8 < fx_rate("HKD") < 1.0 and fx_rate("EUR") > fx_rate("USD")
    with pytest.raises(ValueError, match="未知币种"):
        fx_rate("XYZ")


def test_amount_is_frozen():
    a = parse_amount("1亿人民币")
    assert isinstance(a, Amount)
    with pytest.raises(AttributeError):
        a.wan = 1.0  # type: ignore[misc]


numbers = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None)
@given(numbers)
def test_n_wan_roundtrip(n):
    a = parse_amount(f"{n}万")
    assert a.wan == pytest.approx(float(n), rel=1e-9, abs=1e-9)
    b = parse_amount(f"{n:,}(万元人民币)")
    assert b.wan == pytest.approx(float(n), rel=1e-9, abs=1e-9)


plausible = st.decimals(min_value=0, max_value=10**5, places=2, allow_nan=False, allow_infinity=False)  # ≤ MAX_WAN in 亿美元


@settings(max_examples=200, deadline=None)
@given(plausible, plausible, st.sampled_from(["万人民币", "亿人民币", "万美元", "(万港元)", "元"]))
def test_monotonic_in_the_number(x, y, suffix):
    ax, ay = parse_amount(f"{x}{suffix}"), parse_amount(f"{y}{suffix}")
    if x < y:
        assert ax.wan <= ay.wan
    elif x > y:
        assert ax.wan >= ay.wan


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=20))
def test_only_value_error_on_arbitrary_text(text):
    try:
        a = parse_amount(text)
    except ValueError:
        return
    assert a is None or isinstance(a, Amount)
    if a is not None and a.wan is not None:
        assert a.low_wan <= a.wan <= a.high_wan


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789.,数几近约超逾以上及余多十百千万亿元人民币美元港 ()$mkb", max_size=12))
def test_only_value_error_on_amount_like_text(text):
    try:
        a = parse_amount(text)
    except ValueError:
        return
    if a is not None and a.wan is not None:
        assert 0 <= a.low_wan <= a.wan * (1 + 1e-9) and a.wan <= a.high_wan * (1 + 1e-9)


@pytest.mark.parametrize("text", ["99999999999999999999999999亿元", "1e30万元", "1E+30", "9999999999999亿美元", "1e400元"])
def test_implausible_amounts_are_rejected_by_one_rule(text):
    with pytest.raises(ValueError, match="超出合理范围"):
        parse_amount(text)


def test_plausibility_bound_keeps_the_largest_real_capitals():
    assert parse_amount("8295亿元").wan == 82_950_000.0  # State Grid's registered capital
    assert parse_amount("1.5e3万元").wan == 1500.0  # scientific notation below the bound is a number
    with pytest.raises(ValueError, match="超出合理范围"):
        parse_amount(1e30, unit="万元")


def test_amounts_in_text():
    """Amounts written in a sentence, each read by parse_amount; a number without a currency is no amount."""
    from zhaoshang.core.parse.amounts import amounts_in_text

    def wan(t):
        return [round(a.wan, 1) for _, a in amounts_in_text(t)]

    assert wan("杭州熠构信息设备有限公司宣布完成3亿元A轮融资") == [30000.0]
    assert wan("熠构本轮融资3亿元人民币，罚款500万元") == [30000.0, 500.0]
    assert wan("完成１，２００万元天使轮") == [1200.0]  # full-width digits and separator
    assert wan("数千万元人民币") == [3162.3] and wan("近亿美元")[0] > 60000
    assert wan("溪瀚科技宣布裁员30%，2026年计划招聘1万人") == [] and wan("") == [] and wan(None) == []


def test_a_text_that_says_its_unit_is_read_in_it_not_in_the_columns_declared_unit():
    """500元 in a column declared in 万元 is 0.05 万元 (it was read as 500 万元); a bare number takes the declared unit."""
    from zhaoshang.core.parse.amounts import parse_amount, parse_user_amount

    assert parse_amount("500元", unit="万元").wan == pytest.approx(0.05)
    assert parse_amount("人民币500元", unit="万元").wan == pytest.approx(0.05)
    assert parse_amount("500美元", unit="万元").currency == "USD"
    assert parse_amount("500美元", unit="万元").original == pytest.approx(500)
    assert parse_amount("500", unit="万元").wan == 500 and parse_amount("500万元", unit="万元").wan == 500
    assert parse_amount("1.2亿元", unit="万元").wan == pytest.approx(12000)
    assert parse_user_amount("500元") == pytest.approx(0.05) and parse_user_amount("500") == 500
