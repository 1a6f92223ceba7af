"""Financing rounds: Chinese and Crunchbase labels into one vocabulary, stage order, labels."""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from conftest import PLACEHOLDER_CELLS
from zhaoshang.core.parse.rounds import ROUND_LABELS_ZH, ROUND_ORDER, ROUNDS, is_later_round, normalize_round


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("天使轮", "angel"), ("种子轮", "seed"), ("Pre-A轮", "pre_a"), ("pre-a", "pre_a"), ("A轮", "a"),
        ("A+轮", "a_plus"), ("Ａ＋轮", "a_plus"), ("Pre-B轮", "pre_b"), ("B轮", "b"), ("B+轮", "b_plus"),
        ("C轮", "c"), ("C+轮", "c_plus"), ("D轮", "d"), ("E轮", "e"), ("F轮", "f_plus"), ("G轮", "f_plus"),
        ("F轮-上市前", "f_plus"), ("Pre-IPO", "pre_ipo"), ("IPO上市", "ipo"), ("IPO上市后", "post_ipo"),
        ("上市后", "post_ipo"), ("战略投资", "strategic"), ("并购", "ma"), ("新三板", "neeq"),
        ("新三板定增", "private_placement"), ("定增", "private_placement"), ("债权融资", "debt"),
        ("angel", "angel"), ("seed", "seed"), ("venture", "venture"), ("series-a", "a"), ("series-b", "b"),
        ("series-c+", "c"), ("Series C", "c"), ("private-equity", "pe"), ("private_equity", "pe"),
        ("debt_financing", "debt"), ("post-ipo", "post_ipo"), ("post_ipo_equity", "post_ipo"),
        ("crowdfunding", "crowdfunding"), ("grant", "grant"), ("other", "other"),
        ("", "other"), ("-", "other"), (None, "other"), ("不知道是什么", "other"),
    ],
)
def test_labels(raw, expected):
    assert normalize_round(raw) == expected
    assert expected in ROUNDS


def test_placeholders_are_no_round():
    """A placeholder (docs/data-formats.md, "Cells that hold no value") is no label: other, or the series code's."""
    for p in PLACEHOLDER_CELLS:
        assert normalize_round(p) == "other", p
        assert normalize_round(p, "B") == "b", p
    assert normalize_round("N/A轮") == "other" and normalize_round("NA", "C") == "c"


def test_code_refines_venture():
    assert normalize_round("venture", "A") == "a"
    assert normalize_round("venture", "C") == "c"
    assert normalize_round("venture", None) == "venture"
    assert normalize_round("seed", "A") == "seed"  # a specific type is kept


def test_order_and_labels():
    assert set(ROUND_LABELS_ZH) == set(ROUNDS)
    assert all(r in ROUNDS for r in ROUND_ORDER)
    seq = ["seed", "angel", "pre_a", "a", "a_plus", "pre_b", "b", "b_plus", "c", "c_plus", "d", "e", "f_plus",
           "pre_ipo", "ipo", "post_ipo"]
    assert sorted(seq, key=ROUND_ORDER.__getitem__) == seq
    assert is_later_round("b", "a") and not is_later_round("a", "b")
    assert is_later_round("strategic", "a") is None
    assert ROUND_LABELS_ZH["pre_a"] == "Pre-A轮"


def _rounds(path, column):
    with open(path, encoding="utf-8", newline="") as f:
        return Counter(r[column] for r in csv.DictReader(f))


@pytest.mark.parametrize(
    "rel,column",
    [
        ("financing/itjuzi_china_ai_financing_events_2018-12.csv", "round"),
        ("financing/crunchbase_2013/crunchbase_rounds_2013-10.csv", "funding_round_type"),
        ("financing/crunchbase_odm_sample_2016/funding_rounds.csv", "funding_round_type"),
    ],
)
def test_real_rounds(shared, rel, column):
    counts = _rounds(shared(rel), column)
    mapped = {raw: normalize_round(raw) for raw in counts}
    # only empty cells and the sources' own "other"/"undisclosed" labels may map to other
    unknown = {raw for raw, r in mapped.items() if r == "other"} - {"", "-", "other", "undisclosed"}
    assert not unknown, unknown
    total = sum(counts.values())
    known = sum(n for raw, n in counts.items() if mapped[raw] != "other")
    share_other_labels = sum(n for raw, n in counts.items() if raw in {"", "-", "other", "undisclosed"}) / total
    assert known / total == pytest.approx(1 - share_other_labels)
    assert known / total >= 0.75


def test_real_itjuzi_specific(shared):
    counts = _rounds(shared("financing/itjuzi_china_ai_financing_events_2018-12.csv"), "round")
    by_round = Counter()
    for raw, n in counts.items():
        by_round[normalize_round(raw)] += n
    assert by_round["angel"] == counts["天使轮"]
    assert by_round["a"] == counts["A轮"]
    assert by_round["neeq"] == counts["新三板"]
    assert by_round["private_placement"] == counts["新三板定增"]


def test_rounds_in_text():
    from zhaoshang.core.parse.rounds import rounds_in_text

    def rounds(t):
        return [r for _, r in rounds_in_text(t)]

    assert rounds("杭州琢弘视觉科技有限公司完成2亿元B轮融资") == ["b"]
    assert rounds("获得Pre-A轮与A+轮融资，此前天使轮") == ["pre_a", "a_plus", "angel"]
    assert rounds("完成5亿元C轮融资，引入战略投资") == ["c", "strategic"]
    assert rounds("公司轮换董事；ABC轮胎") == [] and rounds(None) == []
