"""The shipped gold sets: schema, exact evidence, unique ids, and the required mix of types."""

from collections import Counter

import pytest

from assistant import paths
from assistant.gold import default_heldout, load_gold

TYPES = {"factoid", "list", "definition", "why", "comparison", "paraphrase", "multi_hop", "notes_reference", "unanswerable"}
READER_TYPES = TYPES | {"paper_level", "followup", "table"}


@pytest.fixture(scope="module")
def dev():
    return load_gold(paths.default_gold())


@pytest.fixture(scope="module")
def heldout():
    return load_gold(default_heldout())


@pytest.fixture(scope="module")
def reader():
    return load_gold(paths.source_dir() / "gold_reader.jsonl")


@pytest.fixture(scope="module")
def reader_dev():
    """Reader-worded questions written for tuning (the reader set above stays held out)."""
    return load_gold(paths.source_dir() / "gold_reader_dev.jsonl")


@pytest.fixture(scope="module")
def reader_val():
    """The lead's validation questions: a check that dev gains carry over (never tuned on)."""
    return load_gold(paths.source_dir() / "gold_reader_val.jsonl")


def test_every_evidence_quote_is_an_exact_substring_of_the_source(dev, heldout, reader, reader_dev, reader_val, paper_source):
    items = dev + heldout + reader + reader_dev + reader_val
    missing = [(item.id, quote) for item in items for quote in item.evidence if quote not in paper_source]
    assert missing == []


def test_ids_are_unique_across_all_files(dev, heldout, reader, reader_dev, reader_val):
    ids = [item.id for item in dev + heldout + reader + reader_dev + reader_val]
    assert len(ids) == len(set(ids))


def test_types_and_unanswerable_consistency(dev, heldout):
    for item in dev + heldout:
        assert item.type in TYPES, item.id
        unanswerable = item.type == "unanswerable"
        assert unanswerable == (item.answer == "" and item.evidence == ()), item.id
        assert item.question.strip(), item.id


def test_reader_set_types_and_unanswerable_consistency(reader, reader_dev, reader_val):
    for item in reader + reader_dev + reader_val:
        assert item.type in READER_TYPES, item.id
        assert (item.type == "unanswerable") == (item.answer == "" and item.evidence == ()), item.id


@pytest.mark.parametrize("name", ["reader", "reader_val"])
def test_reader_follow_ups_name_an_earlier_question(name, request):
    items = request.getfixturevalue(name)
    position = {item.id: i for i, item in enumerate(items)}
    follow_ups = [item for item in items if item.context is not None]
    assert all(position[item.context] < position[item.id] for item in follow_ups)
    assert {item.id for item in follow_ups} == {item.id for item in items if item.type == "followup"}


@pytest.mark.parametrize("name, total, least", [
    ("dev", 80, {"paraphrase": 10, "multi_hop": 8, "notes_reference": 5, "unanswerable": 12}),
    ("reader", 100, {"paraphrase": 30, "paper_level": 10, "followup": 8, "table": 5, "list": 5, "unanswerable": 20}),
    ("reader_dev", 60, {"paraphrase": 20, "factoid": 10, "why": 8, "list": 8, "comparison": 3, "unanswerable": 12}),
])
def test_gold_sets_have_the_required_mix(name, total, least, request):
    items = request.getfixturevalue(name)
    counts = Counter(item.type for item in items)
    assert len(items) >= total
    assert {t: counts[t] for t in least} == {t: max(counts[t], n) for t, n in least.items()}


def test_multi_hop_questions_cite_two_places(dev, heldout, paper_source):
    for item in dev + heldout:
        if item.type == "multi_hop":
            starts = {paper_source.find(quote) for quote in item.evidence}
            assert len(starts) >= 2, item.id


def test_a_context_that_names_no_earlier_question_is_refused(tmp_path):
    from assistant.errors import InputError

    row = '{{"id": "{0}", "question": "And Russia?", "answer": "", "evidence": [], "type": "unanswerable"{1}}}'
    path = tmp_path / "gold.jsonl"
    path.write_text(row.format("a", ', "context": "b"') + "\n" + row.format("b", "") + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"line 1: context 'b' is not the id of an earlier question"):
        load_gold(path)
    path.write_text(row.format("b", "") + "\n" + row.format("a", ', "context": "b"') + "\n", encoding="utf-8")
    assert [item.context for item in load_gold(path)] == [None, "b"]
