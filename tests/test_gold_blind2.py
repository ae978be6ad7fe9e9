"""The second blind reader-worded set, source/gold_reader_blind2.jsonl: REPORT-ONLY.

Written in the tenth round like gold_reader_blind.jsonl: the questions were committed (ffe716b) from the
paper's title, metadata and section headings before the body, the README, the tests or any other gold
file was read; answers and evidence were added afterwards (4fb7e1b, questions unchanged; 4 of the 28
provisional unanswerables turned out answered). Nothing is ever tuned or fitted on it, and it is not a
CI floor. These tests check that it loads, that every evidence quote is an exact substring of the paper,
that it holds the mix it promises, and that every fit refuses it.
"""

from collections import Counter

import pytest

from assistant import gold, paths
from assistant.gold import load_gold

BLIND2 = "gold_reader_blind2.jsonl"
READER_TYPES = {"factoid", "list", "definition", "why", "comparison", "paraphrase", "multi_hop", "notes_reference",
                "unanswerable", "paper_level", "followup", "table"}


@pytest.fixture(scope="module")
def blind2():
    return load_gold(paths.source_dir() / BLIND2)


def test_every_blind2_evidence_quote_is_an_exact_substring_of_the_source(blind2, paper_source):
    assert [(item.id, quote) for item in blind2 for quote in item.evidence if quote not in paper_source] == []


def test_blind2_ids_are_unique_across_every_gold_file(blind2):
    others = [item.id for path in sorted(paths.source_dir().glob("gold*.jsonl")) if path.name != BLIND2
              for item in load_gold(path)]
    assert not {item.id for item in blind2} & set(others)


def test_blind2_types_and_answerability_agree(blind2):
    for item in blind2:
        assert item.type in READER_TYPES, item.id
        assert (item.type == "unanswerable") == (item.answer == "" and item.evidence == ()), item.id


def test_blind2_follow_ups_resolve_to_the_question_just_before(blind2):
    position = {item.id: i for i, item in enumerate(blind2)}
    follow_ups = [item for item in blind2 if item.context is not None]
    assert {item.id for item in follow_ups} == {item.id for item in blind2 if item.type == "followup"}
    assert all(position[item.context] == position[item.id] - 1 for item in follow_ups)
    assert all(blind2[position[item.context]].type != "followup" for item in follow_ups)


def test_blind2_holds_the_promised_mix(blind2):
    counts = Counter(item.type for item in blind2)
    assert len(blind2) >= 100
    assert counts == {"paraphrase": 38, "unanswerable": 24, "paper_level": 11, "factoid": 10, "followup": 8,
                      "table": 5, "list": 5, "comparison": 5}
    assert counts["paraphrase"] * 3 >= len(blind2)  # about a third
    assert counts["table"] + counts["list"] >= 10


def test_blind2_is_report_only():
    assert BLIND2 in gold.REPORT_ONLY and gold.report_only(paths.source_dir() / BLIND2)
    assert BLIND2 not in (*gold.VALIDATION, *gold.FITTED_ON)


def test_the_fits_refuse_blind2(tmp_path, capsys):
    from assistant import fit_confidence, fit_ranker

    out = tmp_path / "fitted.json"
    assert fit_ranker.main(["--out", str(out), "--gold", str(paths.source_dir() / BLIND2)]) == 2
    assert "never fitted on" in capsys.readouterr().err and not out.exists()
    assert fit_confidence.main(["--out", str(out), "--gold", str(paths.source_dir() / BLIND2),
                                "--cache", str(tmp_path)]) == 1
    assert "never fitted on" in capsys.readouterr().err and not out.exists()


def test_no_blind2_question_is_one_the_shipped_models_were_fitted_on(blind2):
    """The files the fits read share no question with it (case- and punctuation-insensitive).

    Eight questions, written blind, match ones in the held-out reader set (c001, c006, c074, c094) and the
    first blind set (c006, c008, c078, c094) word for word; neither set is fitted on.
    """
    def norm(text):
        return "".join(ch for ch in text.lower() if ch.isalnum() or ch.isspace()).split()

    fitted = {tuple(norm(item.question)) for name in gold.FITTED_ON for item in load_gold(paths.source_dir() / name)}
    assert [item.id for item in blind2 if tuple(norm(item.question)) in fitted] == []
