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


# -- PDFs read through PDFium: page offsets, headings from font size, hyphenation -------------


def make_pdf(pages: list[list[tuple[float, str]]]) -> bytes:
    """A PDF written by hand: each page a list of (font size, line) set top-down in Helvetica."""
    def content(lines: list[tuple[float, str]]) -> bytes:
        out, y = [b"BT"], 740.0
        for size, text in lines:
            y -= size * 1.25 + (6 if size > 11 else 0)
            escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("latin-1")
            out.append(b"/F1 %.1f Tf 1 0 0 1 72 %.1f Tm (%s) Tj" % (size, y, escaped))
        return b"\n".join(out + [b"ET"])

    count = len(pages)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(count)), count),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    for i, lines in enumerate(pages):
        stream = content(lines)
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R"
                       b" /Resources << /Font << /F1 3 0 R >> >> >>" % (5 + 2 * i))
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    return pdf_file(objects)


def pdf_file(objects: list[bytes]) -> bytes:
    """A PDF of these numbered objects (the first the catalog), with an exact cross-reference table."""
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


BODY = 10.0
LIGHTHOUSE_PDF = [
    [(20.0, "Keeping the Light"), (BODY, "A report on lighthouses."), (14.0, "1 Introduction"),
     (BODY, "Lighthouses guided ships along dangerous coasts for centuries, and their keepers"),
     (BODY, "lived in small rooms at the foot of the tower with their families and their dogs."),
     (BODY, "Thomas Leonard"),
     (BODY, "kept the light at Inchcape for thirty years and wrote down every ship that passed the"),
     (BODY, "rock in a book that the board kept after his death."),
     (BODY, "Keeping the Light"), (BODY, "1")],
    [(14.0, "2 Lenses and lamps"),
     (BODY, "The Fresnel lens gathers the light of a small lamp into a beam that ships could see"),
     (BODY, "from far away, and it did so with far less glass than a solid lens of the same distri-"),
     (BODY, "bution of power would need in the towers of the time."),
     (8.0, "4 CARD32 ICON_NAME_OFFSET"),
     (BODY, "Keepers trimmed the wicks every night and wound the clockwork that turned the lens."),
     (BODY, "Keeping the Light"), (BODY, "2")],
    [(14.0, "3 What became of the keepers?"),
     (BODY, "Automatic lamps replaced the keepers in the twentieth century, one tower after another,"),
     (BODY, "until the last of them left the rock and the light went on burning without anyone."),
     (BODY, "Keeping the Light"), (BODY, "3")],
]


@pytest.fixture
def lighthouse_pdf(tmp_path):
    path = tmp_path / "lighthouse.pdf"
    path.write_bytes(make_pdf(LIGHTHOUSE_PDF))
    return path


def test_every_offset_has_its_page(lighthouse_pdf):
    from assistant.ingest import read_document

    raw = read_document(lighthouse_pdf)
    assert len(raw.pages) == 3 and raw.pages[0] == 0
    for number, first_words in enumerate(["Keeping the Light", "2 Lenses and lamps", "3 What became"]):
        start = raw.pages[number]
        end = raw.pages[number + 1] if number + 1 < len(raw.pages) else len(raw.text)
        assert raw.text[start:].startswith(first_words)
        assert raw.text[start:end].rstrip().endswith(str(number + 1))  # the page's own number closes it
    doc = parse(raw.text, pages=raw.pages, headings=raw.headings)
    import bisect

    lamps = next(s for s in doc.sentences if "Fresnel" in s.text)
    assert bisect.bisect_right(doc.pages, lamps.start) == 2  # 1-based page of the sentence
    assert all(doc.source[s.start : s.end] == s.text for s in doc.sentences)


def test_headings_come_from_font_size_not_from_short_lines(lighthouse_pdf):
    from assistant.ingest import read_document

    raw = read_document(lighthouse_pdf)
    doc = parse(raw.text, pages=raw.pages, headings=raw.headings)
    titles = [s.title for s in doc.sections]
    assert "1 Introduction" in titles and "2 Lenses and lamps" in titles
    assert "3 What became of the keepers?" in titles  # a question is a heading when its font says so
    assert "Thomas Leonard" not in titles  # a short body-size line is text, not a section
    assert "4 CARD32 ICON_NAME_OFFSET" not in titles  # smaller than the body: not a heading
    assert "Keeping the Light" not in titles[1:]  # the running header is furniture


def test_a_word_hyphenated_across_lines_is_joined(lighthouse_pdf):
    from assistant.ingest import read_document

    text = read_document(lighthouse_pdf).text
    assert "distribution of power" in text and "distri-" not in text


def test_without_font_sizes_the_shape_of_lines_decides():
    from assistant.ingest import PdfLine, heading_lines

    same = [[PdfLine("1 Introduction", BODY, False), PdfLine("Body text of the page goes here.", BODY, False)]]
    assert heading_lines(same) is None


# -- running headers and footers that carry the page number ----------------------------------

FOOTED_PDF = [
    [(20.0, "Harbour Lights"), (14.0, "1 Towers"),
     (BODY, "The first towers burned coal in open braziers on the headland, and the keepers carried it up"),
     (BODY, "the stairs in baskets every evening while the ships waited for the light to appear over the"),
     (BODY, "To appear in Coastal Studies 2031 1")],
    [(BODY, "water, and the coal smoke blackened the glass of every lantern that was later fitted to the"),
     (BODY, "towers, so that the lamps gave a weaker light than their makers had prom-"),
     (BODY, "To appear in Coastal Studies 2031 2")],
    [(BODY, "ised to the harbour board when the towers were built along the northern coast."),
     (BODY, "Oil lamps replaced the braziers in the end."),
     (BODY, "To appear in Coastal Studies 2031 3")],
]


def test_a_running_footer_with_the_page_number_leaves_the_text_and_the_word_it_split_is_joined(tmp_path):
    from assistant.ingest import read_document

    path = tmp_path / "footed.pdf"
    path.write_bytes(make_pdf(FOOTED_PDF))
    raw = read_document(path)
    assert "To appear" not in raw.text and "Coastal Studies" not in raw.text
    assert "had promised to the harbour board" in raw.text  # joined over the footer and the page break
    doc = parse(raw.text, pages=raw.pages, headings=raw.headings)
    (sentence,) = [s for s in doc.sentences if "coal smoke" in s.text]
    assert display_text(sentence.text).endswith("than their makers had promised to the harbour board when the towers "
                                                "were built along the northern coast.")
    assert all(doc.source[s.start : s.end] == s.text for s in doc.sentences)
    assert raw.text.startswith("Harbour Lights")


def _line(text: str, y: float, hyphen: bool = False):
    from assistant.ingest import PdfLine

    return PdfLine(text, BODY, False, y, hyphen)


def _page(first: str, last: str, *body: str) -> list:
    return [_line(first, 740.0), *(_line(t, 700.0 - 12 * i) for i, t in enumerate(body)), _line(last, 60.0)]


def test_running_lines_repeat_at_page_edges_on_pages_close_together():
    from assistant.ingest import running_lines

    pages = [_page("Keeping the Light", f"Notes and Records {n + 1}", "Body text of the page goes on here.")
             for n in range(4)]
    assert running_lines(pages) == [{2}, {0, 2}, {0, 2}, {0, 2}]  # the first page's title stays, its footer goes
    words = "amber birch cedar delta ember fjord grove heath inlet jetty kelp lagoon".split()
    chapters = [_page("Chapter 2" if n in (0, 5, 10) else f"The {w} opens this page.", f"The {w} ends it.",
                      "More body text here.") for n, w in enumerate(words)]
    assert not any(running_lines(chapters))  # a chapter label opens a page now and then: it is text
    middle = [[_line(f"The {w} at the top.", 740.0), _line("Keeping the Light", 400.0), _line(f"The {w} below.", 60.0)]
              for w in words[:4]]
    assert not any(running_lines(middle))  # the same line mid-page is not page furniture


def test_a_hyphenated_word_joins_only_a_line_that_goes_on_in_lower_case():
    from assistant.ingest import without_running_lines

    pages = [[_line("a central scheduler that as-"[:-1], 100.0, hyphen=True), _line("Figure 3: Tablet servers", 80.0)],
             [_line("an ap", 100.0, hyphen=True), _line("plication that reads.", 80.0)]]
    first, second = without_running_lines(pages)
    assert [line.text for line in first] == ["a central scheduler that as", "Figure 3: Tablet servers"]
    assert [line.text for line in second] == ["an application that reads."]


# -- headings set in the body font -----------------------------------------------------------

BODY_FONT_HEADINGS_PDF = [
    [(20.0, "Keeping the Light"), (14.0, "1 Introduction"),
     (BODY, "Lighthouses guided ships along dangerous coasts for centuries, and their keepers lived"),
     (BODY, "in small rooms at the foot of the tower with their families."),
     (BODY, "1.1 Keys and searching"),
     (BODY, "Keepers searched the shore for wrecks after every storm, and they kept the keys of the"),
     (BODY, "tower on a ring by the door."),
     (BODY, "2015 was the year the last keeper left the rock, and the light went on burning on its"),
     (BODY, "own after that."),
     (BODY, "The keepers followed three rules:"),
     (BODY, "1. Each variable forms a column."),
     (BODY, "2. Each lamp burns oil"),
     (BODY, "3. Each keeper sleeps by day"),
     (BODY, "The rules held for a century."),
     (BODY, "1.2 LENSES AND LAMPS OF THE"),
     (BODY, "NORTHERN TOWERS"),
     (BODY, "The Fresnel lens gathers the light of a small lamp into a beam that ships could see.")],
    [(14.0, "2 Towers"),
     (BODY, "The towers were built of granite blocks that were cut on the mainland and shipped out."),
     (BODY, "2.1 Stairs"),
     (BODY, "A stair of a hundred steps wound up the inside of the tower to the lantern room."),
     (BODY, "References"),
     (BODY, "Stevenson, R. (1824). An Account of the Bell Rock Lighthouse. Edinburgh.")],
]


@pytest.fixture
def body_font_headings(tmp_path):
    from assistant.ingest import read_document

    path = tmp_path / "headings.pdf"
    path.write_bytes(make_pdf(BODY_FONT_HEADINGS_PDF))
    raw = read_document(path)
    return parse(raw.text, pages=raw.pages, headings=raw.headings)


def test_a_numbered_heading_in_the_body_font_is_a_section(body_font_headings):
    doc = body_font_headings
    titles = [s.title for s in doc.sections]
    assert titles[1:] == ["1 Introduction", "1.1 Keys and searching", "1.2 LENSES AND LAMPS OF THE NORTHERN TOWERS",
                          "2 Towers", "2.1 Stairs", "References"]
    assert [s.kind for s in doc.sections][-1] == "references"
    assert any(s.text.startswith("Keepers searched the shore") for s in doc.sentences)  # not "1.1 Keys and ... Keepers"
    assert not any(s.text.startswith(("1.1", "1.2", "2.1", "References")) for s in doc.sentences)


def test_a_numbered_list_item_or_a_year_in_the_body_font_is_no_heading(body_font_headings):
    doc = body_font_headings
    titles = [s.title for s in doc.sections]
    assert not any(title.startswith(("1. Each", "2. Each", "3. Each", "2015")) for title in titles)
    starts = [display_text(s.text) for s in doc.sentences]
    assert "1. Each variable forms a column." in starts
    assert any(s.startswith("2015 was the year the last keeper left the rock") for s in starts)
    assert any(s.startswith("3. Each keeper sleeps by day") for s in starts)


def test_body_font_headings_need_a_numbering_that_goes_on():
    from assistant.ingest import _follows, _numbered_run

    assert _follows((2,), (2, 1)) and _follows((2, 3), (3,)) and _follows((4, 2), (4, 4))
    assert not _follows((2,), (2, 2)) and not _follows((3,), (1,)) and not _follows((1,), (2015,))
    # a table's rows (7, 8, 9 ...) start nowhere; the sections of a licence start anew at 0
    assert _numbered_run([((7,), False), ((8,), False), ((9,), False)]) == []
    assert _numbered_run([((1,), True), ((1, 1), False), ((7,), False), ((2,), True)]) == [0, 1, 3]


def test_a_repository_cover_page_is_left_empty_so_the_papers_own_title_opens_the_text():
    from assistant.ingest import PdfLine, without_cover

    cover = [PdfLine("See discussions, stats, and author profiles for this publication at: https://www.researchgate.net/x", BODY, False),
             PdfLine("10 authors, including:", BODY, False)]
    paper = [PdfLine("ESSENTIA: AN AUDIO ANALYSIS LIBRARY", BODY, True), PdfLine("Dmitry Bogdanov", BODY, False)]
    assert without_cover([cover, paper]) == [[], paper]  # the page stays, so every page keeps its number
    assert without_cover([paper, cover]) == [paper, cover]  # only a first page is a cover
    assert without_cover([cover]) == [cover]  # nothing follows it: it is the document
    portal = [PdfLine("General rights", BODY, True), PdfLine("Copyright and moral rights for the publications made accessible in the "
                                                         "public portal are retained by the authors", BODY, False)]
    assert without_cover([portal, paper]) == [[], paper]  # a university portal's (DTU Orbit's) cover


def test_a_columns_footnotes_drawn_mid_sentence_move_to_the_page_end():
    from assistant.ingest import PdfLine, footnotes_last

    small = BODY * 0.8
    page = [PdfLine("and CLAM Music Annotator [2]. Furthermore, a number", BODY, False, 178),
            PdfLine("1 http://sourceforge.net/projects/yaafe", small, False, 161),
            PdfLine("Permission to make digital or hard copies of all or part of this work", small, False, 129),
            PdfLine("of Vamp plugins were developed by different researchers", BODY, False, 616),
            PdfLine("for computation of music descriptors.", BODY, False, 603)]
    assert [line.text for line in footnotes_last(page)] == [page[0].text, page[3].text, page[4].text, page[1].text, page[2].text]
    table = [page[0], PdfLine("(a) Raw data", small, False, 161), page[3]]  # a table's small print is no footnote
    assert footnotes_last(table) == table
    below = [page[0], page[1], PdfLine("the next line of the same column", BODY, False, 150)]  # no jump up: not a column's end
    assert footnotes_last(below) == below


def _one_line_pdf(text: bytes, k_width: int) -> bytes:
    """A page of one Helvetica line whose font declares the letter k ``k_width`` thousandths of an em wide."""
    widths = b" ".join(b"%d" % (k_width if c == ord("k") else 556) for c in range(32, 127))
    stream = b"BT /F1 10 Tf 1 0 0 1 72 700 Tm (" + text + b") Tj ET"
    return pdf_file([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
                     b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /FirstChar 32 /LastChar 126 /Widths [" + widths + b"] >>",
                     b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 5 0 R /Resources << /Font << /F1 3 0 R >> >> >>",
                     b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"])


def test_words_set_apart_without_a_space_character_are_read_apart(tmp_path):
    from assistant.ingest import read_document

    text = b"Each chunkis identified by the networktopology, as networking demands."
    wide, plain = tmp_path / "wide.pdf", tmp_path / "plain.pdf"
    wide.write_bytes(_one_line_pdf(text, 956))  # each k is followed by a gap PDFium writes no space for (as in GFS)
    plain.write_bytes(_one_line_pdf(text, 556))
    assert read_document(wide).text.strip() == "Each chunk is identified by the network topology, as networking demands."
    assert read_document(plain).text.strip() == text.decode()  # letters that touch stay one word


def test_a_capitalised_word_is_split_only_before_a_long_word(tmp_path):
    from assistant.ingest import read_document

    wide = tmp_path / "wide.pdf"  # as the ASAP paper's byline set "Bailis": not "Bail is"
    wide.write_bytes(_one_line_pdf(b"Parkis wrote that Chunkcreation is fast.", 956))
    assert read_document(wide).text.strip() == "Parkis wrote that Chunk creation is fast."


def test_a_caption_drawn_mid_sentence_moves_after_the_sentence():
    from assistant.ingest import PdfLine, captions_after_sentence

    page = [PdfLine("These systems tend to be described in the research literature at a very early", BODY, False, 60),
            PdfLine("Figure 1: The path taken through a simple serving", BODY, True, 539),
            PdfLine("system on behalf of a user request.", BODY, True, 527),
            PdfLine("point in their development, before there is an opportunity", BODY, False, 483),
            PdfLine("to evaluate important design choices.", BODY, False, 471),
            PdfLine("Although Dapper shares many of its ideas with them, it differs.", BODY, False, 459)]
    moved = captions_after_sentence(page)
    assert [line.text for line in moved] == [page[i].text for i in (0, 3, 4, 1, 2, 5)]
    cells = [PdfLine("Total 198 48", BODY, False, 300), *page[1:]]  # after a table cell: not a sentence it interrupts
    assert captions_after_sentence(cells) == cells
    ended = [PdfLine("These systems tend to be described in the research literature early.", BODY, False, 60), *page[1:]]
    assert captions_after_sentence(ended) == ended  # the sentence before it had ended


def test_a_figure_drawn_mid_sentence_moves_after_the_sentence_as_its_own_paragraph():
    from assistant.ingest import PdfLine, _assemble, figures_after_sentence

    sentence = PdfLine("The recovery scheme described here does not guarantee that operations will be applied", BODY, False, 700)
    figure = [PdfLine("Recovery's initial LSN estimates 0 0 0 0", 8.8, False, 686), PdfLine("Page #", 8.8, False, 670),
              PdfLine("Figure 2: LSN estimation. If a page was not mentioned", 9.0, False, 589),
              PdfLine("in the log, it must have been up-to-date on disk.", 9.0, False, 578)]
    rest = [PdfLine("exactly once, or even that they will be presented with a", BODY, False, 527),
            PdfLine("self-consistent version of a page during recovery of the store.", BODY, False, 515),
            PdfLine("Recovery then reads the log forwards from its last checkpoint.", BODY, False, 503)]
    page = [sentence, *figure, *rest]
    moved = figures_after_sentence([page])[0]
    assert [line.text for line in moved] == [line.text for line in (sentence, rest[0], rest[1], *figure, rest[2])]
    assert [line.apart for line in moved] == [False, False, False, True, True, True, True, False]
    text = _assemble([moved])[0]
    assert "applied\nexactly once" in text and "of the store.\n\nRecovery's initial" in text
    assert "disk.\n\nRecovery then" in text  # the figure is a paragraph of its own
    assert "Page #\n\nFigure 2: LSN estimation." in text  # and its caption one apart from its text
    on_next_page = figures_after_sentence([[sentence], [*figure, *rest]])  # the figure opens the next page
    assert [line.text for line in on_next_page[1]] == [line.text for line in (rest[0], rest[1], *figure, rest[2])]
    ended = PdfLine("The recovery scheme described here guarantees that operations are applied.", BODY, False, 700)
    assert figures_after_sentence([[ended, *figure, *rest]]) == [[ended, *figure, *rest]]  # no sentence was cut
    capital = [PdfLine("Exactly once, or even that they will be presented with a", BODY, False, 527), *rest[1:]]
    assert figures_after_sentence([[sentence, *figure, *capital]]) == [[sentence, *figure, *capital]]
    prose = PdfLine("As Figure 1.b shows, the graph has three cycles and one of", 9.0, False, 600)  # prose, not a caption
    assert figures_after_sentence([[sentence, figure[0], prose, *rest]]) == [[sentence, figure[0], prose, *rest]]


def test_a_caption_whose_next_line_is_its_own_is_not_taken_for_a_cut_sentence():
    from assistant.ingest import PdfLine, figures_after_sentence

    page = [PdfLine("Over a set of benchmarks we show that liquid types greatly reduce the", BODY, False, 700),
            PdfLine("bitv 426 10757 65 (15%)", 7.0, False, 584),
            PdfLine("Table 1. Experimental Results: Size is the amount of program", BODY, True, 563),
            PdfLine("text (without annotation) after removing whitespace and comments.", BODY, False, 553),
            PdfLine("burden of manual annotation by an order of magnitude or more.", BODY, False, 540)]
    assert figures_after_sentence([page]) == [page]


def test_an_arxiv_stamp_read_inside_a_sentence_goes_first_on_its_page():
    from assistant.ingest import PdfLine, stamp_first

    page = [PdfLine("A Wait-Free Stack", 17.0, True, 700), PdfLine("The pop operation marks the node. Over time, more and more", BODY, False, 120),
            PdfLine("arXiv:1510.00116v1 [cs.DC] 1 Oct 2015", 20.0, False, 300)]
    assert [line.text for line in stamp_first(page)] == [page[2].text, page[0].text, page[1].text]
    assert stamp_first(stamp_first(page)) == stamp_first(page)
    cited = [page[0], PdfLine("[5] Aubry M, Russell B. 2015 Understanding deep features,", BODY, False, 200),
             PdfLine("arXiv:1506.01151.", BODY, False, 190)]
    assert stamp_first(cited) == cited  # a reference's arXiv number is no stamp
    old = [page[0], PdfLine("arXiv:quant-ph/9508027v2 25 Jan 1996", 20.0, False, 300)]
    assert stamp_first(old)[0] == old[1]


def test_a_sentence_a_pages_footnote_interrupts_reads_whole():
    from assistant.ingest import PdfLine, footnotes_last, notes_after_sentence

    small = BODY * 0.8
    first = footnotes_last([PdfLine("the body of the page goes on for a while here and", BODY, False, 300),
                            PdfLine("it does suggest that top-down testing, say", BODY, False, 158),
                            PdfLine("1Throughout this paper, we use the standard terms.", small, False, 142),
                            PdfLine("1", BODY, False, 43)])
    assert [line.note for line in first] == [False, False, True, False]  # at the page's end: marked where it stands
    second = [PdfLine("using input and error injection techniques, will be", BODY, False, 700),
              PdfLine("challenged by the large input.", BODY, False, 688),
              PdfLine("We further studied the failures.", BODY, False, 676)]
    one, two = notes_after_sentence([first, second])
    assert [line.text for line in one] == [
        first[0].text, first[1].text, second[0].text, second[1].text, first[2].text, "1"]
    assert [line.text for line in two] == ["We further studied the failures."]


def test_a_running_line_may_be_as_long_as_a_usenix_footer():
    from assistant.ingest import running_key

    footer = "USENIX Association 11th USENIX Symposium on Operating Systems Design and Implementation (OSDI ’14) 249"
    assert running_key(footer) == running_key(footer.replace("249", "251")) is not None


def test_a_scans_stray_mark_at_a_running_lines_edge_does_not_hide_it():
    """An old scan reads one page's running title as "-Impossibility of ... Process 377": with the mark the title
    stood on too few pages to be dropped, and it was spliced into a sentence ("which we -Impossibility ...")."""
    from assistant.ingest import running_key

    title = "Impossibility of Distributed Consensus with One Faulty Process 379"
    assert running_key("-" + title.replace("379", "377")) == running_key(title) == running_key("· " + title + " ·")
    assert running_key("a-b test") == "a-b test"  # inside a line a hyphen is text


@pytest.mark.parametrize("text, readable", [
    ("Iran and Russia met in Astana, 2017 (see [3]).", True),
    ("Иран и Россия встретились в Астане.", True),  # any script's letters are letters
    ("The cost is O(n log n) for n = 10^4 keys, as Table 2 shows.", True),  # formulas among words
    ("#%$'&)(+*-,/.102.43652& 78&:9;02.4<=3=9?>@*A5CBDE$'3=F)9G&IH'>652&", False),
])
def test_readable_share_tells_words_from_symbol_soup(text, readable):
    from assistant.ingest import MIN_READABLE, readable_share

    assert (readable_share(text) >= MIN_READABLE) is readable


def test_a_compound_broken_at_its_hyphen_keeps_it():
    from collections import Counter

    from assistant.hyphenation import document_words, keeps_hyphen

    words = frozenset({"object", "placement", "distribution", "throughout", "through", "out", "select"})
    seen = document_words(["the object placement and peer-to-peer", "distri", "bution", "tract servers",
                           "a tractserver"], [("distri", "bution")])
    assert seen["distri"] == 0 and seen["object"] == 1  # the halves of a break are no words of the document
    assert keeps_hyphen("object", "placement", seen, words)  # both halves are words; joined, none
    assert not keeps_hyphen("distri", "bution", seen, words)  # halves of one word
    assert not keeps_hyphen("through", "out", seen, words)  # the word list knows it whole
    assert not keeps_hyphen("tract", "server", seen, words)  # the document writes it whole ("tractservers" too)
    assert keeps_hyphen("peer", "to", seen, frozenset())  # the document writes it hyphenated
    assert not keeps_hyphen("select", "able", Counter(), words)  # a suffix
    assert not keeps_hyphen("un", "planned", Counter({"planned": 2}), words)  # a prefix


def test_a_hyphenated_compound_across_lines_keeps_its_hyphen_in_the_text():
    from assistant.ingest import without_running_lines

    pages = [[_line("the object", 100.0, hyphen=True), _line("placement of each replica and the repli", 90.0, hyphen=True),
              _line("cation of an object.", 80.0)]]
    [page] = without_running_lines(pages)
    assert [line.text for line in page] == ["the object-placement of each replica and the replication of an object."]


@pytest.mark.parametrize("first_lines, title", [
    # a title opening with "A" is no section, nor are the names under it
    ([(20.0, "A Study of Lighthouse Keepers"), (14.0, "Ana Ruiz and Bo Lindqvist")], "A Study of Lighthouse Keepers"),
    # a title's last word on a line of its own is no section
    ([(20.0, "Herbivore: A Scalable Protocol for Anonymous"), (20.0, "Communication"), (BODY, "Ana Ruiz and Bo Lindqvist")],
     "Herbivore: A Scalable Protocol for Anonymous Communication"),
])
def test_title_page_lines_are_no_sections(tmp_path, first_lines, title):
    from assistant.ingest import read_document

    path = tmp_path / "first-page.pdf"
    path.write_bytes(make_pdf([[*first_lines, (14.0, "1 Introduction"),
                                (BODY, "Lighthouses guided ships along dangerous coasts for centuries, and their keepers"),
                                (BODY, "lived in small rooms at the foot of the tower with their families and their dogs.")]]))
    raw = read_document(path)
    doc = parse(raw.text, pages=raw.pages, headings=raw.headings)
    assert [s.title for s in doc.sections] == ["Front matter", "1 Introduction"]
    assert doc.title == title


# -- the title a PDF's fonts tell (ingest.pdf_title) ------------------------------------------

def _set(text: str, size: float, y: float):
    from assistant.ingest import PdfLine

    return PdfLine(text, size, False, y)


def _first_page(*top):
    body = [_set("Abstract", BODY, 500.0), *(_set(f"Body text line {i} of the page, set in the usual size.", BODY, 480.0 - 12 * i)
                                             for i in range(30))]
    return [[*top, *body], [_set("More body text on the next page, in the usual size.", BODY, 700.0)] * 20]


def test_a_title_the_pdf_set_on_three_lines_is_whole():
    from assistant.ingest import pdf_title

    page = _first_page(_set("An Axiomatic Tern Basis for", 20.0, 700.0), _set("Computer Counting of", 20.0, 676.0),
                       _set("Migrating Seabirds∗", 20.0, 652.0), _set("Ana Ruiz", 12.0, 620.0))
    assert pdf_title(page) == "An Axiomatic Tern Basis for Computer Counting of Migrating Seabirds"


def test_a_venue_line_or_an_arxiv_stamp_set_large_is_not_the_title():
    from assistant.ingest import pdf_title

    page = _first_page(_set("arXiv:math/0501170v3 [math.CO] 25 Jan 2005", 24.0, 760.0),
                       _set("Proceedings of the 2015 USENIX Annual Technical Conference", 24.0, 730.0),
                       _set("1240", 24.0, 715.0), _set("The Tern Migration Atlas", 18.0, 700.0))
    assert pdf_title(page) == "The Tern Migration Atlas"


def test_a_subtitle_joins_the_title_and_a_byline_does_not():
    from assistant.ingest import pdf_title

    subtitled = _first_page(_set("The Tern Counts:", 20.0, 700.0), _set("Bringing Order to the Seabird Census", 14.0, 680.0),
                            _set("Ana Ruiz, Bo Lindqvist", 14.0, 660.0))
    assert pdf_title(subtitled) == "The Tern Counts: Bringing Order to the Seabird Census"
    bylined = _first_page(_set("The Tern Migration Atlas", 20.0, 700.0), _set("Ana Ruiz∗ Bo C. Lindqvist†", 14.0, 680.0))
    assert pdf_title(bylined) == "The Tern Migration Atlas"


def test_no_title_when_no_line_stands_out_or_no_size_was_read():
    from assistant.ingest import pdf_title

    assert pdf_title(_first_page(_set("The Tern Migration Atlas", BODY, 700.0))) is None
    flat = [[_set("The Tern Migration Atlas", 0.1, 700.0), *(_set("Body text, size unread.", 0.0, 600.0 - i) for i in range(40))]]
    assert pdf_title(flat) is None


def test_the_fonts_title_names_the_built_document(tmp_path, fake_encoder):
    """A PDF whose title runs over two lines (the second alone would read as a byline: "Computer
    Programming") is indexed under its whole title."""
    from assistant.index import build_index

    body = [(BODY, f"Line {i} of the body text explains how terns are counted on the coast.") for i in range(12)]
    pdf = tmp_path / "terns.pdf"
    pdf.write_bytes(make_pdf([[(20.0, "An Axiomatic Basis for"), (20.0, "Computer Programming"), (BODY, "Ana Ruiz"),
                               (14.0, "1 Introduction"), *body], [*body]]))
    manifest = build_index(pdf, tmp_path / "index", encoder=fake_encoder)
    assert manifest["title"] == "An Axiomatic Basis for Computer Programming"


def test_a_byline_under_a_title_a_cover_set_as_a_heading_is_front_matter(tmp_path):
    """A publisher's cover line set as a heading (USENIX's "2015 USENIX Annual Technical Conference") puts
    the title and byline in a section of their own; the byline is still front matter, which "Who wrote
    this paper?" is answered from, not body text."""
    from assistant import overview
    from assistant.ingest import read_document

    body = [(BODY, f"Line {i} of the body text explains how terns are counted on the coast of the sea.") for i in range(14)]
    pdf = tmp_path / "terns.pdf"
    pdf.write_bytes(make_pdf([[(14.0, "2015 USENIX Annual Technical Conference"), (BODY, "is sponsored by USENIX."),
                               (20.0, "Tern Counting: A Cheap Alternative"), (BODY, "Ana Ruiz, Coastal Labs; Bo Lindqvist, North Sea Labs"),
                               (14.0, "Abstract"), *body[:4], (14.0, "1 Introduction"), *body[4:]], [*body]]))
    raw = read_document(pdf)
    doc = parse(raw.text, pages=raw.pages, headings=raw.headings, title=raw.title)
    zones = dict(zip((s.text for s in doc.sentences), overview.layout(doc).zones))
    assert zones["Ana Ruiz, Coastal Labs; Bo Lindqvist, North Sea Labs"] == "front"


def test_the_first_pages_running_venue_footer_is_kept_first_on_its_page():
    from assistant.ingest import without_running_lines

    pages = [_page("Keeping the Light", f"Published in the Proceedings of LIGHT 2012 {n + 1}", "Body text of the page goes on here.")
             for n in range(4)]
    kept = [[line.text for line in page] for page in without_running_lines(pages)]
    assert kept[0] == ["Published in the Proceedings of LIGHT 2012 1", "Keeping the Light", "Body text of the page goes on here."]
    assert kept[1] == ["Body text of the page goes on here."]  # on the other pages it is page furniture
    plain = [_page("Keeping the Light", f"Notes and Records {n + 1}", "Body text of the page goes on here.") for n in range(4)]
    assert [line.text for line in without_running_lines(plain)[0]] == ["Keeping the Light", "Body text of the page goes on here."]


def test_a_title_set_after_the_first_column_is_read_from_the_whole_first_page():
    from assistant.ingest import pdf_title

    column = [_set(f"Body text line {i} of the first column, in the usual size.", BODY, 700.0 - 12 * i) for i in range(45)]
    page = [[_set("Introduction", 12.0, 720.0), *column, _set("A New Approach to Tern", 20.0, 760.0),
             _set("Counting Problems1", 20.0, 736.0), _set("R. E. KALMAN", 12.0, 700.0)],
            [_set("More body text on the next page, in the usual size.", BODY, 700.0)] * 20]
    assert pdf_title(page) == "A New Approach to Tern Counting Problems"
    headed = [[_set("Summary", 16.0, 760.0), *column], [_set("More body text on the next page.", BODY, 700.0)] * 20]
    assert pdf_title(headed) is None  # a part's heading set large is no title


def test_a_character_beyond_the_basic_plane_is_read_as_one_character(tmp_path):
    """PDFium gives "𝑛" (U+1D45B, a font's mathematical italic n) as two UTF-16 codes; the text holds the
    character itself, which a tokenizer and a UTF-8 file take (the lone codes made indexing fail)."""
    from assistant.ingest import paired, read_document

    cmap = (b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Adobe-Identity-UCS def "
            b"1 begincodespacerange <00> <FF> endcodespacerange 1 beginbfchar <23> <D835DC5B> endbfchar "
            b"endcmap CMapName currentdict /CMap defineresource pop end end")
    stream = b"BT /F1 10 Tf 1 0 0 1 72 700 Tm (Intervals shrink as 1/sqrt # when # is the number of users.) Tj ET"
    pdf = tmp_path / "math.pdf"
    pdf.write_bytes(pdf_file([
        b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 5 0 R /Resources << /Font << /F1 3 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"\nendstream"]))
    text = read_document(pdf).text
    assert "1/sqrt \U0001d45b when \U0001d45b is the number of users." in text
    text.encode("utf-8")  # no lone surrogate left
    assert paired("a\ud835b") == "a\ufffdb"  # a code without its pair
