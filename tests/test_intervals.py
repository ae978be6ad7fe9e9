"""How sure a measured rate is: 95% Wilson intervals in eval, the sign test of --compare."""

from __future__ import annotations

import pytest

from assistant import comparison
from assistant.eval_tables import interval_table, results_renderable
from assistant.metrics import Scored, intervals, summarise, wilson


def scored(qid: str, *, answerable: bool = True, rank: int | None = 1, hit: bool | None = True,
           abstained: bool = False) -> Scored:
    return Scored(id=qid, type="factoid", answerable=answerable, has_evidence=answerable, first_rank=rank if answerable else None,
                  evidence_hit=hit if answerable else None, f1=0.5 if answerable else None, recall=0.5 if answerable else None,
                  abstained=abstained, words=20, citations_exact=1, citations_total=1, latency_ms=5.0)


def test_wilson_interval_matches_the_formula_and_stays_inside_zero_and_one():
    low, high = wilson(116, 128)
    # the Wilson score interval at z = 1.96, written out
    z, n, p = 1.959964, 128, 116 / 128
    centre, half = (p + z * z / (2 * n)) / (1 + z * z / n), z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5) / (1 + z * z / n)
    assert (low, high) == pytest.approx((centre - half, centre + half), abs=1e-4)
    assert wilson(0, 10)[0] == 0.0 and wilson(10, 10)[1] == 1.0
    assert wilson(0, 0) is None
    # fewer questions, wider interval
    assert wilson(15, 16)[1] - wilson(15, 16)[0] > wilson(150, 160)[1] - wilson(150, 160)[0]


def test_intervals_count_each_rate_over_its_own_questions():
    rows = [scored("a"), scored("b", rank=3, hit=False), scored("c", rank=None, hit=False, abstained=True),
            scored("u1", answerable=False, abstained=True), scored("u2", answerable=False)]
    spans = intervals(rows)
    def span(k: int, n: int) -> dict:
        low, high = wilson(k, n)
        return {"count": k, "n": n, "low": low, "high": high}

    assert spans["recall@1"] == span(1, 3)
    assert spans["recall@5"] == span(2, 3)
    assert spans["evidence_hit"] == span(1, 3)
    assert spans["abstain_on_unanswerable"] == span(1, 2)
    assert spans["answered_on_answerable"] == span(2, 3)
    assert intervals([scored("a")])["abstain_on_unanswerable"] is None  # no unanswerable question
    assert summarise(rows)["intervals"] == spans


def test_the_eval_output_shows_the_full_systems_intervals():
    from rich.console import Console

    rows = [scored(str(i), hit=i % 4 != 0) for i in range(40)]
    results = {"meta": {"gold": "gold.jsonl"}, "systems": {"hybrid": summarise(rows)}}
    console = Console(width=80, record=True)
    console.print(results_renderable(results))
    low, high = wilson(30, 40)
    text = console.export_text()
    assert f"{low:.2f}-{high:.2f}" in text and "30 of 40" in text
    del results["systems"]["hybrid"]["intervals"]  # a results file written before intervals existed
    assert interval_table(results) is None
    console.print(results_renderable(results))


def _comparison(better: int, worse: int) -> comparison.Comparison:
    changes = tuple(comparison.Change(f"b{i}", "factoid", "better", ()) for i in range(better)) + tuple(
        comparison.Change(f"w{i}", "factoid", "worse", ()) for i in range(worse))
    return comparison.Comparison("hybrid", changes, 0, (), (), {})


@pytest.mark.parametrize("better, worse, p, words", [
    (0, 1, 1.0, "could well be chance"),
    (3, 1, 0.625, "could well be chance"),
    (10, 0, 0.002, "unlikely to be chance"),
    (9, 1, 0.0215, "unlikely to be chance"),
])
def test_sign_test_says_whether_a_split_could_be_chance(better, worse, p, words):
    compared = _comparison(better, worse)
    assert compared.sign_test() == pytest.approx(p, abs=1e-3)
    assert words in compared.chance() and compared.as_dict()["sign_test_p"] == compared.sign_test()


def test_sign_test_with_nothing_changed():
    assert _comparison(0, 0).sign_test() is None and _comparison(0, 0).chance() == "no question got better or worse"
