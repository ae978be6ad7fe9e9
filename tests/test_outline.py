"""'How is the paper structured?': the work's headings as its outline (outline.py), each cited exactly."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from rich.console import Console

from assistant import outline
from assistant.engine import OUTLINE_CONFIDENCE, Assistant
from assistant.index import build_index, load_index
from assistant.records import Document, Section
from assistant.render import answer_renderable
from assistant.structure import section_kind
from assistant.transcript import sources_of


@pytest.mark.parametrize("question", [
    "How is the paper structured?", "How is it organised?", "What are the main sections of this paper?",
    "What is the structure of the paper?", "Give me an outline of the paper.", "List the sections",
    "Which chapters does the thesis have?", "What sections are there?", "What are the parts of the paper?",
    "Can you outline the paper?", "What is the table of contents?", "Show me the structure of this paper please",
    "So how was this study laid out?",
])
def test_questions_about_the_whole_works_layout_ask_for_its_outline(question):
    assert outline.asks_outline(question)


@pytest.mark.parametrize("question", [
    "What is in Section 3?", "Which section describes the gates?", "How is the paper organised? Which section describes the gates?",
    "Which parts of Syria does Iran control?", "What are the main parts of the argument?", "How is the Iranian army structured?",
    "What is the structure?",  # of the paper's subject, perhaps (a paper on data structures)
    "What is the plan?", "How does the paper conclude?",
])
def test_questions_about_a_part_or_the_subject_do_not(question):
    assert not outline.asks_outline(question)


def test_a_follow_ups_it_is_its_topic_so_there_the_work_must_be_named():
    assert not outline.asks_outline("How is it organised?", follow_up=True)  # after "What is the IRGC?"
    assert outline.asks_outline("How is the paper organised?", follow_up=True)


def _document(*titles: str) -> Document:
    """A document whose sections are ``titles``, each heading set in the source before a line of text."""
    source, sections = "A Title\n\n", [Section(0, "Front matter", 0, 9, "front")]
    for n, title in enumerate(titles, start=1):
        start = len(source)
        source += f"{title}\n\nSome text of part {n}.\n\n"
        sections.append(Section(n, title, start, len(source), section_kind(title)))
    return Document(source, "A Title", tuple(sections), (), ())


def _titles(doc: Document) -> list[str]:
    return [s.title for s in outline.parts(doc)]


def test_the_parts_are_the_top_level_headings_of_the_work_itself():
    doc = _document("Abstract", "Keywords", "1 Introduction", "2 Design", "2.1 Gates", "2.2 Sluices", "3 Evaluation",
                    "4 Conclusion", "Acknowledgements", "References", "Appendix A Proofs")
    assert _titles(doc) == ["Abstract", "1 Introduction", "2 Design", "3 Evaluation", "4 Conclusion", "Appendix A Proofs"]
    for section in outline.parts(doc):
        start, end = outline.heading_span(doc, section)
        assert doc.source[start:end] == section.title


def test_lines_the_pdfs_fonts_set_apart_are_no_parts_where_the_parts_are_numbered():
    doc = _document("Abstract", "Introduction", "1 Design", "Lawrence Livermore National Laboratory", "2 Gates",
                    "2. If a commander receives a message, it waits", "R. E. KALMAN", "45 iterations. This graph suggests",
                    "3 Conclusion")
    assert _titles(doc) == ["Abstract", "Introduction", "1 Design", "2 Gates", "3 Conclusion"]


def test_unnumbered_parts_are_listed_and_lines_that_are_no_heading_left_out():
    assert _titles(_document("Introduction", "Locks", "E D", "Gates", "Sluices", "V (k) ≥ 1", "Tolls", "Conclusion")) == \
        ["Introduction", "Locks", "Gates", "Sluices", "Tolls", "Conclusion"]


def test_too_few_parts_or_too_many_lines_that_are_no_heading_give_no_outline():
    assert _titles(_document("Introduction", "Conclusion")) == []
    assert _titles(_document("Introduction", "RX", "S", "X2)6=(0,0)", "Gates", "Conclusion")) == []


CANAL = """\
# Canal Locks

## Introduction

Canal locks raise boats between levels of water. They were built across Europe.

## Gates

A lock has an upper gate and a lower gate. Keepers opened the sluices by hand.

## Tolls

Tolls paid for the canal locks within ten years.

## Conclusion

Keepers remained necessary until electric sluices came.

## References

Smith, J. (1901). Canals.
"""


@pytest.fixture(scope="module")
def canal(tmp_path_factory) -> Assistant:
    from assistant.encoder import HashingEncoder

    root = tmp_path_factory.mktemp("outline")
    (root / "canal.md").write_text(CANAL, encoding="utf-8")
    build_index(root / "canal.md", root / "idx", encoder=HashingEncoder())
    return Assistant.open(load_index(root / "idx"), HashingEncoder())


def test_the_outline_answers_with_each_heading_cited_exactly(canal):
    answer = canal.ask("How is the paper structured?")
    source = canal.document.source
    assert not answer.abstained and answer.confidence == OUTLINE_CONFIDENCE
    assert [c.text for c in answer.citations] == ["Introduction", "Gates", "Tolls", "Conclusion"]
    assert all(source[c.start : c.end] == c.text and c.paragraph == 0 for c in answer.citations)
    assert answer.answer == "Introduction; Gates; Tolls; Conclusion"
    assert answer.passages  # retrieval's passages are still listed


def test_a_heading_is_shown_as_a_heading_not_a_paragraph(canal):
    answer = canal.ask("What are the sections of the paper?")
    console = Console(no_color=True, width=200, record=True, file=open(os.devnull, "w"))
    console.print(answer_renderable(answer))
    assert "[1] Introduction, heading, chars" in console.export_text()
    assert [s.locator for s in sources_of(answer, canal.document.source)][:2] == ["heading", "heading"]


def test_other_questions_and_a_follow_ups_it_are_answered_from_sentences(canal):
    for answer in (canal.ask("Who opened the sluices?"), canal.ask("How is it organised?", context="What is a lock?")):
        assert answer.answer != "Introduction; Gates; Tolls; Conclusion"
        assert all(c.paragraph > 0 for c in answer.citations)


ROADMAPPED = CANAL.replace("They were built across Europe.", "The rest of this paper is organised as follows. "
                           "Section 2 describes the gates and Section 3 the tolls.")


def test_a_paper_that_says_how_it_is_organised_is_outlined_too_and_its_roadmap_still_answers_about_a_part(tmp_path: Path):
    from assistant.encoder import HashingEncoder

    (tmp_path / "canal.md").write_text(ROADMAPPED, encoding="utf-8")
    build_index(tmp_path / "canal.md", tmp_path / "idx", encoder=HashingEncoder())
    assistant = Assistant.open(load_index(tmp_path / "idx"), HashingEncoder())
    assert assistant.ask("How is the paper organised?").answer == "Introduction; Gates; Tolls; Conclusion"
    assert "Section 2 describes the gates" in assistant.ask("Which section describes the gates?").answer
