"""The answer's lead fits the question (answer.fitting_lead): the state asked about, a cause for "why"."""

from __future__ import annotations

import numpy as np
import pytest

from assistant import answer, entities
from assistant.structure import display_text, parse

DOC = """\
# Two Powers

## Interests

Meanwhile, Syria's port is very important to Russia, as it gives the navy a base. Russia trades with Turkey.

For Iran, Syria is a bridge to its allies in Lebanon. Iran ships arms through it.

Thus, it keeps good relations with Turkey and Iran. Russia talks to everyone.

Iran sent advisers in 2013. This can be explained by fear of losing its only ally.
"""


@pytest.fixture(scope="module")
def doc():
    return parse(DOC, markdown=True)


def sid(doc, opening: str) -> int:
    return next(s.id for s in doc.sentences if display_text(s.text).startswith(opening))


def lead(doc, chosen: list[int], scores: dict[int, float], question: str, peers=frozenset({"iran", "russia"})) -> str:
    order = np.full(len(doc.sentences), -1.0)
    for i, v in scores.items():
        order[i] = v
    ordered = answer.answer_order(doc, chosen, answer.fitting_lead(doc, chosen, order, question, peers))
    return display_text(doc.sentences[ordered[0]].text)


def test_a_lead_about_the_other_state_gives_way_to_one_about_the_state_asked(doc):
    russia, iran = sid(doc, "Meanwhile"), sid(doc, "For Iran")
    chosen, scores = [russia, iran], {russia: 0.9, iran: 0.6}
    assert lead(doc, chosen, scores, "Why is Syria important to Iran?").startswith("For Iran")
    assert lead(doc, chosen, scores, "Why is Syria important to Russia?").startswith("Meanwhile")  # it fits
    assert lead(doc, chosen, scores, "Why is Syria important to Iran and Russia?").startswith("Meanwhile")  # both asked
    assert lead(doc, chosen, scores, "Why is Syria important to Iran?", peers=frozenset()).startswith("Meanwhile")


def test_a_lead_opening_with_a_pronoun_may_stand_for_the_state_asked(doc):
    pronoun, iran = sid(doc, "Thus, it keeps"), sid(doc, "For Iran")
    assert lead(doc, [pronoun, iran], {pronoun: 0.9, iran: 0.5}, "Which states does Russia court?").startswith("Thus, it")


def test_a_why_question_leads_with_the_run_stating_a_cause(doc):
    russia, cause = sid(doc, "Meanwhile"), sid(doc, "Iran sent advisers")
    chosen = [russia, cause, cause + 1]
    scores = {russia: 0.9, cause: 0.5, cause + 1: 0.4}
    assert lead(doc, chosen, scores, "Why did advisers go to Syria?").startswith("Iran sent advisers")
    assert lead(doc, chosen, scores, "When did advisers go to Syria?").startswith("Meanwhile")  # not a why question


def test_the_peers_are_the_two_states_a_paper_names_most(doc):
    texts = [display_text(s.text) for s in doc.sentences]
    names = entities.document_names(texts, np.array([s.paragraph for s in doc.sentences]))
    assert answer.peer_states(names) == {"iran", "russia"}
    assert answer.peer_states(names, share=0.9) == frozenset()  # neither is named that often


LIST_DOC = """\
# Caching

## Contributions

Our contributions are:

- An analysis that finds which updates invalidate which cached queries.
- A compiler pass that inserts the caches soundly.
- Benchmarks showing that throughput improves by factors of two or more.
"""


def test_a_how_much_question_answered_by_one_list_item_quotes_that_item():
    doc = parse(LIST_DOC, markdown=True)
    item = sid(doc, "Benchmarks showing")
    scores = np.zeros(len(doc.sentences))
    scores[item] = 1.0
    mask = np.ones(len(doc.sentences), dtype=bool)
    quoted = lambda q: [display_text(doc.sentences[i].text) for i in answer.select_sentences(doc, scores, mask, q).sentence_ids]
    assert quoted("By how much does throughput improve?") == ["Our contributions are:", display_text(doc.sentences[item].text)]
    assert len(quoted("What are the contributions?")) == 4  # the whole list
    first = sid(doc, "An analysis")
    scores[:] = 0.0
    scores[first] = 1.0
    assert len(quoted("How many contributions are there?")) == 4  # the item states no quantity: the list
