"""The blind dev set, source/gold_reader_blind_dev.jsonl: reader-worded questions written blind, FITTED_ON.

Written the same way as the report-only blind sets: the 100 questions were committed (2ec69a8) from
the paper's title, source/metadata.json and the section headings only, before the paper body, the
README, the tests, the code or any other file under source/ was read. The answers and evidence were
added afterwards (1654368) with the questions' wording unchanged: 2 of the 22 provisional
unanswerables turned out answered (e030, e095; now factoid) and 7 questions expected answerable are
not answered by the paper (e028, e036, e046, e049, e075, e076, e084; now unanswerable). Six
questions were then dropped (80882d9: e001, e003, e004, e006, e012, e063), because they match
report-only questions word for word and this set is fitted on; 94 remain, ids keep their gaps. Unlike
the other blind sets this one is a dev set: fits and tuning may read it (gold.FITTED_ON). These tests
check that it loads, its exact size and mix, that every evidence quote is an exact substring of the
paper, that its ids are unique across every gold file, that each follow-up names an earlier question,
and that it shares no question with a report-only or validation set.
"""

from collections import Counter

import pytest

from assistant import gold, paths
from assistant.gold import load_gold

NAME = "gold_reader_blind_dev.jsonl"
READER_TYPES = {"factoid", "list", "definition", "why", "comparison", "paraphrase", "multi_hop", "notes_reference",
                "unanswerable", "paper_level", "followup", "table"}
SIZE = 94
# the mix the set ended up with (the 100 questions promised at least 30 paraphrase, 8 paper_level,
# 8 followup, 8 list or table and ~22 unanswerable; 2 paraphrases proved unanswered, and 2 paper_level,
# 3 followup and 1 factoid were dropped as duplicates of report-only questions)
MIX = {"paraphrase": 28, "unanswerable": 27, "paper_level": 6, "followup": 5, "factoid": 6, "list": 6,
       "comparison": 6, "definition": 4, "table": 4, "why": 2}


@pytest.fixture(scope="module")
def blind_dev():
    return load_gold(paths.source_dir() / NAME)


def test_blind_dev_holds_its_exact_size_and_mix(blind_dev):
    counts = Counter(item.type for item in blind_dev)
    assert len(blind_dev) == SIZE
    assert dict(counts) == MIX
    assert counts["list"] + counts["table"] >= 8


def test_every_blind_dev_evidence_quote_is_an_exact_substring_of_the_source(blind_dev, paper_source):
    assert [(item.id, quote) for item in blind_dev for quote in item.evidence if quote not in paper_source] == []


def test_blind_dev_types_and_answerability_agree(blind_dev):
    for item in blind_dev:
        assert item.type in READER_TYPES, item.id
        assert (item.type == "unanswerable") == (item.answer == "" and item.evidence == ()), item.id
        if item.type != "unanswerable":
            assert 1 <= len(item.evidence) <= 4, item.id


def test_blind_dev_ids_are_unique_across_every_gold_file(blind_dev):
    ids = [item.id for item in blind_dev]
    others = [item.id for path in sorted(paths.source_dir().glob("gold*.jsonl")) if path.name != NAME
              for item in load_gold(path)]
    assert len(ids) == len(set(ids))
    assert not set(ids) & set(others)


def test_blind_dev_follow_ups_name_an_earlier_question(blind_dev):
    position = {item.id: i for i, item in enumerate(blind_dev)}
    follow_ups = [item for item in blind_dev if item.context is not None]
    assert {item.id for item in follow_ups} == {item.id for item in blind_dev if item.type == "followup"}
    assert all(position[item.context] < position[item.id] for item in follow_ups)


def test_blind_dev_is_a_dev_set_that_fits_may_read():
    assert NAME in gold.FITTED_ON and NAME not in (*gold.REPORT_ONLY, *gold.VALIDATION)
    assert not gold.report_only(paths.source_dir() / NAME)


def test_blind_dev_shares_no_question_with_a_set_never_fitted_on(blind_dev):
    """Case- and punctuation-insensitive, as in test_gold_blind: fitting on this set must not see a
    report-only or validation question."""
    def norm(text):
        return tuple("".join(ch for ch in text.lower() if ch.isalnum() or ch.isspace()).split())

    held = {norm(item.question) for name in (*gold.REPORT_ONLY, *gold.VALIDATION)
            for item in load_gold(paths.source_dir() / name)}
    assert [item.id for item in blind_dev if norm(item.question) in held] == []
