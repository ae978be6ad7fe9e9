"""Paragraphs, headings and running headers recovered from PDF text that has no blank lines."""

from assistant.ingest import paragraph_breaks
from assistant.structure import parse

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


def test_running_headers_of_a_paged_document_are_neither_headings_nor_text():
    pages = ["Lighthouse Almanac\n\nFirst page text ends here.", "Lighthouse Almanac\n\nSecond page text.",
             "Lighthouse Almanac\n\nThird page text."]
    text, starts = "", []
    for page in pages:
        starts.append(len(text))
        text += page + "\n\n"
    doc = parse(text, pages=tuple(starts))
    assert all(s.title != "Lighthouse Almanac" for s in doc.sections)
    assert all("Almanac" not in s.text for s in doc.sentences)
    assert all(doc.source[s.start : s.end] == s.text for s in doc.sentences)


def test_repeated_lines_stay_text_when_the_document_has_no_pages():
    doc = parse("Yes.\n\nNo.\n\nYes.\n\nNo.\n\nYes.\n")
    assert sum(s.text == "Yes." for s in doc.sentences) == 3
