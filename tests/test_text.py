"""The shared text rules (text.py), and the differences between two versions of one rule that are meant."""

from assistant.text import (
    BARE_MARKER, BARE_MARKER_MATCHING, CLOSED_END, LIST_ITEM, LIST_LINE, PAGE_NUMBER, PAGE_NUMBER_LINE, PUNCTUATED_END,
    SENTENCE_END_LINE, SUPERSCRIPT_MARKER, YEAR,
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
