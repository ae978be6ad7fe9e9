"""Typing slips in a question, read against the document's own words (spelling.py)."""

from __future__ import annotations

import pytest

from assistant import spelling

TEXT = ("Iran gives support to Assad. Hervé met Russia. Nor did Iran, nor Syria, nor Assad. North of Iran. Russia and Iran back Assad in Syria. Hezbollah fights for Iran. Russia sells arms. "
        "Moscow and Tehran trade. The Syrian war goes on. Rasht lies in Iran.")
ENGLISH = frozenset("what why does support sport are goals relationship and the in of is who".split())


@pytest.fixture(scope="module")
def words():
    return spelling.lexicon([TEXT])


@pytest.mark.parametrize("question, read", [
    ("Why does Iran support Asad?", "Why does Iran support Assad?"),  # one letter missing
    ("What are Rusia's goals?", "What are Russia's goals?"),  # the possessive kept
    ("Hezbolah and Iran relationship?", "Hezbollah and Iran relationship?"),
    ("What does Mocsow want?", "What does Moscow want?"),  # two neighbours swapped
    ("What does Mscw want?", "What does Mscw want?"),  # two edits in a short word: left as typed
    ("What about Biden?", "What about Biden?"),  # nothing in the document near it
    ("Who backs Syrians?", "Who backs Syrians?"),  # a plural of the document's word
    ("Why does Iran suport Assad?", "Why does Iran support Assad?"),  # a word in lower case, one edit away
    ("Why does Iran sport Assad?", "Why does Iran sport Assad?"),  # an English word: left as typed
    ("Why does Iran supporting Assad?", "Why does Iran supporting Assad?"),  # a form of a word the document has
    ("what are rusia's goals?", "what are russia's goals?"),  # lower case, read as a name
    ("what are rusias goals?", "what are russia goals?"),  # a possessive without its apostrophe
    ("Who rules Ira?", "Who rules Ira?"),  # fewer than four letters
    ("Why does Iran sell Arns?", "Why does Iran sell Arns?"),  # "arms" is no name
    ("Who is Herve?", "Who is Hervé?"),  # letters beyond ASCII
    ("What lies Norh of Iran?", "What lies North of Iran?"),  # a name, not the more frequent "nor"
])
def test_a_slip_in_a_name_is_read_as_the_documents_word(words, question, read):
    assert spelling.correct(question, words, ENGLISH) == read


def test_a_word_near_two_as_frequent_words_is_left_as_typed():
    words = spelling.lexicon(["Mosul and Mosel."])
    assert spelling.correct("Where is Mosal?", words, ENGLISH) == "Where is Mosal?"
    words = spelling.lexicon(["Mosul and Mosel. Mosul again."])
    assert spelling.correct("Where is Mosal?", words, ENGLISH) == "Where is Mosul?"  # the more frequent


def test_an_english_word_is_no_slip(words):
    assert spelling.correct("What Goals?", words, ENGLISH | {"goals"}) == "What Goals?"
    assert spelling.correct("What is Iraq?", words, ENGLISH) == "What is Iran?"  # one edit from "Iran" ...
    assert spelling.correct("What is Iraq?", words, ENGLISH | {"iraq"}) == "What is Iraq?"  # ... but a word the model knows
    assert "russia" in words.known and words.forms[words.words.index("russia")] == "Russia"


def test_the_assistant_answers_the_question_as_read_and_says_so(tmp_path, fake_encoder):
    from assistant.engine import Assistant
    from assistant.index import build_index, load_index

    source = tmp_path / "mills.md"
    source.write_text("# Mills\n\nThe Rance tidal mill ground grain for centuries. It stood near Saint-Malo.\n\n"
                      "## Ports\n\nFish goes north from Brest.\n", encoding="utf-8")
    build_index(source, tmp_path / "index", encoder=fake_encoder)
    assistant = Assistant(load_index(tmp_path / "index"), fake_encoder)
    answer = assistant.ask("What did the Rence mill grind?")
    assert answer.question == "What did the Rence mill grind?" and answer.read_as == "What did the Rance mill grind?"
    assert "Rance tidal mill" in answer.answer
    assert assistant.ask("What did the Rance mill grind?").read_as is None
    literal = Assistant(load_index(tmp_path / "index"), fake_encoder, read_slips=False)
    assert literal.ask("What did the Rence mill grind?").read_as is None


@pytest.mark.parametrize("abstained", [True, False])
def test_the_terminal_and_json_say_how_the_question_was_read(abstained, tmp_path):
    from rich.console import Console

    from assistant.records import Answer, Citation, Passage
    from assistant.render import answer_json, answer_renderable

    text = "Russia backs Assad."
    passage = Passage(1, "s00-c000", "Section", 0, len(text), 0.5, text)
    citations = () if abstained else (Citation(1, "s00-c000", "Section", 1, 0, len(text), text, ()),)
    answer = Answer("Who backs Asad?", "" if abstained else text, abstained, 0.8, citations, (passage,),
                    read_as="Who backs Assad?")
    console = Console(no_color=True, record=True, width=200, file=(tmp_path / "out").open("w"))
    console.print(answer_renderable(answer))
    assert "read as: Who backs Assad?" in console.export_text()
    assert answer_json(answer)["read_as"] == "Who backs Assad?" and answer_json(answer)["question"] == "Who backs Asad?"


@pytest.mark.parametrize("word, known", [("arming", True), ("exerting", True), ("escalates", True), ("sanctons", False)])
def test_a_word_with_an_english_ending_on_a_known_stem_is_no_slip(word, known):
    assert spelling._inflected(word, frozenset({"arm", "exert", "escalate"}), frozenset()) == known


def test_two_forms_of_one_word_are_not_read_as_each_other():
    assert spelling._forms_of_one_word("pragmatism", "pragmatist") and spelling._forms_of_one_word("prioritise", "priorities")
    assert not spelling._forms_of_one_word("sanctons", "sanctions")
    words = spelling.lexicon(["Rouhani favours a pragmatist course."])
    assert spelling.correct("Why does Rouhani favour pragmatism?", words, frozenset()) == "Why does Rouhani favour pragmatism?"
