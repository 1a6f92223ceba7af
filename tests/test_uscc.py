"""统一社会信用代码 (GB 32100-2015) check character, GB 11714 organisation code, synthetic codes, DuckDB SQL."""

from __future__ import annotations

import csv
import random

import duckdb
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhaoshang.core.parse.uscc import (
    CHARSET,
    WEIGHTS,
    is_valid_uscc,
    make_uscc,
    normalize_uscc,
    org_code_check_char,
    uscc_check_char,
    uscc_valid_arrow,
    uscc_valid_sql,
    validate_uscc,
)

# codes of listed companies, published in their annual reports
KNOWN = ["91440300192185379H", "91440300192181490G", "91310000607412271H"]


def test_charset_and_weights():
    assert len(CHARSET) == 31 and not set("IOZSV") & set(CHARSET)
    assert WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


@pytest.mark.parametrize("code", KNOWN)
def test_known_codes(code):
    assert uscc_check_char(code[:17]) == code[17]
    assert validate_uscc(code) == (code, None)
    assert is_valid_uscc(code)
    # the organisation code part of these codes carries a valid GB 11714 check character
    assert org_code_check_char(code[8:16]) == code[16]


def test_normalisation():
    assert validate_uscc("９１４４０３００１９２１８５３７９Ｈ") == ("91440300192185379H", None)
    assert validate_uscc(" 9144 0300 1921 8537 9h ") == ("91440300192185379H", None)
    assert validate_uscc("914403001921\u30008537 9H")[0] == "91440300192185379H"


def test_reasons():
    assert validate_uscc("91440300192185379A") == (None, "校验位错误，应为 H")
    code, reason = validate_uscc("9144030019218537")
    assert code is None and "长度" in reason and "16" in reason
    code, reason = validate_uscc("9144030019218537IH")
    assert code is None and "非法字符" in reason and "I" in reason
    assert validate_uscc(None)[1] == "统一社会信用代码为空"
    assert validate_uscc("")[0] is None
    assert not is_valid_uscc(None)


def test_org_code_check_char_known():
    # D2143569-X is the worked example usually quoted for GB 11714; 12345678 → 8 by the same formula
    assert org_code_check_char("12345678") == "8"
    assert org_code_check_char("D2143569") == "X"


def test_make_uscc_structure():
    code = make_uscc(42, region_code="110108", org_type="91")
    assert len(code) == 18 and code.startswith("91110108") and is_valid_uscc(code)
    assert org_code_check_char(code[8:16]) == code[16]
    assert make_uscc(42, "110108") == code  # deterministic
    assert len({make_uscc(i) for i in range(5000)}) == 5000
    with pytest.raises(ValueError):
        make_uscc(-1)
    with pytest.raises(ValueError):
        make_uscc(1, region_code="3301")
    with pytest.raises(ValueError):
        make_uscc(1, org_type="9I")


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=0, max_value=10**9),
    st.sampled_from(["330100", "110108", "440300", "510104"]),
    st.sampled_from(["91", "92", "93", "11", "52", "Y1"]),
    st.integers(min_value=0, max_value=17),
    st.sampled_from(CHARSET + "IOZSV"),
)
def test_any_single_corruption_is_rejected(seed, region, org_type, pos, ch):
    code = make_uscc(seed, region, org_type)
    assert validate_uscc(code) == (code, None)
    if code[pos] == ch:
        return
    corrupted = code[:pos] + ch + code[pos + 1:]
    assert validate_uscc(corrupted)[0] is None
    assert not is_valid_uscc(corrupted)


@pytest.mark.parametrize(
    "rel,column,min_share",
    [
        ("listed_companies/shenzhen_jurisdiction_listed_companies_uscc_2026-03.csv", "统一社会信用代码", 0.99),
        ("enterprises/enterprise_registration_sample_2000_2004.csv", "统一社会信用代码", 0.99),
    ],
)
def test_real_codes(shared, rel, column, min_share):
    with open(shared(rel), encoding="utf-8", newline="") as f:
        codes = [r[column] for r in csv.DictReader(f) if r[column].strip() not in ("", "-")]
    assert len(codes) > 100
    invalid = [(c, validate_uscc(c)[1]) for c in codes if not is_valid_uscc(c)]
    share = 1 - len(invalid) / len(codes)
    print(f"{rel}: {len(codes) - len(invalid)}/{len(codes)} valid; invalid: {invalid[:10]}")
    assert share >= min_share, invalid[:20]
    # the same answer in DuckDB, set-based
    con = duckdb.connect()
    con.register("t", pa.table({"c": pa.array(codes, pa.string())}))
    (n_sql,) = con.execute(f"SELECT count(*) FROM t WHERE {uscc_valid_sql('c')}").fetchone()
    assert n_sql == len(codes) - len(invalid)


def _corpus(n: int) -> list[str | None]:
    rng = random.Random(20240305)
    out: list[str | None] = [None, "", " ", "-", "91440300192185379H ", "９１４４０３００１９２１８５３７９Ｈ",
                             "91440300192185379h", "9144-0300-1921-8537-9H", "123", "91440300192185379HH"]
    for i in range(n):
        code = make_uscc(rng.randrange(10**8), f"{rng.randrange(110000, 660000):06d}", rng.choice(["91", "92", "11", "52"]))
        out.append(code)
        kind = rng.randrange(6)
        if kind == 0:  # substitute one character
            p = rng.randrange(18)
            out.append(code[:p] + rng.choice(CHARSET + "IOZSV") + code[p + 1:])
        elif kind == 1:  # swap two neighbours
            p = rng.randrange(17)
            out.append(code[:p] + code[p + 1] + code[p] + code[p + 2:])
        elif kind == 2:  # drop a character
            p = rng.randrange(18)
            out.append(code[:p] + code[p + 1:])
        elif kind == 3:  # lower case / spaces
            out.append(code.lower()[:6] + " " + code[6:])
        elif kind == 4:  # random 18 characters
            out.append("".join(rng.choice(CHARSET) for _ in range(18)))
        else:  # full width
            out.append("".join(chr(ord(c) + 0xFEE0) for c in code))
    return out


def test_sql_agrees_with_python():
    codes = _corpus(3000)
    con = duckdb.connect()
    con.register("t", pa.table({"i": list(range(len(codes))), "c": pa.array(codes, pa.string())}))
    rows = con.execute(f"SELECT i, {uscc_valid_sql('c')} FROM t ORDER BY i").fetchall()
    sql = [bool(v) for _, v in rows]
    py = [is_valid_uscc(c) for c in codes]
    assert sum(py) > 3000 and sum(not v for v in py) > 1500
    mismatches = [(codes[i], sql[i], py[i]) for i in range(len(codes)) if sql[i] != py[i]]
    assert not mismatches, mismatches[:10]
    assert all(v in (True, False) for _, v in rows)  # NULL input gives false, not NULL


def test_vectorised_check_agrees_with_python():
    # the import's check (normalised codes, a batch at a time, as DuckDB hands them over): the corpus, codes of 18
    # bytes that are not 18 characters, and a batch that starts inside a larger array (an Arrow offset)
    codes = [None if c is None else normalize_uscc(c) for c in _corpus(3000)]
    codes += ["中文中文中文", "9144030019218537é", "91440300192185379h", "91440300192185379I", "\x00" * 18]
    array = pa.array(["pad"] + codes, pa.string()).slice(1)
    got = uscc_valid_arrow(array).to_pylist()
    want = [c is not None and validate_uscc(c)[0] == c for c in codes]  # valid, and in its normal form
    assert sum(want) > 3000 and len(got) == len(codes)
    assert [c for c, g, w in zip(codes, got, want) if g != w] == []
