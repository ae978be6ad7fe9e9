"""Paragraphs, headings and running headers recovered from PDF text that has no blank lines."""

import pytest

from assistant.ingest import paragraph_breaks
from assistant.structure import display_text, parse

PAGE = """Field Notes on Lighthouses
2.1. Lenses and lamps
The Fresnel lens gathers the light of a small lamp into a beam that ships can see from far
away, and it did so with far less glass than a solid lens of the same power would need in
the towers of the time.
Keepers trimmed the wicks every night.
A second paragraph starts here and runs on for a while, describing the clockwork that turned
the lens and the weights that drove it down the tower.
• Weights fell through the tower.
• The lens turned once a minute.
"""


def test_paragraph_breaks_only_add_newlines():
    marked = paragraph_breaks(PAGE)
    assert marked.replace("\n", "") == PAGE.replace("\n", "")


def test_paragraph_breaks_find_headings_paragraphs_and_bullets():
    doc = parse(paragraph_breaks(PAGE))
    titles = [s.title for s in doc.sections]
    assert "2.1. Lenses and lamps" in titles
    kinds = [p.kind for p in doc.paragraphs]
    assert kinds.count("list_item") == 2
    bodies = [doc.source[p.start : p.end] for p in doc.paragraphs if p.kind == "body"]
    assert any(b.startswith("The Fresnel lens") and b.endswith("the towers of the time.") for b in bodies)
    assert "Keepers trimmed the wicks every night." in bodies  # a short last line ends a paragraph
    assert any(b.startswith("A second paragraph") for b in bodies)


def _paged(pages: list[str]) -> tuple[str, tuple[int, ...]]:
    text, starts = "", []
    for page in pages:
        starts.append(len(text))
        text += page + "\n\n"
    return text, tuple(starts)


def test_running_headers_of_a_paged_document_are_neither_headings_nor_text():
    text, starts = _paged(["Lighthouse Almanac\n\nFirst page text ends here.", "Lighthouse Almanac\n\nSecond page text.",
                           "Lighthouse Almanac\n\nThird page text."])
    doc = parse(text, pages=starts)
    assert all(s.title != "Lighthouse Almanac" for s in doc.sections)
    assert all("Almanac" not in s.text for s in doc.sentences)
    assert all(doc.source[s.start : s.end] == s.text for s in doc.sentences)


def test_repeated_lines_stay_text_when_the_document_has_no_pages():
    doc = parse("Yes.\n\nNo.\n\nYes.\n\nNo.\n\nYes.\n")
    assert sum(s.text == "Yes." for s in doc.sentences) == 3


def test_a_sentence_cut_by_a_page_break_and_running_header_is_one_sentence():
    text, starts = _paged([
        "Lighthouse Almanac\n\nThe keepers trimmed the wicks of\n\nPage footer line\n\n1",
        "Lighthouse Almanac\n\nthe lamps every night. They wound the clockwork.\n\nPage footer line\n\n2",
        "Lighthouse Almanac\n\nThird page text.\n\nPage footer line\n\n3",
    ])
    doc = parse(text, pages=starts)
    joined = next(s for s in doc.sentences if s.text.startswith("The keepers"))
    assert doc.source[joined.start : joined.end] == joined.text  # the record keeps its exact span
    assert "Lighthouse Almanac" in joined.text and "Page footer line" in joined.text
    assert display_text(joined.text) == "The keepers trimmed the wicks of the lamps every night."
    assert all("Almanac" not in display_text(s.text) and "footer" not in display_text(s.text) for s in doc.sentences)


def test_a_header_between_finished_sentences_still_separates_paragraphs():
    text, starts = _paged([
        "Lighthouse Almanac\n\nFirst page ends a sentence.",
        "Lighthouse Almanac\n\nSecond page starts anew.",
        "Lighthouse Almanac\n\nThird page.",
    ])
    doc = parse(text, pages=starts)
    assert [doc.source[p.start : p.end] for p in doc.paragraphs] == [
        "First page ends a sentence.", "Second page starts anew.", "Third page."
    ]


@pytest.mark.parametrize(
    "raw, shown",
    [
        ("wicks of\n\nLighthouse Almanac\n\nthe lamps.", "wicks of the lamps."),
        ("wicks of\n\nAlmanac\n\n12\n\nthe lamps.", "wicks of the lamps."),
        ("wicks.\n\nLighthouse Almanac\n\nthe lamps.", "wicks. Lighthouse Almanac the lamps."),  # a sentence ended
        ("wicks of\n\nLighthouse Almanac\n\nThe lamps.", "wicks of Lighthouse Almanac The lamps."),  # capital after
        ("wicks of\n\nNo. 3 is lit. It burns\n\nthe lamps.", "wicks of No. 3 is lit. It burns the lamps."),  # a sentence
    ],
)
def test_display_drops_furniture_only_inside_a_sentence(raw, shown):
    assert display_text(raw) == shown
