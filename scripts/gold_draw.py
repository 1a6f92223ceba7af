"""Draw the rows of the chain gold set (a fixed, hash-ordered sample per source and stratum).

Writes a labelling worksheet (key + evidence, no labels) to the given CSV; the labels themselves are
written by hand into data/gold/chain_gold.csv following docs/gold-labelling.md. Round 2 extends the set
with the NEXT rows of each stratum in the same hash order (rows already drawn are skipped, never rows
chosen by content). Usage:
    python scripts/gold_draw.py ../shared/data /tmp/gold_worksheet.csv            # round 1
    python scripts/gold_draw.py ../shared/data /tmp/gold_round2.csv --round 2     # round 2 only
    python scripts/gold_draw.py ../shared/data /tmp/gold_round3.csv --round 3     # round 3 only
    python scripts/gold_draw.py ../shared/data /tmp/gold_round4.csv --round 4     # round 4 only
    python scripts/gold_draw.py ../shared/data /tmp/gold_round5.csv --round 5     # round 5 only
    python scripts/gold_draw.py ../shared/data /tmp/gold_round6.csv --round 6     # round 6 only
    python scripts/gold_draw.py ../shared/data /tmp/gold_round7.csv --round 7     # round 7 only
"""

from __future__ import annotations

import csv
import hashlib
import sys

from zhaoshang.services.chain.gold import ASHARE, ITJUZI, LLMS, REGISTRATION, load_evidence

QUOTA = {ITJUZI: 400, LLMS: 150, (ASHARE, "tech"): 280, (ASHARE, "other"): 170,
         (REGISTRATION, "tech_keyword_in_scope"): 250, (REGISTRATION, "random_by_province"): 300}
# round 2: the next rows of each stratum in the same order; A-share keeps round 1's tech/other proportion
QUOTA2 = {ITJUZI: 250, (ASHARE, "tech"): 124, (ASHARE, "other"): 76,
          (REGISTRATION, "tech_keyword_in_scope"): 300, (REGISTRATION, "random_by_province"): 100}
# round 3: the next rows again, registrations and A-share only (the weakest sources), same proportions as round 2
QUOTA3 = {(ASHARE, "tech"): 124, (ASHARE, "other"): 76,
          (REGISTRATION, "tech_keyword_in_scope"): 300, (REGISTRATION, "random_by_province"): 100}
# round 4: the rest of the IT桔子 list (every row not drawn before) and the next A-share rows, round 2's proportions
QUOTA4 = {ITJUZI: 10 ** 9, (ASHARE, "tech"): 124, (ASHARE, "other"): 76}
# round 5: the rest of the large-model list (every row not drawn before) and the next A-share rows, same proportions
QUOTA5 = {LLMS: 10 ** 9, (ASHARE, "tech"): 124, (ASHARE, "other"): 76}
# round 6: the next registrations (round 2's quotas), the rest of the tech-sector listings, and every financial listing
# not drawn before (Shenwan 银行 / 非银金融, a part of the "other" stratum: the banks and brokers the check and the pair
# reader disagree on, docs/methods.md "Tenth candidate")
QUOTA6 = {(REGISTRATION, "tech_keyword_in_scope"): 300, (REGISTRATION, "random_by_province"): 100,
          (ASHARE, "tech"): 10 ** 9, (ASHARE, "finance"): 10 ** 9}
# round 7: the next registrations, round 2's quotas (the source whose goal, AI precision, rests on the fewest labelled
# placements: 80 labelled registration pairs among the pair reader's 3,519, docs/methods.md "Eighteenth candidate")
QUOTA7 = {(REGISTRATION, "tech_keyword_in_scope"): 300, (REGISTRATION, "random_by_province"): 100}
TECH_SW = ("电子", "计算机", "通信", "传媒")
FINANCE_SW = ("银行", "非银金融")
# rows named in the product's acceptance cases, always in the set
FORCED = {(ASHARE, k) for k in ("000977.SZ", "002236.SZ", "688256.SH", "002230.SZ")} | {
    (REGISTRATION, k) for k in ("91510500731634293G", "913611007442990843", "91360300744268851K",
                                "913101107569979204", "91440703724397904A")}


def order(source: str, key: str) -> str:
    return hashlib.sha1(f"draw:{source}:{key}".encode("utf-8")).hexdigest()


def stratum(source: str, ev: dict) -> object:
    if source == ASHARE:
        return (ASHARE, "tech" if (ev.get("industry") or "").split(" ")[0] in TECH_SW else "other")
    if source == REGISTRATION:
        return (REGISTRATION, ev.get("stratum"))
    return source


def draw_rounds(ev: dict, rounds: int = 1) -> list[set]:
    """The rows of each round: round 1 the first quota per stratum in hash order, each later round the next rows
    of its strata in that order, skipping rows any earlier round drew."""
    groups: dict[object, list] = {}
    for (src, key), e in ev.items():
        groups.setdefault(stratum(src, e), []).append((order(src, key), src, key))
        if src == ASHARE and (e.get("industry") or "").split(" ")[0] in FINANCE_SW:
            groups.setdefault((ASHARE, "finance"), []).append((order(src, key), src, key))
    first = set(FORCED)
    for g, n in QUOTA.items():
        first |= {(s, k) for _, s, k in sorted(groups.get(g, []))[:n]}
    out = [first]
    for quota in (QUOTA2, QUOTA3, QUOTA4, QUOTA5, QUOTA6, QUOTA7)[:max(0, rounds - 1)]:
        taken = set().union(*out)
        nxt: set = set()
        for g, n in quota.items():
            rest = [(s, k) for _, s, k in sorted(groups.get(g, []))[QUOTA.get(g, 0):] if (s, k) not in taken]
            nxt |= set(rest[:n])
        out.append(nxt)
    return out


def draw(ev: dict, rounds: int = 1) -> tuple[set, set]:
    """(round-1 rows, round-2 rows): per stratum the first quota in hash order, then the next rows not yet drawn."""
    got = draw_rounds(ev, min(max(rounds, 1), 2))
    return got[0], (got[1] if len(got) > 1 else set())


def main(shared: str, out: str, rnd: int = 1) -> None:
    ev = load_evidence(shared)
    chosen = draw_rounds(ev, rnd)[-1]
    with open(out, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["source", "key", "name", "evidence"])
        for src, key in sorted(chosen, key=lambda x: (x[0], order(*x))):
            e = ev[(src, key)]
            text = " | ".join(str(e[f]) for f in ("products", "description", "industry", "scope", "declared", "tags")
                              if e.get(f))
            w.writerow([src, key, e["name"], text])
    print(len(chosen), "rows")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[3] == "--round" else 1)
