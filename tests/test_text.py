"""The shared text rules (text.py), and the differences between two versions of one rule that are meant."""

import os

import pytest

from assistant.text import (
    BARE_MARKER, BARE_MARKER_MATCHING, CLOSED_END, LIST_ITEM, LIST_LINE, PAGE_NUMBER, PAGE_NUMBER_LINE, PUNCTUATED_END,
    SENTENCE_END_LINE, SUPERSCRIPT_MARKER, YEAR, cut_marks, note_marks, stops_short,
)


def test_footnote_markers_are_linked_up_to_three_digits_and_matched_away_up_to_two():
    assert BARE_MARKER.search('the states".105 said').group(1) == "105"
    assert BARE_MARKER_MATCHING.search('the states".105 said') is None
    assert [m.group(1) for m in BARE_MARKER_MATCHING.finditer("the invasion. 39 Then in 2015. 7")] == ["39", "7"]
    assert BARE_MARKER.search("in 2015 39 times") is None  # only right after sentence punctuation
    assert SUPERSCRIPT_MARKER.findall("Syria³⁶ and Iraq⁴") == ["³⁶", "⁴"]


def test_a_numbered_or_dashed_line_starts_a_pdf_block_but_is_no_list_item():
    for line in ("1. Introduction", "– an aside"):
        assert LIST_LINE.match(line) and not LIST_ITEM.match(line), line
    for line in ("- item", "• item", "  ▪ item", "(3) item", "12) item", "a) item"):
        assert LIST_LINE.match(line) and LIST_ITEM.match(line), line
    for line in ("Iran and Russia", "-1 degree", "2019 was"):
        assert not LIST_LINE.match(line) and not LIST_ITEM.match(line), line


def test_three_line_end_rules():
    assert SENTENCE_END_LINE.search('as he said."¹²') and SENTENCE_END_LINE.search("as follows:")
    assert not SENTENCE_END_LINE.search("Iran, Russia,") and not SENTENCE_END_LINE.search("(see above);")
    assert PUNCTUATED_END.search("Iran, Russia,") and PUNCTUATED_END.search("(see above);")
    assert not PUNCTUATED_END.search("Regional Security")
    assert CLOSED_END.search("and so on…  ") and CLOSED_END.search("(2019)") and not CLOSED_END.search("the war in")


def test_page_numbers_and_years():
    assert PAGE_NUMBER.fullmatch(" 12 \n") and not PAGE_NUMBER.fullmatch("2019") and not PAGE_NUMBER.fullmatch("p. 12")
    assert [m.group(0).strip() for m in PAGE_NUMBER_LINE.finditer("text\n 12 \nmore 13\n7")] == ["12", "7"]
    assert YEAR.findall("in 1867, 1999 and 2021, not 2150, 1700 or 12019") == ["1867", "1999", "2021"]


# -- note markers as shown ------------------------------------------------------------------

@pytest.mark.parametrize(("text", "numbers", "shown"), [
    ("policy in the region. 41 Russia's role", [41], "policy in the region.⁴¹ Russia's role"),
    ('the states".14 Later', [14], 'the states".¹⁴ Later'),
    ("in the region. 41 Russia's role", [7], "in the region. 41 Russia's role"),  # not a note it cites
    ("It spent 16 billion. 2012 was", [16, 2012], "It spent 16 billion. 2012 was"),  # not after punctuation / 4 digits
    ("nothing cited. 41 here", [], "nothing cited. 41 here"),
])
def test_note_marks_superscript_only_the_cited_notes_markers(text, numbers, shown):
    assert note_marks(text, numbers) == shown


def test_answers_show_a_cited_notes_marker_as_superscript_and_keep_the_exact_slice():
    from rich.console import Console

    from assistant.records import Answer, Citation, CitedNote
    from assistant.render import answer_json, answer_renderable
    from assistant.transcript import answer_markdown

    source = "Syria mattered to Russia's policy in the region. 41 Russia's army came in 2015."
    citation = Citation(1, "s00-c000", "Russia", 1, 0, len(source), source, (CitedNote(41, "A thesis, p. 32"),))
    answer = Answer("Why Syria?", source, False, 0.8, (citation,), ())
    console = Console(no_color=True, width=200, record=True, file=open(os.devnull, "w"))
    console.print(answer_renderable(answer))
    assert "region.⁴¹ Russia's army" in console.export_text()
    assert "region.⁴¹ Russia's army" in answer_markdown(answer, source)
    assert answer_json(answer)["citations"][0]["text"] == source  # JSON keeps the exact slice


@pytest.mark.parametrize("text, short", [
    ("pushing for a deal at a", True),
    ("It is also necessary to take into account the combination", True),
    ("Overcoming the consequences of imposed", True),
    ("The quay still stands.", False),
    ("a stable state of equilibrium. ¹⁰", False),  # the paper's marker after a space
    ("the tools of its foreign policy. 12", False),
    ("the speeches show it.¹⁷", False),
    ('as "the new goal."', False),
    ("Why did it happen?", False),
    ("Russia's goals are these:", False),
    ("", False),
    ("the ships passed the rock,", True),
    ("Chapter 2", False),  # a label, a byline or a date ends as it likes
    ("Jasmin Blanchette Trolltech, a Nokia company June 19, 2008", False),
    ("Shared MIME-info Database", False),
])
def test_a_sentence_stops_short_when_it_ends_without_closing_punctuation(text, short):
    assert stops_short(text) is short


def test_cut_marks_put_an_ellipsis_where_the_quote_is_cut():
    assert cut_marks("pushing for a deal at a", False, True) == "pushing for a deal at a …"
    assert cut_marks("when the fleet was ready.", True, False) == "… when the fleet was ready."
    assert cut_marks("Whole.", False, False) == "Whole."
