"""Property-based tests: parsing and chunking of random documents, answering random questions.

Every sentence, paragraph, note and chunk must be an exact slice of the source; chunks stay
inside one section; sentences are disjoint and in reading order. The answerer never crashes
on any text (only InputError, for empty or oversized questions) and cites exact slices.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from assistant.chunking import ChunkSettings, chunk_document
from assistant.engine import MAX_QUESTION_CHARS, clean_question
from assistant.errors import InputError
from assistant.structure import parse

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
SMALL_CHUNKS = ChunkSettings(max_tokens=40, min_tokens=12)


@lru_cache(maxsize=1)
def token_counter():
    from assistant.encoder import token_counter as real

    return real()


# -- random documents -------------------------------------------------------------------------

WORDS = ["Iran", "Russia", "security", "policy", "the", "of", "in", "Syria", "2015", "1979", "Mr.", "U.S.", "e.g.",
         "Россия", "ایران", "naïve", "🚀", "[bold]", "[/]", "(see", "p.", "12)", "–", "“quoted”", "Dr.", "Ibid"]
SUPERSCRIPTS = "¹²³⁴⁵⁶⁷⁸⁹⁰"
# \x1c-\x1f are left out: they crash pysbd (see test_information_separators_do_not_crash_parsing)
odd_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="\n\r"), max_size=40
)


@st.composite
def sentences(draw) -> str:
    words = draw(st.lists(st.sampled_from(WORDS) | odd_text.map(lambda t: t.strip() or "x"), min_size=1, max_size=14))
    first = draw(st.sampled_from(["The", "Iran", "Russia", "In", "A", "it", "1.", "—"]))
    end = draw(st.sampled_from([".", "?", "!", ".", "", ";", ".”", "."]))
    marker = draw(st.sampled_from(["", "", "", "¹", "²³", " 4", " 12"]))
    return " ".join([first, *words]).strip() + end + marker


@st.composite
def blocks(draw) -> str:
    kind = draw(st.sampled_from(["heading", "md-heading", "body", "body", "body", "bullets", "notes", "digits", "odd"]))
    if kind == "heading":
        return " ".join(draw(st.lists(st.sampled_from(["Iran", "Russia", "Policy", "Security", "Conclusion", "2.1"]), min_size=1, max_size=5)))
    if kind == "md-heading":
        return draw(st.sampled_from(["#", "##", "###"])) + " " + draw(st.sampled_from(["Introduction", "Methods", "Результаты", "نتیجه"]))
    if kind == "bullets":
        bullet = draw(st.sampled_from(["- ", "• ", "* ", "1) ", "a) "]))
        return "\n".join(bullet + draw(sentences()) for _ in range(draw(st.integers(1, 4))))
    if kind == "notes":
        count = draw(st.integers(1, 4))
        return "Notes\n\n" + "\n".join(f"{SUPERSCRIPTS[i % 9]} " + draw(sentences()) for i in range(count))
    if kind == "digits":
        return str(draw(st.integers(1, 300)))  # a page number line
    if kind == "odd":
        return draw(odd_text)
    lines = [" ".join(draw(st.lists(sentences(), min_size=1, max_size=4))) for _ in range(draw(st.integers(1, 3)))]
    return "\n".join(lines)


@st.composite
def documents(draw) -> str:
    parts = draw(st.lists(blocks(), min_size=1, max_size=12))
    text = ""
    for part in parts:
        text += part + draw(st.sampled_from(["\n\n", "\n\n", "\n", "\n\n\n", "\n \n", "\n\n\n\n"]))
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    return draw(st.sampled_from(["", "  ", "\n"])) + text


def check_structure(doc, chunks) -> None:
    source = doc.source
    n = len(source)
    for paragraph in doc.paragraphs:
        assert 0 <= paragraph.start < paragraph.end <= n
        assert 0 <= paragraph.section < len(doc.sections)
    for note in doc.notes:
        assert note.text == source[note.start : note.end]
    for marker in doc.markers:
        assert source[marker.start : marker.end].strip()
    previous_end = 0
    for i, sentence in enumerate(doc.sentences):
        assert sentence.id == i
        assert sentence.text == source[sentence.start : sentence.end]
        assert sentence.text.strip()
        assert previous_end <= sentence.start < sentence.end  # disjoint and in reading order
        previous_end = sentence.end
        paragraph = doc.paragraphs[sentence.paragraph]
        assert paragraph.start <= sentence.start and sentence.end <= paragraph.end
        assert sentence.section == paragraph.section
    covered = [sid for chunk in chunks for sid in chunk.sentences]
    assert covered == list(range(len(doc.sentences)))  # every sentence in exactly one chunk, in order
    for chunk in chunks:
        assert chunk.text == source[chunk.start : chunk.end]
        members = [doc.sentences[sid] for sid in chunk.sentences]
        assert {s.section for s in members} == {chunk.section}  # never crosses a section
        assert chunk.start == members[0].start and chunk.end == members[-1].end
        section = doc.sections[chunk.section]
        assert section.start <= chunk.start and chunk.end <= section.end


@SETTINGS
@given(text=documents(), markdown=st.booleans())
def test_random_documents_parse_into_exact_slices(text, markdown):
    doc = parse(text, markdown=markdown)
    assert doc.source == text
    report = chunk_document(doc, token_counter(), SMALL_CHUNKS)
    check_structure(doc, report.chunks)


def test_information_separators_do_not_crash_parsing():
    text = "The \x1f0. 4\n\nAnother \x1c12. paragraph.\n"
    check_structure(parse(text), chunk_document(parse(text), token_counter(), SMALL_CHUNKS).chunks)


@settings(max_examples=40, deadline=None)
@given(text=st.text(alphabet=st.characters(codec="utf-8"), max_size=400))
def test_arbitrary_text_parses_into_exact_slices(text):
    doc = parse(text)
    check_structure(doc, chunk_document(doc, token_counter(), SMALL_CHUNKS).chunks)


# -- random questions over a small index -------------------------------------------------------

DOC = """Regional Security Notes

Introduction

Iran and Russia cooperated in Syria after 2015.¹ Their goals were different in important ways. Officials wrote [bold]claims[/bold] about [Iran's] role.

Sanctions

The United States imposed sanctions on Iran in 2018. Russia opposed the sanctions at the United Nations.² Россия и Иран подписали соглашение. ایران و روسیه همکاری کردند. Rockets 🚀 were mentioned.

- Energy exports rose in 2019.
- Naval exercises took place in the Gulf.

Notes

¹ Katz, Russia and Iran, 2019, p. 4.
² Ibid.
"""


@pytest.fixture(scope="module")
def small_assistant(tmp_path_factory, model_cache):
    from conftest import FakeEncoder

    from assistant.engine import Assistant
    from assistant.index import build_index, load_index

    root = tmp_path_factory.mktemp("prop-index")
    (root / "doc.txt").write_text(DOC, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ASSISTANT_HOME", str(root / "home"))
        mp.setenv("ASSISTANT_MODEL_CACHE", str(model_cache))
        build_index(root / "doc.txt", root / "idx", encoder=FakeEncoder())
    return Assistant.open(load_index(root / "idx"), encoder=FakeEncoder())


QUESTION_WORDS = ["What", "did", "Russia", "Iran", "sanctions", "oppose", "2018", "Syria", "[bold]", "[/]", "[Iran's]",
                  "Россия", "ایران", "🚀", "\x1b[31m", "\x1b]0;x\x07", "\u202e", "\u200f", "\x00", "\r\n", "?",
                  "\udcff"]  # how Python decodes a non-UTF-8 byte in argv
questions = st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(QUESTION_WORDS) | st.text(max_size=8), max_size=20).map(" ".join),
    st.text(alphabet=st.characters(categories=("Cc", "Cf", "Zs", "Zl", "Zp")), max_size=30),
)


@SETTINGS
@given(question=questions, mode=st.sampled_from(["hybrid", "hybrid", "bm25", "dense"]), k=st.integers(1, 12))
def test_random_questions_never_crash_and_cite_exact_slices(small_assistant, question, mode, k):
    from rich.console import Console

    from assistant.render import answer_json, answer_renderable

    try:
        expected = clean_question(question)
    except InputError:
        with pytest.raises(InputError):
            small_assistant.ask(question, k=k, mode=mode)
        return
    answer = small_assistant.ask(question, k=k, mode=mode)
    source = small_assistant.document.source
    assert answer.question == expected
    assert all(ch.isprintable() for ch in answer.question)
    assert 0 <= answer.confidence <= 1
    assert 1 <= len(answer.passages) <= k
    for item in [*answer.citations, *answer.passages]:
        assert item.text == source[item.start : item.end]
    for citation in answer.citations:
        for note in citation.notes:
            assert note.text in source
    if answer.abstained:
        assert answer.answer == "" and answer.citations == ()
    record = json.loads(json.dumps(answer_json(answer), ensure_ascii=False))
    assert [c["text"] for c in record["citations"]] == [c.text for c in answer.citations]
    console = Console(no_color=True, force_terminal=False, record=True, width=100, file=open(os.devnull, "w"))
    console.print(answer_renderable(answer))
    assert "\x1b" not in console.export_text()


@settings(max_examples=30, deadline=None)
@given(question=st.text(min_size=1, max_size=3000))
def test_clean_question_refuses_only_empty_wordless_or_oversized(question):
    visible = " ".join("".join(ch if ch.isprintable() else " " for ch in question).split())
    assume("\x1b" not in question)  # escape sequences are removed whole, which this model does not mimic
    if not any(ch.isalnum() for ch in visible) or len(visible) > MAX_QUESTION_CHARS:
        with pytest.raises(InputError):
            clean_question(question)
    else:
        assert clean_question(question) == visible
