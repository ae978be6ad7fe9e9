"""The shipped gold sets: schema, exact evidence, unique ids, and the required mix of types."""

from collections import Counter

import pytest

from assistant import paths
from assistant.evaluate import default_heldout, load_gold

TYPES = {"factoid", "list", "definition", "why", "comparison", "paraphrase", "multi_hop", "notes_reference", "unanswerable"}


@pytest.fixture(scope="module")
def dev():
    return load_gold(paths.default_gold())


@pytest.fixture(scope="module")
def heldout():
    return load_gold(default_heldout())


def test_every_evidence_quote_is_an_exact_substring_of_the_source(dev, heldout, paper_source):
    missing = [(item.id, quote) for item in dev + heldout for quote in item.evidence if quote not in paper_source]
    assert missing == []


def test_ids_are_unique_across_both_files(dev, heldout):
    ids = [item.id for item in dev + heldout]
    assert len(ids) == len(set(ids))


def test_types_and_unanswerable_consistency(dev, heldout):
    for item in dev + heldout:
        assert item.type in TYPES, item.id
        unanswerable = item.type == "unanswerable"
        assert unanswerable == (item.answer == "" and item.evidence == ()), item.id
        assert item.question.strip(), item.id


def test_dev_set_has_the_required_mix(dev):
    counts = Counter(item.type for item in dev)
    assert len(dev) >= 80
    assert counts["paraphrase"] >= 10
    assert counts["multi_hop"] >= 8
    assert counts["notes_reference"] >= 5
    assert counts["unanswerable"] >= 12


def test_multi_hop_questions_cite_two_places(dev, heldout, paper_source):
    for item in dev + heldout:
        if item.type == "multi_hop":
            starts = {paper_source.find(quote) for quote in item.evidence}
            assert len(starts) >= 2, item.id
