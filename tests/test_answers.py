"""Answers on the real paper, to questions written for these tests (none is from the gold sets).

Every test here uses the real model and the real index: marked slow.
"""

from __future__ import annotations

import pytest

from assistant.errors import InputError
from assistant.structure import display_text

pytestmark = pytest.mark.slow

LAVROV_LIST = [
    "According to Sergey Lavrov, Minister of Foreign Affairs of the Russia Federation, this type of cooperation has three main goals:",
    "1) Creation of de-escalation zones with compliance with the regime of military operations.",
    "2) Humanitarian assistance with return to peaceful life.",
    "3) Political dialogue and political negotiations.³⁶",
]
IRAN_ROLES = ["1) Acting as a balancing political force", "2) Its geopolitical posture", "3) Its influence among the Shiite"]

# (question, a fragment of the sentence that must be cited)
ANSWERABLE = [
    ("What kind of theory is defensive realism?", "Defensive realism is a structural theory"),
    ("What is the Al-Quds Force providing in Syria?", "Al-Quds Forces of the Islamic Revolutionary Guard Corps are currently providing"),
    ("What makes Russia a valuable partner in regional conflicts?", "which makes it a valuable partner"),
    (
        "What did relations with the Soviet Union do for Arab countries in the twentieth century?",
        "with the Soviet Union contributed to their development",
    ),
    ("What kind of Syrian state does Moscow support according to the Concept?", "secular, democratic, pluralistic state"),
    ("Which Iranian foreign policy concept is called Umm Al-Qur?", '"Mother of cities" (Umm Al-Qur)'),
    ("What happened on 30 September 2015?", "launched its first airstrikes"),
    ("For offensive realists, what does the security dilemma lead to?", "makes war inevitable and rational"),
    ("Where did Anastasia Goncharova get her master's degree?", "master's degree in Analytics of International Strategy"),
]

# Questions the current answer selection gets wrong (reported to the lead; see the reasons).
ANSWERABLE_MISSED = [
    pytest.param(
        "Which organisation is Aref Bijan a visiting scholar at?",
        "He is a visiting scholar at the Centre for Middle East Strategic Studies",
        marks=pytest.mark.xfail(reason="cites the first sentence of the bio, not the 'visiting scholar' one", strict=True),
    ),
    pytest.param(
        "In which year was the Russian foreign policy concept updated?",
        "Updated in 2016",
        marks=pytest.mark.xfail(reason="stops at the Concept's defining sentence, one before the answer", strict=True),
    ),
]

# Answerable questions on which the shipped abstention model abstains although the right
# sentences are selected (strict: a refit that answers them makes these fail until removed).
FALSE_ABSTENTIONS: dict[str, str] = {}  # none since the refit on the reader dev set (ea2d559)

UNANSWERABLE = [
    "What is the boiling point of water?",
    "Who painted the Mona Lisa?",
    "How tall is Mount Everest?",
    "Which football club won the Champions League in 2015?",
    "What is the recipe for borscht?",
]

# Unanswerable, but worded with the paper's own names and topics.
UNANSWERABLE_NEAR_TOPIC = [
    "What is the population of Tehran?",
    "Who is the president of France?",
    "Who was the US president in 2019?",
    "What was the price of oil in 2019?",
]


def check_citations(assistant, answer):
    """Every citation is an exact, correctly located slice of the paper."""
    doc = assistant.document
    chunks = {c.id: c for c in assistant.index.chunks}
    for n, citation in enumerate(answer.citations, start=1):
        assert citation.n == n
        assert doc.source[citation.start : citation.end] == citation.text
        chunk = chunks[citation.chunk_id]  # the chunk of the citation's first sentence
        assert chunk.start <= citation.start < chunk.end
        assert doc.sections[chunk.section].title == citation.section
        owner = next(p for p in doc.paragraphs if p.start <= citation.start < p.end)
        assert owner.number == citation.paragraph and doc.sections[owner.section].title == citation.section
        for note in citation.notes:
            assert doc.note(note.number).text == note.text
    for rank, passage in enumerate(answer.passages, start=1):
        assert passage.rank == rank
        assert doc.source[passage.start : passage.end] == passage.text
        assert chunks[passage.chunk_id].start == passage.start
    scores = [p.score for p in answer.passages]
    assert scores == sorted(scores, reverse=True)


def selected_texts(assistant, answer) -> list[str]:
    """The sentences the answer is made of (kept even when the assistant abstains)."""
    return [assistant.document.sentences[i].text for i in answer.sentence_ids]


@pytest.mark.parametrize("question, fragment", ANSWERABLE + ANSWERABLE_MISSED)
def test_expected_sentence_is_selected(paper_assistant, question, fragment):
    answer = paper_assistant.ask(question)
    assert any(fragment in display_text(t) for t in selected_texts(paper_assistant, answer)), answer.sentence_ids


@pytest.mark.parametrize("question, fragment", [
    pytest.param(q, f, marks=pytest.mark.xfail(reason=FALSE_ABSTENTIONS[q], strict=True)) if q in FALSE_ABSTENTIONS
    else (q, f)
    for q, f in ANSWERABLE
] + ANSWERABLE_MISSED)
def test_expected_sentence_is_cited(paper_assistant, question, fragment):
    answer = paper_assistant.ask(question)
    assert not answer.abstained, f"abstained (confidence {answer.confidence})"
    assert any(fragment in display_text(c.text) for c in answer.citations), answer.answer
    check_citations(paper_assistant, answer)
    assert len(answer.passages) == 10


def test_answer_is_the_cited_sentences(paper_assistant):
    answer = paper_assistant.ask("What kind of theory is defensive realism?")
    cited = [display_text(c.text) for c in answer.citations]
    assert 1 <= len(cited) <= 3
    assert answer.answer == " ".join(cited)
    assert 0.5 <= answer.confidence <= 1.0


def test_a_run_of_sentences_is_one_citation(paper_assistant):
    """Sentences that follow one another in a paragraph are cited once, as one exact slice."""
    answer = paper_assistant.ask("What interests does Moscow share with Tehran?")
    check_citations(paper_assistant, answer)
    (run,) = [c for c in answer.citations if "Moscow shares several interests" in c.text]
    assert "Both oppose American influence" in run.text and "Both fear Sunni jihadists" in run.text
    doc = paper_assistant.document
    for a, b in zip(answer.citations, answer.citations[1:]):  # no two citations that could be one
        assert not (a.paragraph == b.paragraph and a.section == b.section and not doc.source[a.end : b.start].strip())


def test_a_sentence_split_by_a_page_break_is_cited_whole(paper_assistant):
    answer = paper_assistant.ask("Which Saudi king came to Moscow in October 2017?")
    whole = "In October 2017, there was a remarkable visit of Salman bin Abdul-Aziz Al Saud, King of Saudi Arabia to Moscow."
    assert any(whole in display_text(c.text) for c in answer.citations), answer.answer
    check_citations(paper_assistant, answer)


RUSSIA_COLUMN = "Becoming a guarantor of peace"
IRAN_COLUMN = "Support of a chain of Shi'a states"


def test_a_table_column_answers_the_entity_it_names(paper_assistant):
    for question, own, other in [("What are Russia's goals?", RUSSIA_COLUMN, IRAN_COLUMN),
                                 ("What are Iran's goals?", IRAN_COLUMN, RUSSIA_COLUMN)]:
        answer = paper_assistant.ask(question)
        assert not answer.abstained
        assert answer.citations[0].text == "Table 1. Main goals of Russia and Iran in the Middle East."
        assert own in answer.answer and other not in answer.answer, question
        check_citations(paper_assistant, answer)


def test_follow_up_on_the_table_swaps_the_column(paper_assistant):
    from assistant.followup import contextualize

    previous = "What are Iran's goals?"
    follow = paper_assistant.ask("And what about Russia?", context=contextualize("And what about Russia?", previous))
    assert RUSSIA_COLUMN in follow.answer and IRAN_COLUMN not in follow.answer


ENUMERATION_QUESTIONS = [
    "Which three goals did Lavrov name for the cooperation format?",
    "What tasks does the foreign minister assign to the tripartite format?",
]


# Since the e5 channel (retrieval.with_second) a sentence on the format itself ("This tripartite interaction
# format proves its effectiveness.") leads the reworded question's answer, the list whole after it.
LEADS_THE_LIST = {"What tasks does the foreign minister assign to the tripartite format?": 1}


def _the_list_whole(texts: list[str], question: str) -> list[str]:
    """The answer's sentences from the list's introduction on (what leads it: LEADS_THE_LIST)."""
    return texts[LEADS_THE_LIST.get(question, 0):]


@pytest.mark.parametrize("question", ENUMERATION_QUESTIONS)
def test_enumeration_selects_the_whole_list(paper_assistant, question):
    answer = paper_assistant.ask(question)
    texts = selected_texts(paper_assistant, answer)
    assert _the_list_whole(texts, question) == LAVROV_LIST and len(texts) <= len(LAVROV_LIST) + 1


@pytest.mark.parametrize("question", [
    pytest.param(q, marks=pytest.mark.xfail(reason=FALSE_ABSTENTIONS[q], strict=True)) if q in FALSE_ABSTENTIONS else q
    for q in ENUMERATION_QUESTIONS
])
def test_enumeration_returns_the_whole_list(paper_assistant, question):
    answer = paper_assistant.ask(question)
    assert not answer.abstained, f"abstained (confidence {answer.confidence})"
    assert _the_list_whole([c.text for c in answer.citations], question) == LAVROV_LIST
    check_citations(paper_assistant, answer)
    for item in LAVROV_LIST[1:]:
        assert display_text(item) in answer.answer


@pytest.mark.parametrize("question, items", [
    ("What interests does Moscow share with Tehran?",
     ["Both oppose American influence", "Both fear their internal democratic opponents", "Both fear Sunni jihadists"]),
    ("What irritants have troubled Russian-Iranian relations in the post-Soviet era?",
     ["These include their inability to agree on how to divide the Caspian Sea"]),
])
def test_announcing_sentence_brings_its_items(paper_assistant, question, items):
    answer = paper_assistant.ask(question)
    assert not answer.abstained
    for item in items:
        assert item in answer.answer
    check_citations(paper_assistant, answer)


def test_enumeration_of_iran_roles(paper_assistant):
    answer = paper_assistant.ask("In what ways is Iran newly important for Middle Eastern politics?")
    texts = [c.text for c in answer.citations]
    assert [any(t.startswith(item) for t in texts) for item in IRAN_ROLES] == [True, True, True]
    starts = [c.start for c in answer.citations]
    assert starts == sorted(starts)
    assert texts[0].endswith("include:")


def test_list_item_cites_its_note(paper_assistant):
    answer = paper_assistant.ask("Which three goals did Lavrov name for the cooperation format?")
    notes = {c.text: [(n.number, n.text) for n in c.notes] for c in answer.citations}
    last = notes[LAVROV_LIST[-1]]
    assert [number for number, _ in last] == [36]
    assert last[0][1].startswith("Sergy Lavrov. 2018. Astana format")
    assert all(not notes[text] for text in LAVROV_LIST[:-1])


def test_ibid_note_brings_its_referent(paper_assistant):
    answer = paper_assistant.ask("What kind of Syrian state does Moscow support according to the Concept?")
    citation = next(c for c in answer.citations if "pluralistic state" in c.text)
    assert [n.number for n in citation.notes] == [25, 24]
    assert citation.notes[0].text.startswith("Ibid")
    assert citation.notes[1].text.startswith("Foreign policy concept of the Russian Federation. 2016")


def test_plain_marker_note(paper_assistant):
    answer = paper_assistant.ask("What makes Russia a valuable partner in regional conflicts?")
    citation = next(c for c in answer.citations if "valuable partner" in c.text)
    assert [n.number for n in citation.notes] == [29]
    assert citation.notes[0].text.startswith("Christian Makarian. 2018.")


@pytest.mark.parametrize("question", UNANSWERABLE + UNANSWERABLE_NEAR_TOPIC)
def test_unanswerable_questions_abstain(paper_assistant, question):
    answer = paper_assistant.ask(question)
    assert answer.abstained, f"answered with confidence {answer.confidence}: {answer.answer[:120]}"
    assert answer.answer == "" and answer.citations == ()
    assert len(answer.passages) == 10  # the closest passages are still offered
    check_citations(paper_assistant, answer)


def test_follow_up_uses_context(paper_assistant):
    bare = paper_assistant.ask("What are they?")
    followed = paper_assistant.ask("What are they?", context="Which three goals did Lavrov name for the cooperation format?")
    assert [c.text for c in followed.citations] == LAVROV_LIST
    assert [c.text for c in bare.citations] != LAVROV_LIST


def test_answers_are_deterministic(paper_assistant):
    question = "What makes Russia a valuable partner in regional conflicts?"
    assert paper_assistant.ask(question) == paper_assistant.ask(question)


@pytest.mark.parametrize("k", [1, 3, 25])
def test_k_passages(paper_assistant, k):
    answer = paper_assistant.ask("What did Russia do in Syria?", k=k)
    assert len(answer.passages) == k
    assert len({p.chunk_id for p in answer.passages}) == k


@pytest.mark.parametrize("mode", ["bm25", "dense"])
def test_baseline_modes_cite_exact_slices(paper_assistant, mode):
    answer = paper_assistant.ask("What kind of theory is defensive realism?", mode=mode)
    assert "Defensive realism is a structural theory" in answer.answer
    doc = paper_assistant.document
    for c in answer.citations:
        assert doc.source[c.start : c.end] == c.text
    for p in answer.passages:
        assert doc.source[p.start : p.end] == p.text


@pytest.mark.parametrize("question", ["", "   ", "\x1b[31m\x1b[0m", "\n\t"])
def test_empty_questions_are_refused(paper_assistant, question):
    with pytest.raises(InputError, match="empty"):
        paper_assistant.ask(question)


def test_oversized_question_is_refused(paper_assistant):
    with pytest.raises(InputError, match="characters long"):
        paper_assistant.ask("why " * 1000)


def test_unknown_mode_is_refused(paper_assistant):
    with pytest.raises(InputError, match="unknown mode"):
        paper_assistant.ask("What is realism?", mode="magic")


def test_control_characters_are_cleaned(paper_assistant):
    answer = paper_assistant.ask("What kind of theory\x1b[2J is\x07 defensive realism?")
    assert answer.question == "What kind of theory is defensive realism?"
    assert "Defensive realism is a structural theory" in answer.answer


def test_timings(paper_assistant):
    answer = paper_assistant.ask("What kind of theory is defensive realism?")
    assert {"embed", "total"} <= set(answer.timings_ms)
    assert 0 < answer.timings_ms["total"] < 2000

