"""Answer shape on small hand-made documents (hashing encoder, fast): one citation per run of
adjacent sentences, a table answered as its caption plus the column the question names, and a
follow-up that swaps the entity getting the other column."""

from __future__ import annotations

import dataclasses
import json
import os

import numpy as np
import pytest

from assistant import answer as extract
from assistant.followup import contextualize
from assistant.structure import display_text, parse, table_caption, table_columns

PROSE = """Harbours

The old harbour silted up in the eighteenth century. Ships then moved to the new quay. The quay still stands today.

Trade in grain declined after 1850.
"""

TABLE_DOC = """Two coastal states

Goals

Both states pursue ambitious aims at sea, and both send diplomats to many capitals.

Table 1. Main goals of Chile and Peru in the Pacific. Compiled by the authors. Chile Copper exports to Asia; Fresh fruit markets; A naval presence in the south Peru Gold mining abroad; Fishmeal markets; Access to Asian ports

The two lists overlap in their search for markets.
"""


def sentence_id(doc, fragment: str) -> int:
    return next(s.id for s in doc.sentences if fragment in s.text)


def chunks_of(doc):
    from assistant.chunking import chunk_document

    return chunk_document(doc, lambda text: len(text.split())).chunks


def test_adjacent_sentences_are_one_citation_covering_them():
    doc = parse(PROSE)
    first, second, third = (sentence_id(doc, f) for f in ("old harbour", "new quay", "still stands"))
    grain = sentence_id(doc, "grain declined")
    cites = extract.citations(doc, chunks_of(doc), (first, second, grain))
    assert [c.n for c in cites] == [1, 2]
    run, alone = cites
    assert (run.start, run.end) == (doc.sentences[first].start, doc.sentences[second].end)
    assert run.text == doc.source[run.start : run.end]
    assert display_text(run.text) == extract.answer_text(doc, (first, second))
    assert alone.text == doc.sentences[grain].text
    assert len(extract.citations(doc, chunks_of(doc), (first, third))) == 2  # a gap: two citations


BROKEN = """Two coastal states

Goals

Both states pursue aims at sea. There has been concern in Lima that Chile could shift to a trade track, pushing for a deal at a

Table 1. Main goals of Chile and Peru in the Pacific. Compiled by the authors. Chile Copper exports; Fruit markets Peru Gold mining

when point the fleet was not yet ready. The two lists overlap in their search for markets. ¹⁰

Notes

¹⁰ Smith, Harbours, 1990
"""


def test_a_quote_cut_by_a_table_is_marked_where_it_breaks_and_keeps_its_exact_slice():
    from rich.console import Console

    from assistant.records import Answer
    from assistant.render import answer_json, answer_renderable
    from assistant.transcript import Turn, answer_markdown, answer_plain

    doc = parse(BROKEN)
    cut, tail, whole = (sentence_id(doc, f) for f in ("pushing for a deal", "when point", "lists overlap"))
    first, second = extract.citations(doc, chunks_of(doc), (cut, tail, whole))
    assert (first.cut_start, first.cut_end) == (False, True)
    assert (second.cut_start, second.cut_end) == (True, False)  # "when point ..." is the tail of a broken sentence
    assert first.text == doc.source[first.start : first.end]
    (note,) = extract.citations(doc, chunks_of(doc), (sentence_id(doc, "Smith"),))
    assert not (note.cut_start or note.cut_end)  # a reference ends as it likes
    (caption,) = extract.citations(doc, chunks_of(doc), (sentence_id(doc, "Chile Copper"),))
    assert not caption.cut_end  # nor does a table cell

    answer = Answer("Was Lima worried?", "", False, 0.8, (first, second), ())
    console = Console(no_color=True, width=400, record=True, file=open(os.devnull, "w"))
    console.print(answer_renderable(answer))
    shown = console.export_text()
    assert "pushing for a deal at a … [1] … when point" in shown
    assert "at a … [\\[1\\]]" in answer_markdown(answer, doc.source)
    assert "at a … [1] … when point" in answer_plain(Turn(answer.question, None, answer), doc.source)
    record = answer_json(answer)["citations"]
    assert [(c["cut_start"], c["cut_end"]) for c in record] == [(False, True), (True, False)]
    assert record[0]["text"] == doc.source[first.start : first.end]  # the slice is never changed
    text = extract.shown_text(doc, (cut, tail, whole))  # --json's "answer" marks the cuts as the citations do
    assert "pushing for a deal at a … … when point the fleet was not yet ready. The two lists overlap" in text
    assert extract.answer_text(doc, (cut,)) + " …" == extract.shown_text(doc, (cut,))
    assert "…" not in extract.answer_text(doc, (cut, tail, whole))  # what the models read is unchanged


def test_a_run_gathers_the_notes_of_its_sentences():
    source = ("Ports\n\nThe harbour silted up.¹ Ships moved to the quay.² The quay stands.\n\nNotes\n\n"
              "¹ Smith, Harbours, 1990.\n\n² Jones, Quays, 2001.\n")
    doc = parse(source)
    ids = tuple(sentence_id(doc, f) for f in ("silted", "Ships moved", "quay stands"))
    (citation,) = extract.citations(doc, chunks_of(doc), ids)
    assert [n.number for n in citation.notes] == [1, 2]


def test_table_caption_and_columns():
    doc = parse(TABLE_DOC)
    peru = sentence_id(doc, "Peru Gold")
    caption = table_caption(doc, peru)
    assert doc.sentences[caption].text == "Table 1. Main goals of Chile and Peru in the Pacific."
    assert set(table_columns(doc, caption)) == {"Chile", "Peru"}
    assert table_caption(doc, sentence_id(doc, "overlap")) is None


@pytest.mark.parametrize("question, columns", [
    ("What are Peru's goals?", ["Peru"]),
    ("Which goals does the Chilean state pursue?", ["Chile"]),
    ("What are the goals of Chile and Peru?", ["Chile", "Peru"]),
    ("What are the main goals at sea?", ["Chile", "Peru"]),
])
def test_a_table_answers_with_its_caption_and_the_named_column(question, columns):
    doc = parse(TABLE_DOC)
    caption = sentence_id(doc, "Table 1.")
    scores = np.zeros(len(doc.sentences))
    scores[caption] = 1.0  # the caption scores best
    mask = np.ones(len(doc.sentences), dtype=bool)
    selection = extract.select_sentences(doc, scores, mask, question)
    expected = [caption] + [sid for column in columns for sid in table_columns(doc, caption)[column]]
    assert list(selection.sentence_ids) == sorted(expected)


@pytest.mark.parametrize("question, columns", [
    ("What do Peru's diplomats pursue?", ["Peru"]),  # one column named: it follows its caption
    ("What do diplomats pursue?", []),  # none named: the caption alone answers nothing and stays out
    ("What do Chile and Peru pursue?", []),  # nor when both are
])
def test_a_caption_joining_another_sentence_brings_the_named_column_or_stays_out(question, columns):
    doc = parse(TABLE_DOC)
    best, caption = sentence_id(doc, "Both states pursue"), sentence_id(doc, "Table 1.")
    scores = np.zeros(len(doc.sentences))
    scores[best], scores[caption] = 1.0, 0.99  # the caption scores nearly as well as the best sentence
    selection = extract.select_sentences(doc, scores, np.ones(len(doc.sentences), dtype=bool), question)
    cells = [sid for column in columns for sid in table_columns(doc, caption)[column]]
    assert list(selection.sentence_ids) == [best, *([caption, *cells] if columns else [])]


CAPITALS_DOC = TABLE_DOC.replace("Chile", "Russia").replace("Peru", "Iran")


@pytest.mark.parametrize("question, column", [("Which aims are listed for Moscow?", "Russia"),
                                              ("What does Tehran seek?", "Iran"), ("And the Kremlin?", "Russia")])
def test_a_capital_names_its_states_column(question, column):
    doc = parse(CAPITALS_DOC)
    caption = sentence_id(doc, "Table 1.")
    scores = np.zeros(len(doc.sentences))
    scores[caption] = 1.0
    selection = extract.select_sentences(doc, scores, np.ones(len(doc.sentences), dtype=bool), question)
    assert list(selection.sentence_ids) == sorted([caption, *table_columns(doc, caption)[column]])


def test_a_cell_of_the_other_column_gives_way_to_the_named_one():
    doc = parse(TABLE_DOC)
    scores = np.zeros(len(doc.sentences))
    scores[sentence_id(doc, "Chile Copper")] = 1.0
    mask = np.ones(len(doc.sentences), dtype=bool)
    chosen = extract.select_sentences(doc, scores, mask, "And Peru?").sentence_ids
    texts = [doc.sentences[i].text for i in chosen]
    assert any(t.startswith("Peru Gold") for t in texts) and not any(t.startswith("Chile") for t in texts)


@pytest.fixture(scope="module")
def coastal(tmp_path_factory):
    from conftest import FakeEncoder

    from assistant.engine import Assistant
    from assistant.index import build_index, load_index

    root = tmp_path_factory.mktemp("shape")
    (root / "doc.md").write_text(TABLE_DOC, encoding="utf-8")
    build_index(root / "doc.md", root / "index", encoder=FakeEncoder())
    return Assistant.open(load_index(root / "index"), encoder=FakeEncoder())


def test_follow_up_swaps_the_table_column(coastal):
    doc = coastal.document
    first = coastal.ask("What are Peru's main goals in the Pacific?")
    texts = [doc.sentences[i].text for i in first.sentence_ids]
    assert any(t.startswith("Peru Gold") for t in texts) and not any(t.startswith("Chile") for t in texts)
    question = "And what about Chile?"
    follow = coastal.ask(question, context=contextualize(question, "What are Peru's main goals in the Pacific?"))
    texts = [doc.sentences[i].text for i in follow.sentence_ids]
    assert any(t.startswith("Chile Copper") for t in texts) and not any(t.startswith("Peru") for t in texts)
    assert texts[0].startswith("Table 1.")


# -- which sentences join the best one (hand-set scores, so each rule is exercised alone) ---------

SHAPE_DOC = """Mills

Tidal mills ground grain for the coastal towns of the region in the early modern period. The millers paid their rent in flour to the parish each autumn. The ponds filled at high tide behind a sluice gate.

Windmills spread inland at the same time.
"""


def shape_scores(doc, values: dict[str, float]):
    scores = np.zeros(len(doc.sentences))
    for fragment, value in values.items():
        scores[sentence_id(doc, fragment)] = value
    return scores, np.ones(len(doc.sentences), dtype=bool)


def chosen_texts(doc, question, values):
    scores, mask = shape_scores(doc, values)
    return [doc.sentences[i].text.split()[0] for i in extract.select_sentences(doc, scores, mask, question).sentence_ids]


def test_a_sentence_elsewhere_joins_only_when_it_adds_what_the_question_asks():
    doc = parse(SHAPE_DOC)
    values = {"Tidal mills": 1.0, "Windmills spread": 0.87}
    assert chosen_texts(doc, "Where did tidal mills grind grain, and which mills spread inland?", values) == ["Tidal", "Windmills"]
    assert chosen_texts(doc, "Where did tidal mills grind grain for coastal towns?", values) == ["Tidal"]


def test_a_neighbour_joins_on_its_score():
    doc = parse(SHAPE_DOC)
    question = "Where did tidal mills grind grain for coastal towns?"
    assert chosen_texts(doc, question, {"Tidal mills": 1.0, "millers paid": 0.8}) == ["Tidal", "The"]
    assert chosen_texts(doc, question, {"Tidal mills": 1.0, "millers paid": 0.7}) == ["Tidal"]


def test_a_near_tie_joins_whatever_it_adds():
    doc = parse(SHAPE_DOC)
    values = {"Tidal mills": 1.0, "Windmills spread": 0.95}
    assert chosen_texts(doc, "Where did tidal mills grind grain for coastal towns?", values) == ["Tidal", "Windmills"]


def test_the_answer_leads_with_the_best_sentence():
    doc = parse(SHAPE_DOC)
    values = {"Tidal mills": 0.9, "Windmills spread": 1.0}
    assert chosen_texts(doc, "Which mills spread inland, and which ground grain for towns?", values) == ["Windmills", "Tidal"]


def test_the_settings_bound_what_joins():
    doc = parse(SHAPE_DOC)
    scores, mask = shape_scores(doc, {"Tidal mills": 1.0, "millers paid": 0.8})
    question = "Where did tidal mills grind grain, and how was rent paid?"
    assert len(extract.select_sentences(doc, scores, mask, question).sentence_ids) == 2
    strict = extract.ShapeSettings(near=0.9)
    assert len(extract.select_sentences(doc, scores, mask, question, settings=strict).sentence_ids) == 1
    demanding = extract.ShapeSettings(new_terms_near=0.5)  # rent and paid are not half of the question's weight
    assert len(extract.select_sentences(doc, scores, mask, "Where did tidal mills grind grain?", settings=demanding).sentence_ids) == 1


def test_the_note_a_chosen_sentence_cites_joins_a_source_question():
    source = ("Ports\n\nThe harbour silted up after the great storm.¹ Ships moved to the new quay.\n\nNotes\n\n"
              "¹ Smith, J. 1990. A History of Harbours. London.\n\n² Jones, K. 2001. Quays. Leeds.\n")
    doc = parse(source)
    values = {"harbour silted": 1.0, "Smith, J.": 0.86, "Jones, K.": 0.86}
    assert chosen_texts(doc, "Which work is cited about the harbour silting up after the storm?", values) == ["The", "Smith,"]


def test_a_sentence_opening_with_a_contrast_brings_the_one_it_leans_on():
    doc = parse("Mills\n\nTidal mills ground grain for the towns. However, the ponds silted up within a century.\n")
    values = {"However": 1.0, "Tidal mills": 0.72}
    assert chosen_texts(doc, "What happened to the ponds?", values) == ["Tidal", "However,"]
    doc = parse("Mills\n\nTidal mills ground grain for the towns. The ponds silted up within a century.\n")
    assert chosen_texts(doc, "What happened to the ponds?", {"The ponds": 1.0, "Tidal mills": 0.72}) == ["The"]


@pytest.mark.parametrize("lead, brings", [
    ("It has the same role between the harbour and the islands.", True),
    ("Thus, they keep good relations with every harbour along the coast of the northern sea.", True),
    ("These relations cannot be considered very friendly, especially where the fleets meet.", True),
    ("It is difficult to say how long the mills will stand against the tides of the coast.", False),  # an "it" for nothing
    ("This paper counts the mills that stood along the coast of the northern sea in 1850.", False),  # the work itself
    ("The mills acted as a go-between for the two ports and the islands.", False),
    ("This sort of go-between for the two ports paid the mills well.", False),  # the noun's complement names its referent
])
def test_a_lead_whose_subject_points_back_brings_the_sentence_it_points_at(lead, brings):
    doc = parse(f"Mills\n\nIn this case, the mills act as a go-between. {lead}\n\nTrade grew slowly.\n")
    texts = chosen_texts(doc, "What role do the mills play?", {lead[:12]: 1.0})
    assert texts == (["In", lead.split()[0]] if brings else [lead.split()[0]])


@pytest.mark.parametrize("after, joins", [
    ("It has the same role between the two ports.", True),  # goes on about what the lead names
    ("Its primary task is to keep the ports supplied.", True),
    ("Trade between the ports grew slowly.", False),  # a sentence of its own
    ("It has the same role between the two ports, " + "and more " * 20 + "besides.", False),  # over 40 words
])
def test_the_sentence_that_goes_on_about_the_lead_joins_it(after, joins):
    """answer.continuation: the sentence right after the lead, in its paragraph, that opens by pointing back at it."""
    doc = parse(f"Mills\n\nThe mills were built early. In this case, the mills act as a go-between. {after}\n\nFish goes north.\n")
    scores, mask = shape_scores(doc, {"In this case": 1.0})
    off = extract.ShapeSettings(continues=False)
    chosen = extract.select_sentences(doc, scores, mask, "What role do the mills play?").sentence_ids
    assert [doc.sentences[i].text.split()[0] for i in chosen] == (["In", after.split()[0]] if joins else ["In"])
    assert chosen_texts(doc, "What role do the mills play?", {"In this case": 1.0})[0] == "In"
    assert [doc.sentences[i].text.split()[0] for i in
            extract.select_sentences(doc, scores, mask, "What role do the mills play?", settings=off).sentence_ids] == ["In"]


@pytest.mark.parametrize("question, brings", [
    ("What problems come from grinding grain by hand?", True),  # "these problems" is what is asked
    ("Why did the millers use water wheels?", False),
    ("What pains came from grinding grain by hand?", False),  # "these pains": the sentence before names none
])
def test_a_lead_pointing_back_at_what_is_asked_brings_the_sentence_it_points_at(question, brings):
    lead = "Water wheels remedied these problems and these pains, and the millers could grind far more grain in a day."
    doc = parse(f"Mills\n\nGrinding grain by hand caused many problems, including sore backs and slow work. {lead}\n\nTrade grew.\n")
    texts = chosen_texts(doc, question, {"Water wheels": 1.0})
    assert texts == (["Grinding", "Water"] if brings else ["Water"])


@pytest.mark.parametrize("paragraph, items", [
    ("The two ports share several interests. Both oppose foreign fleets. Both fear unrest.", ["Both", "Both"]),
    ("Three ports trade with the islands. Fish goes north. Salt goes south. Wool stays.", ["Fish", "Salt", "Wool"]),
])
def test_an_announcing_sentence_brings_its_items(paragraph, items):
    doc = parse(f"Partners\n\n{paragraph}\n\nTrade grew slowly.\n")
    values = {paragraph.split(".")[0]: 1.0}
    assert chosen_texts(doc, "What do they share?", values)[1:] == items


@pytest.mark.parametrize("paragraph", [
    "The goal of the two ports now is to keep their trade. Both oppose foreign fleets. Both fear unrest.",  # definite
    "Trade reached the islands, with several fishing boats sailing north. Fish goes north. Salt goes south.",
    "The mills were busy in many coastal towns. Fish goes north. Salt goes south.",  # only where it happened
    "The guild sets the price of many goods of the region. Fish goes north. Salt goes south.",
    "Some millers paid the rent late. Fish goes north. Salt goes south.",  # "some" counts nothing out
    "The main objective in trade is profit. Fish goes north. Salt goes south.",  # "is" is no plural noun
])
def test_a_sentence_naming_a_number_of_things_in_passing_brings_nothing(paragraph):
    """A count or a quantifier announces the items that follow only where the sentence is about them: not the
    definite "the two ports", nor one inside a phrase that only places or accompanies what it says."""
    doc = parse(f"Partners\n\n{paragraph}\n\nTrade grew slowly.\n")
    assert chosen_texts(doc, "What do they share?", {paragraph.split(".")[0]: 1.0}) == [paragraph.split()[0]]


@pytest.mark.parametrize("sentence, announced", [
    ("Moscow shares several interests with Tehran.", "several interests"),
    ("The two ports share several interests.", "several interests"),  # the definite "two ports" is passed over
    ("Upon infection, the disease presents itself in two phases.", "two phases"),  # parts of a whole, wherever they stand
    ("The approach consists of three parts.", "three parts"),
    ("This approach suffers from three shortcomings.", "three shortcomings"),
    ("It was fought in the two phases of the war.", None),
    ("Iran reached Iraq, with several Iranian troops fighting.", None),
    ("Relations of many countries of the region grew.", None),
    ("The treatment is limited in certain ways.", "certain ways"),  # a vague quantifier announces parts of a whole
    ("Some researchers agree with this view.", None),  # ... and nothing else
    ("The main design principles of the protocol are the following.", "the following."),
])
def test_where_a_sentence_announces_items(sentence, announced):
    found = extract.announcement(sentence)
    assert (found.group(0) if found else None) == announced


@pytest.mark.parametrize("question, asks", [
    ("Why did the mills close?", True), ("What kept the millers from paying?", True),
    ("What is the reason for the rent?", True), ("How come the ponds silted up?", True),
    ("What did the millers pay?", False), ("When did the mills close?", False),
])
def test_a_question_asks_for_a_reason(question, asks):
    assert extract.asks_reason(question) is asks


@pytest.mark.parametrize("sentence, states", [
    ("The mills closed because the ponds silted up.", True), ("This was due to the tides.", True),
    ("Since the ponds were shallow, the wheels stopped.", True), ("First, this is explained by the tides.", True),
    ("Since 1850 grain came by rail.", False), ("Since the collapse of the guild, rents rose.", False),
    ("The mills stood.", False),
])
def test_a_sentence_states_a_cause(sentence, states):
    assert extract.states_cause(sentence) is states


REASON_DOC = "Mills\n\nThe town wanted the mills to close. The reason was the silting of the ponds. The mills stood empty.\n"


def test_a_why_question_takes_the_next_sentence_when_it_gives_the_cause():
    doc = parse(REASON_DOC)
    values = {"The town wanted": 1.0}
    assert chosen_texts(doc, "Why did the town want the mills closed?", values) == ["The", "The"]
    assert chosen_texts(doc, "What did the town want?", values) == ["The"]
    off = extract.ShapeSettings(reason_follows=False)
    scores, mask = shape_scores(doc, values)
    assert len(extract.select_sentences(doc, scores, mask, "Why did the town want the mills closed?", settings=off).sentence_ids) == 1


# -- the fitted joining model (joining.py): given the ranker's probabilities, who joins the lead ----


LEARNED = dataclasses.replace(extract.SHAPE, learned=True)
BARS = dataclasses.replace(extract.SHAPE, learned=False)  # the hand-set score bars decide who joins


def learned_texts(doc, question, values, evidence, settings=LEARNED):
    scores, mask = shape_scores(doc, values)
    ids = {sentence_id(doc, fragment): p for fragment, p in evidence.items()}
    chosen = extract.select_sentences(doc, scores, mask, question, settings=settings, evidence=ids).sentence_ids
    return [doc.sentences[i].text.split()[0] for i in chosen]


def test_a_neighbour_the_ranker_finds_unlikely_does_not_pad_a_lead_it_is_sure_of():
    doc = parse(SHAPE_DOC)
    question = "Where did tidal mills grind grain for coastal towns?"
    values = {"Tidal mills": 1.0, "millers paid": 0.8}  # the score bars take the neighbour (test_a_neighbour_joins_on_its_score)
    assert learned_texts(doc, question, values, {"Tidal mills": 0.9, "millers paid": 0.02}) == ["Tidal"]
    assert chosen_texts(doc, question, values) == ["Tidal", "The"]  # without the ranker's probabilities: the score bars


def test_a_sentence_likelier_to_hold_the_answer_joins_an_unsure_lead_and_leads_the_answer():
    doc = parse(SHAPE_DOC)
    question = "Which mills spread inland, and which ground grain for towns?"
    values = {"Tidal mills": 1.0, "Windmills spread": 0.6}  # far below the score bars' 0.85
    assert learned_texts(doc, question, values, {"Tidal mills": 0.1, "Windmills spread": 0.9}) == ["Windmills", "Tidal"]
    bars = dataclasses.replace(BARS, ranker_joins=0.0)  # the score bars alone
    assert learned_texts(doc, question, values, {"Tidal mills": 0.1, "Windmills spread": 0.9}, bars) == ["Tidal"]


def test_the_sentence_the_ranker_finds_far_likelier_joins_the_score_bars_answer_and_leads():
    doc = parse(SHAPE_DOC)
    question = "Which mills spread inland?"
    values = {"Tidal mills": 1.0, "Windmills spread": 0.6}  # far below the score bars' 0.85
    settings = dataclasses.replace(BARS, ranker_joins=2.0)
    assert learned_texts(doc, question, values, {"Tidal mills": 0.2, "Windmills spread": 0.5}, settings) == ["Windmills", "Tidal"]
    assert learned_texts(doc, question, values, {"Tidal mills": 0.3, "Windmills spread": 0.5}, settings) == ["Tidal"]  # < 2x
    off = dataclasses.replace(settings, ranker_joins=0.0)
    assert learned_texts(doc, question, values, {"Tidal mills": 0.2, "Windmills spread": 0.5}, off) == ["Tidal"]
    assert chosen_texts(doc, question, values) == ["Tidal"]  # without the ranker's probabilities: the score bars


def test_the_sentence_the_ranker_finds_far_likelier_takes_the_last_place_of_a_full_answer():
    doc = parse(SHAPE_DOC)
    question = "Which mills spread inland?"
    values = {"Tidal mills": 1.0, "millers paid": 0.9, "ponds filled": 0.8, "Windmills spread": 0.5}  # the bars take three
    full = dataclasses.replace(BARS, ranker_joins=2.0, max_sentences=3)
    assert chosen_texts(doc, question, values) == ["Tidal", "The", "The"]
    evidence = {"Tidal mills": 0.1, "millers paid": 0.1, "ponds filled": 0.1, "Windmills spread": 0.6}
    assert learned_texts(doc, question, values, evidence, full) == ["Windmills", "Tidal", "The"]


def test_a_sentence_joins_only_when_what_it_adds_pays_for_its_words():
    from assistant import joining

    probabilities, lengths = np.array([0.3, 0.05]), np.array([20, 20])
    assert joining.pick(probabilities, lengths, missed=0.5, cost=0.025, room=2) == [0]  # 0.15 joins; 0.05 * 0.35 does not
    assert joining.pick(probabilities, lengths, missed=0.05, cost=0.025, room=2) == []  # the lead is all but sure
    assert joining.pick(probabilities, lengths, missed=1.0, cost=0.025, room=2) == [0, 1]
    assert joining.pick(probabilities, lengths, missed=1.0, cost=0.025, room=1) == [0]
    assert joining.pick(probabilities, np.array([20, 400]), missed=1.0, cost=0.025, room=2) == [0]  # too long for its chance
    assert joining.pick(probabilities, lengths, missed=1.0, cost=0.025, room=2, floor=0.1) == [0]


def test_a_stub_sentence_costs_as_much_as_a_short_one():
    doc = parse("Mills\n\nTidal mills ground grain for the coastal towns. Table 1.\n\nWindmills spread inland.\n")
    question = "Where did tidal mills grind grain?"
    values, evidence = {"Tidal mills": 1.0, "Table 1.": 0.9}, {"Tidal mills": 0.5, "Table 1.": 0.02}
    assert learned_texts(doc, question, values, evidence) == ["Tidal"]
    assert learned_texts(doc, question, values, evidence, dataclasses.replace(LEARNED, least_words=0)) == ["Tidal", "Table"]


def test_an_example_asked_for_and_given_completes_the_answer():
    doc = parse("Mills\n\nTidal mills ground grain for the towns. For example, the mill at Eling still works.\n\n"
                "Windmills spread inland. For instance, one stands at Cley.\n")
    values = {"Tidal mills": 1.0, "For example": 0.9, "For instance": 0.85, "Windmills": 0.8}
    evidence = {"Tidal mills": 0.3, "For example": 0.3, "For instance": 0.6, "Windmills": 0.3}
    assert learned_texts(doc, "Give an example of a tidal mill.", values, evidence) == ["Tidal", "For"]
    assert "Cley" in " ".join(doc.sentences[i].text for i in extract.select_sentences(
        doc, *shape_scores(doc, values), "Where did tidal mills grind grain?", settings=LEARNED,
        evidence={sentence_id(doc, f): p for f, p in evidence.items()}).sentence_ids)  # not asked for an example: it joins


def test_the_joining_model_ships_with_its_features_and_refuses_others(tmp_path):
    from assistant import joining
    from assistant.errors import AssistantError

    model = joining.load_model()
    assert model.names == joining.FEATURES and model.coef.shape == (len(joining.FEATURES),)
    other = tmp_path / "joining.json"
    other.write_text(json.dumps({"features": ["ratio"], "coef": [1.0], "intercept": 0.0}), encoding="utf-8")
    with pytest.raises(AssistantError, match="other features"):
        joining.load_model(other)


@pytest.mark.parametrize("gold", ["gold_heldout.jsonl", "gold_reader.jsonl", "gold_reader_val.jsonl"])
def test_the_joining_fit_refuses_the_held_out_and_validation_sets(gold, tmp_path, capsys):
    from assistant import fit_joining, paths

    out = tmp_path / "joining.json"
    assert fit_joining.main(["--out", str(out), "--gold", str(paths.default_gold().parent / gold)]) == 2
    assert "never fitted on" in capsys.readouterr().err and not out.exists()


def test_the_run_the_ranker_finds_likeliest_to_hold_the_answer_leads():
    doc = parse(SHAPE_DOC)
    question = "Where did tidal mills grind grain for coastal towns?"
    values = {"Tidal mills": 1.0, "Windmills spread": 0.95}  # a near tie: both join (test_a_near_tie_joins_whatever_it_adds)
    scores, mask = shape_scores(doc, values)
    evidence = {sentence_id(doc, "Tidal mills"): 0.2, sentence_id(doc, "Windmills spread"): 0.7}
    chosen = extract.select_sentences(doc, scores, mask, question, settings=BARS, evidence=evidence).sentence_ids
    assert [doc.sentences[i].text.split()[0] for i in chosen] == ["Windmills", "Tidal"]
    (first, _) = extract.citations(doc, chunks_of(doc), chosen)
    assert first.text.startswith("Windmills")  # the first citation is the lead's
    by_score = dataclasses.replace(BARS, lead_by_evidence=False)
    assert extract.select_sentences(doc, scores, mask, question, settings=by_score, evidence=evidence).sentence_ids == chosen[::-1]
    assert extract.select_sentences(doc, scores, mask, question).sentence_ids == chosen[::-1]  # no probabilities: the best score


@pytest.mark.parametrize("seed", range(20))
def test_one_citation_per_contiguous_span_whichever_run_leads(seed):
    doc = parse(SHAPE_DOC + "\nMills\n\nSome mills ground bark. Others sawed timber. A few pumped water.\n")
    rng = np.random.default_rng(seed)
    scores, mask = rng.random(len(doc.sentences)), np.ones(len(doc.sentences), dtype=bool)
    evidence = {i: float(p) for i, p in enumerate(rng.random(len(doc.sentences)))}
    settings = extract.ShapeSettings(far=0.0, near=0.0, sure=0.0, max_sentences=4)  # several sentences join
    chosen = extract.select_sentences(doc, scores, mask, "Which mills ground grain?", settings=settings, evidence=evidence).sentence_ids
    cites = extract.citations(doc, chunks_of(doc), chosen)
    assert len(cites) == len(extract.runs(doc, tuple(sorted(chosen))))  # adjacent sentences always share a citation
    assert all(c.text == doc.source[c.start : c.end] for c in cites)
    assert max(evidence[i] for i in chosen) == max(evidence[i] for i in extract.runs(doc, chosen)[0])  # the likeliest run leads


def test_a_fragment_after_a_stray_full_stop_comes_with_the_sentence_it_finishes():
    doc = parse("Rivals\n\nThe towns kept their resentment over defeats. raids, and support for rival guilds in both "
                "centuries. Trade went on regardless.\n")
    assert [display_text(s.text)[:5] for s in doc.sentences[-3:]] == ["The t", "raids", "Trade"]
    assert chosen_texts(doc, "What did the towns resent?", {"raids": 1.0}) == ["The", "raids,"]
    assert chosen_texts(doc, "What did the towns resent?", {"resentment": 1.0}) == ["The", "raids,"]
    assert chosen_texts(doc, "What went on?", {"Trade": 1.0}) == ["Trade"]


TRIMMED = dataclasses.replace(BARS, run_share=0.3)


def test_a_run_elsewhere_the_ranker_finds_unlikely_does_not_pad_the_answer():
    doc = parse(SHAPE_DOC)
    question = "Where did tidal mills grind grain for coastal towns?"
    values = {"Tidal mills": 1.0, "Windmills spread": 0.95}  # a near tie: both join (test_a_near_tie_joins_whatever_it_adds)
    assert learned_texts(doc, question, values, {"Tidal mills": 0.6, "Windmills spread": 0.1}, TRIMMED) == ["Tidal"]
    assert learned_texts(doc, question, values, {"Tidal mills": 0.6, "Windmills spread": 0.2}, TRIMMED) == ["Tidal", "Windmills"]
    off = dataclasses.replace(TRIMMED, run_share=0.0)
    assert learned_texts(doc, question, values, {"Tidal mills": 0.6, "Windmills spread": 0.1}, off) == ["Tidal", "Windmills"]


def test_the_best_sentences_run_stays_whatever_the_ranker_finds():
    doc = parse(SHAPE_DOC)
    question = "Where did tidal mills grind grain for coastal towns?"
    values = {"Tidal mills": 1.0, "Windmills spread": 0.95}
    assert learned_texts(doc, question, values, {"Tidal mills": 0.05, "Windmills spread": 0.9}, TRIMMED) == ["Windmills", "Tidal"]
    neighbour = {"Tidal mills": 1.0, "millers paid": 0.8}  # one run with the best sentence: never trimmed here
    assert learned_texts(doc, question, neighbour, {"Tidal mills": 0.9, "millers paid": 0.01}, TRIMMED) == ["Tidal", "The"]


def test_a_lead_score_picks_the_best_sentence_and_the_sentence_scores_pick_who_joins():
    doc = parse(SHAPE_DOC)
    question = "Where did tidal mills grind grain for coastal towns?"
    scores, mask = shape_scores(doc, {"Tidal mills": 1.0, "millers paid": 0.3, "Windmills spread": 0.5})
    lead = scores.copy()
    lead[sentence_id(doc, "Windmills spread")] += 0.6  # e.g. it is in the passage ranked first
    chosen = extract.select_sentences(doc, scores, mask, question, lead=lead).sentence_ids
    assert [doc.sentences[i].text.split()[0] for i in chosen] == ["Windmills", "Tidal"]  # the best score still joins
    alone = extract.select_sentences(doc, scores, mask, question).sentence_ids
    assert [doc.sentences[i].text.split()[0] for i in alone] == ["Tidal"]


def test_the_answer_sets_chance_is_that_some_shown_sentence_holds_the_answer():
    from assistant import joining

    doc = parse(SHAPE_DOC)
    scores, mask = shape_scores(doc, {"Tidal mills": 1.0, "millers paid": 0.9, "ponds filled": 0.8, "Windmills spread": 0.7})
    masked = np.where(mask, scores, -np.inf)
    ids = [sentence_id(doc, f) for f in ("Tidal mills", "millers paid", "ponds filled", "Windmills spread")]
    flat = joining.Model(joining.FEATURES, np.zeros(len(joining.FEATURES)), float(np.log(0.2 / 0.8)))  # every sentence 0.2
    shown = (ids[0], ids[1])
    row = dict(zip(joining.SET_FEATURES, joining.answer_set(doc, masked, ids[0], shown, {}, {"mills": 1.0}, 12, 1, flat)))
    assert row["join_set"] == pytest.approx(np.log(0.36 / 0.64))  # 1 - 0.8 * 0.8
    assert row["join_lead"] == pytest.approx(np.log(0.2 / 0.8))
    assert row["join_left"] == pytest.approx(0.2) and row["runs"] == 1.0 and row["lead_agrees"] == 1.0
    moved = dict(zip(joining.SET_FEATURES, joining.answer_set(doc, masked, ids[3], (ids[3],), {}, {}, 12, 1, flat)))
    assert moved["lead_agrees"] == 0.0 and moved["join_set"] == pytest.approx(np.log(0.2 / 0.8))
    none_left = dict(zip(joining.SET_FEATURES, joining.answer_set(doc, masked, ids[0], tuple(ids), {}, {}, 12, 2, flat)))
    assert none_left["join_left"] == 0.0 and none_left["runs"] == 2.0
    assert none_left["names_missing"] == 0.0 and none_left["score_ranker_gap"] == 0.0
    ranked = {ids[0]: 0.3, ids[3]: 0.8}  # the ranker prefers a sentence the fused score puts fourth
    gap = dict(zip(joining.SET_FEATURES, joining.answer_set(doc, masked, ids[0], shown, ranked, {}, 12, 1, flat, 0.5)))
    assert gap["score_ranker_gap"] == pytest.approx(0.5) and gap["names_missing"] == 0.5


LISTED = """Tidy Data

Introduction

A dataset is messy or tidy depending on how rows and columns match. In tidy data:

1. Each variable forms a column.

2. Each observation forms a row.

3. Each type of observational unit forms a table.

This is the third normal form.

Figure 2 shows two panels.

(a) Reliability
"""


def test_a_list_set_as_paragraphs_of_their_own_comes_with_its_introduction():
    """As a PDF sets a list: each item a paragraph opening with its mark, not a list-item paragraph."""
    from assistant.answer import select_sentences
    from assistant.structure import display_text, parse

    doc = parse(LISTED)
    texts = [display_text(s.text) for s in doc.sentences]
    mask = np.ones(len(texts), dtype=bool)
    items = ["1. Each variable forms a column.", "2. Each observation forms a row.",
             "3. Each type of observational unit forms a table."]
    scores = np.zeros(len(texts))
    scores[texts.index("In tidy data:")] = 1.0  # the introduction is the best sentence
    assert [texts[i] for i in select_sentences(doc, scores, mask, "What is tidy data?").sentence_ids] == [
        "In tidy data:", *items]
    scores[texts.index("A dataset is messy or tidy depending on how rows and columns match.")] = 1.2  # it joins the best
    chosen = [texts[i] for i in select_sentences(doc, scores, mask, "What is tidy data?").sentence_ids]
    assert chosen[chosen.index("In tidy data:") + 1:][:3] == items  # the items right after it
    from assistant.answer import _list_item

    kinds = {p.id: p.kind for p in doc.paragraphs}
    assert _list_item(doc, kinds, texts.index(items[0]))
    assert not _list_item(doc, kinds, texts.index("(a) Reliability"))  # a figure's panel label
    assert not _list_item(doc, kinds, texts.index("This is the third normal form."))


@pytest.mark.parametrize("apart", [False, True])
def test_a_sentence_ending_with_a_colon_brings_the_enumeration_after_it(apart):
    break_ = "\n\n" if apart else " "
    text = ("Intro\n\nRandom projection maps n vectors into a space of few dimensions. This simple method has the "
            f"following desirable properties:{break_}(i) it is linear, (ii) it is oblivious to the input, and (iii) its target "
            "dimension is independent of d. Much effort has gone into speeding it up.")
    doc = parse(text)
    colon = next(i for i, s in enumerate(doc.sentences) if s.text.endswith("properties:"))
    items = colon + 1
    assert doc.sentences[items].text.startswith("(i) it is linear")
    scores = np.zeros(len(doc.sentences))
    scores[colon] = 1.0
    mask = np.ones(len(doc.sentences), dtype=bool)
    # "This simple method ..." points back at the sentence before it, which comes first (answer.readable)
    assert list(extract.select_sentences(doc, scores, mask, "What properties does the method have?").sentence_ids) == [colon - 1, colon, items]
    scores[colon - 1], scores[colon] = 1.0, 0.95  # the colon's sentence joins the best one: it brings its items still
    assert items in extract.select_sentences(doc, scores, mask, "What properties does the method have?").sentence_ids


def test_the_join_bars_are_measured_on_the_score_before_the_e5_term():
    """retrieval.with_second adds a large e5 term; the bars were set on the score before it (``bars``)."""
    doc = parse(SHAPE_DOC)
    question = "Where did tidal mills grind grain for coastal towns?"
    plain, mask = shape_scores(doc, {"Tidal mills": 1.0, "millers paid": 0.8})
    with_e5, _ = shape_scores(doc, {"Tidal mills": 5.0, "millers paid": 2.8})  # + 4.0 and + 2.0: a share of 0.56
    words = lambda selection: [doc.sentences[i].text.split()[0] for i in selection.sentence_ids]
    assert words(extract.select_sentences(doc, with_e5, mask, question)) == ["Tidal"]
    assert words(extract.select_sentences(doc, with_e5, mask, question, bars=plain)) == ["Tidal", "The"]
    zero = np.zeros(len(doc.sentences))  # no share of a best scoring 0 to measure: nothing joins, nothing fails
    assert words(extract.select_sentences(doc, with_e5, mask, question, bars=zero)) == ["Tidal"]


READABLE_DOC = (
    "Intro\n\nRussia talks to every side of the region's conflicts. In this case, Russia acts as an interlocutor. It has "
    "the same role between Israel and Iran. Thus, it supports good relations with Hamas, Hezbollah and the Kurds.\n\n"
    "Hezbollah depends on Iran for weapons and money. Its fighters crossed into Syria in 2013.\n\n"
    "These include long talks. They have lasted many years. Trade between the two grew slowly over the decade, and "
    "economists who studied it found that most of the growth came from grain, timber, machine parts and the services "
    "sold alongside them by the traders of both countries, who said so in every survey taken since then. They expect "
    "more of it.\n\nThose talks ended."
)


def _ids(doc, *openings):
    return [next(i for i, s in enumerate(doc.sentences) if s.text.startswith(o)) for o in openings]


def test_a_run_that_points_back_starts_with_what_it_points_back_to():
    """Each run of an answer that opens by pointing back ("Thus, it ...", "It has ...") brings the sentences
    before it in its paragraph, two deep, whether it leads or joined: here the lead and a later run."""
    doc = parse(READABLE_DOC)
    interlocutor, role, thus, fighters, depends = _ids(doc, "In this case", "It has", "Thus, it", "Its fighters", "Hezbollah depends")
    assert extract.readable(doc, (thus, fighters)) == (interlocutor, role, thus, depends, fighters)
    assert extract.readable(doc, (fighters, thus)) == (depends, fighters, interlocutor, role, thus)  # the runs keep their order
    assert extract.readable(doc, (role, thus)) == (interlocutor, role, thus)


def test_a_run_that_does_not_point_back_or_cannot_is_left_as_it_is():
    doc = parse(READABLE_DOC)
    talks, lasted, trade, expect, ended = _ids(doc, "Russia talks", "They have lasted", "Trade between", "They expect", "Those talks")
    assert extract.readable(doc, (talks,)) == (talks,)  # it names its subject
    assert extract.readable(doc, (ended,)) == (ended,)  # it opens its paragraph: nothing before it to bring
    these = _ids(doc, "These include")[0]
    assert extract.readable(doc, (lasted,)) == (these, lasted)  # "They" -> "These include ...", which opens the paragraph
    assert extract.dangles("It is difficult to say.") is False and extract.dangles("This paper argues.") is False
    assert extract.dangles("This sort of cosying up to Saudi Arabia may cause tension.") is False  # names its referent
    assert extract.dangles("These differences between Moscow and Tehran, though, remain.") is False
    assert extract.dangles("This concept never really took root.") and extract.dangles("Such problems are called hard.")
    alone = parse("It opens the only paragraph. Keepers opened the gates. They closed them again.")  # one paragraph
    assert alone.sentences[0].paragraph == alone.sentences[-1].paragraph
    assert extract.readable(alone, (0,)) == (0,)  # nothing before the first sentence (not the last one, at -1)
    # the antecedents' words are capped: "Trade ..." (over MAX_ANTECEDENT_WORDS) is not brought before "They expect"
    assert len(doc.sentences[trade].text.split()) > extract.MAX_ANTECEDENT_WORDS
    assert extract.readable(doc, (expect,)) == (expect,)


ORDINAL_DOC = (
    "Intro\n\nCoordination services offer a file system to replicate state. This approach suffers from three shortcomings."
    "\n\nFirst, a file-based API makes an application serialise its state. The serialised form differs from the "
    "objects a developer sees.\n\nSecond, these services require an upcall-based API. In essence they are "
    "publish-subscribe systems. Applications must be rewritten to use them.\n\nThird, they limit how fast state can "
    "change. Every update goes through one leader.\n\nFourth, nobody asked. Other systems took another road."
)


def test_an_announced_count_brings_the_sentences_that_open_its_ordinal_items():
    """"... three shortcomings." ending its paragraph, each item opening a paragraph of its own ("First, ...",
    "Second, ...", "Third, ..."): the items' opening sentences join, up to the count, not their elaborations;
    the announcement, which points back ("This approach"), brings the sentence it points at (answer.readable)."""
    doc = parse(ORDINAL_DOC)
    offer, announce, first, second, third = _ids(doc, "Coordination", "This approach", "First,", "Second,", "Third,")
    scores = np.zeros(len(doc.sentences))
    scores[announce] = 1.0
    mask = np.ones(len(doc.sentences), dtype=bool)
    chosen = extract.select_sentences(doc, scores, mask, "What shortcomings does this approach have?").sentence_ids
    assert list(chosen) == [offer, announce, first, second, third]


def test_ordinal_items_need_a_first_right_after_the_announcement_and_two_items():
    doc = parse(ORDINAL_DOC.replace("First, a file-based", "A file-based"))
    announce = _ids(doc, "This approach")[0]
    assert extract._ordinal_items(doc, announce, 3) == []
    doc = parse("Intro\n\nThere are two reasons. First, it is cheap. It is also old.\n\nNothing else follows here.")
    assert extract._ordinal_items(doc, _ids(doc, "There are")[0], 2) == []  # no "Second, ...": not a list
    doc = parse("Intro\n\nThere are two reasons. First, it is cheap.\n\nFinally, it is fast.")
    assert [doc.sentences[i].text.split(",")[0] for i in extract._ordinal_items(doc, _ids(doc, "There are")[0], 2)] == ["First", "Finally"]
    # "several" announces no exact count: a "Finally, ..." after two items is the last item, and nothing after it joins
    doc = parse("Intro\n\nThere are several reasons. First, it is cheap.\n\nSecond, it is old.\n\nFinally, it is fast."
                "\n\nThird, nobody asked.")
    opening = lambda i: doc.sentences[i].text.split(",")[0]
    assert [opening(i) for i in extract._ordinal_items(doc, _ids(doc, "There are")[0], extract.MAX_ANNOUNCED_ITEMS)] == [
        "First", "Second", "Finally"]


def test_a_paper_level_answer_is_completed_as_a_retrieved_one():
    """overview.py picks a paper-level answer's sentences by where the paper states the aspect; answer.completed
    then brings an announced list's opening sentences and what a run points back at, never a left-out one."""
    doc = parse(ORDINAL_DOC)
    offer, announce, first, second, third, fourth = _ids(doc, "Coordination", "This approach", "First,", "Second,", "Third,",
                                                        "Fourth,")
    assert extract.completed(doc, (announce,)) == (offer, announce, first, second, third)
    assert extract.completed(doc, (announce,), frozenset({second})) == (offer, announce, first, third)
    assert extract.completed(doc, (fourth, offer)) == (fourth, offer)  # nothing announced, nothing pointing back


def test_a_sentence_is_completed_from_a_few_pieces_not_from_a_whole_paragraph_without_full_stops():
    """A stray full stop splits a sentence into a piece or two; a text with no sentence ends (lower-case
    pieces only) must not be quoted whole, nor take time growing with the square of its length."""
    doc = parse("Notes\n\nThe start of it. " + " ".join(f"piece {n} goes on here." for n in range(3000)) + "\n")
    middle = sentence_id(doc, "piece 1500 ")
    whole = extract.whole_sentences(doc, [middle])
    assert whole[0] == middle and len(whole) == 1 + 2 * extract.MAX_PIECES
    assert sorted(whole) == list(range(middle - extract.MAX_PIECES, middle + extract.MAX_PIECES + 1))
    broken = parse("Notes\n\nThe treaty was signed in. spring by both sides. and ratified later. It held.\n")
    first = sentence_id(broken, "The treaty")
    assert [display_text(broken.sentences[i].text) for i in extract.whole_sentences(broken, [first])] == [
        "The treaty was signed in.", "spring by both sides.", "and ratified later."]


def test_a_line_ending_with_a_colon_brings_the_lines_it_announces_from_the_next_paragraph():
    """A title page's "Thesis Committee:" ends its paragraph; the names are the next lines. Quoted alone it
    answered "Who chaired the committee?" with nothing."""
    doc = parse("Purely Functional Data Structures\n\nSubmitted for the degree of Doctor of Philosophy. Thesis Committee:\n\n"
                "Peter Lee, Chair\nRobert Harper\n\nIntroduction\n\nThe thesis studies queues.\n")
    committee = sentence_id(doc, "Thesis Committee:")
    names = extract._discourse_neighbours(doc, committee)
    assert names and "Peter Lee, Chair" in " ".join(display_text(doc.sentences[i].text) for i in names)
    assert all(doc.sentences[i].paragraph == doc.sentences[committee + 1].paragraph for i in names)
    assert extract._discourse_neighbours(doc, sentence_id(doc, "The thesis studies")) == []


SAYS_NOTHING = """Harbours

Methods

Would the harbour board have allowed a second quay? The quay layout is shown in Fig. 1. Figure 2 Quay plan.

The quay was built of granite blocks in 1850. Ships then moved to the new quay.

Results

In many years, the quay handled more grain than the old harbour did. In most years, the quay handled more grain than the old harbour did.
"""


@pytest.mark.parametrize("fragment, question", [
    ("Would the harbour board", "How was the quay built?"),  # a question in the text
    ("shown in Fig. 1", "How was the quay laid out?"),  # a pointer to a figure and no more
    ("Figure 2 Quay plan", "What was the quay plan?"),  # a figure's bare title
])
def test_a_sentence_stating_nothing_neither_leads_nor_joins(fragment, question):
    doc = parse(SAYS_NOTHING)
    empty, built = sentence_id(doc, fragment), sentence_id(doc, "granite blocks")
    scores = np.zeros(len(doc.sentences))
    scores[empty], scores[built] = 1.0, 0.98  # the empty sentence scores best
    selection = extract.select_sentences(doc, scores, np.ones(len(doc.sentences), dtype=bool), question)
    assert selection.sentence_ids[0] == built and empty not in selection.sentence_ids
    scores[empty], scores[built] = 0.98, 1.0  # ... and nearly as well as the best: it does not join either
    selection = extract.select_sentences(doc, scores, np.ones(len(doc.sentences), dtype=bool), question)
    assert empty not in selection.sentence_ids


def test_a_question_in_the_text_answers_a_question_about_its_questions():
    doc = parse(SAYS_NOTHING)
    asking = sentence_id(doc, "Would the harbour board")
    scores = np.zeros(len(doc.sentences))
    scores[asking] = 1.0
    selection = extract.select_sentences(doc, scores, np.ones(len(doc.sentences), dtype=bool), "Which questions does the paper ask?")
    assert selection.sentence_ids[0] == asking


def test_a_sentence_saying_again_what_the_answer_says_does_not_join():
    doc = parse(SAYS_NOTHING)
    first, again = sentence_id(doc, "In many years"), sentence_id(doc, "In most years")
    scores = np.zeros(len(doc.sentences))
    scores[first], scores[again] = 1.0, 0.99
    selection = extract.select_sentences(doc, scores, np.ones(len(doc.sentences), dtype=bool), "How much grain did the quay handle?")
    assert list(selection.sentence_ids) == [first]


RUN_ON_ITEMS = """Operations

Failures

In this period we have witnessed the following failure scenarios:

• Our first release shipped with too many worker threads. They starved other threads and the master failed over.

When this problem first appeared, we rolled the system back. An old snapshot was used by mistake.

• Our upgrade script failed because old files were left behind. We lost thirty minutes of data.

• The database semantics differed from what the lock service expected. The fix took months.

A small number of failures in a hundred machine years would be excellent for most systems.

We count a failure when the service is down for a minute or more.

Operators are trained to roll the service back.

• A stray bullet of another part, three paragraphs on, is no item of this list.
"""


def test_items_running_on_over_paragraphs_still_come_with_their_introduction():
    doc = parse(RUN_ON_ITEMS)
    intro = sentence_id(doc, "following failure scenarios")
    scores = np.zeros(len(doc.sentences))
    scores[intro] = 1.0
    chosen = extract.select_sentences(doc, scores, np.ones(len(doc.sentences), dtype=bool), "Which failures did they see?")
    items = [sentence_id(doc, f) for f in ("first release", "upgrade script", "database semantics")]
    assert list(chosen.sentence_ids) == [intro, *items]  # the introduction and each item's opening
    assert sentence_id(doc, "stray bullet") not in chosen.sentence_ids  # three paragraphs on: another part
    assert sentence_id(doc, "old snapshot") not in chosen.sentence_ids  # an item's running on is left to the reader
