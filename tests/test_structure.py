"""Structure recovered from the paper's raw PDF text: sections, lists, notes, markers, offsets."""

from __future__ import annotations

import re

import pytest

from assistant.structure import display_text, parse, section_kind, table_columns

SECTION_TITLES = [
    "About the Authors",
    "Disclaimer",
    "Introduction",
    "Theoretical Framework",
    "Iran's foreign policy and its basic principles",
    "The importance of Iran's role in the Middle East",
    "Importance of the Middle East for Russia",
    "Russia's international role and its influence in the Middle East",
    "Areas of convergence and divergence of foreign policy between Iran and Russia",
    "Iranian-Russian alliance: balancing and Bandwagoning",
    "Conclusion",
    "Notes",
]


def sentence_with(doc, fragment: str):
    found = [s for s in doc.sentences if fragment in s.text]
    assert len(found) == 1, f"{len(found)} sentences contain {fragment!r}"
    return found[0]


def paragraph_with(doc, fragment: str):
    at = doc.source.index(fragment)
    found = [p for p in doc.paragraphs if p.start <= at and at + len(fragment) <= p.end]
    assert len(found) == 1, f"{fragment!r} is in {len(found)} paragraphs"
    return found[0]


# -- offsets -----------------------------------------------------------------------------


def test_every_record_is_an_exact_slice(paper_document):
    doc = paper_document
    for s in doc.sentences:
        assert doc.source[s.start : s.end] == s.text
        assert s.text == s.text.strip() and s.text
    for n in doc.notes:
        assert doc.source[n.start : n.end] == n.text
    for p in doc.paragraphs:
        text = doc.source[p.start : p.end]
        assert text and text == text.strip()
    for m in doc.markers:
        digits = doc.source[m.start : m.end]
        assert int(digits.translate(str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789"))) == m.number


def test_sentences_tile_their_paragraphs_in_order(paper_document):
    doc = paper_document
    paragraphs = {p.id: p for p in doc.paragraphs}
    previous_end = -1
    for s in doc.sentences:
        p = paragraphs[s.paragraph]
        assert p.start <= s.start < s.end <= p.end
        assert s.section == p.section
        assert s.start >= previous_end  # reading order, no overlap
        previous_end = s.end
    for p in doc.paragraphs:
        own = [s for s in doc.sentences if s.paragraph == p.id]
        assert own, f"paragraph {p.id} has no sentence"
        assert own[0].start == p.start and own[-1].end == p.end
        gaps = [doc.source[a.end : b.start] for a, b in zip(own, own[1:])]
        assert all(not gap.strip() for gap in gaps), "text between two sentences was lost"


def test_sections_partition_the_document(paper_document):
    doc = paper_document
    assert [s.id for s in doc.sections] == list(range(len(doc.sections)))
    for a, b in zip(doc.sections, doc.sections[1:]):
        assert a.end == b.start
    for section in doc.sections[1:]:
        assert doc.source[section.start : section.start + len(section.title)] == section.title
    for p in doc.paragraphs:
        section = doc.sections[p.section]
        assert section.start <= p.start and p.end <= section.end


# -- headings ------------------------------------------------------------------------------


def test_section_titles(paper_document):
    titles = [s.title for s in paper_document.sections]
    assert titles[1:] == SECTION_TITLES
    assert paper_document.title.startswith("Comparative analysis of security policies of Iran and Russia")


@pytest.mark.parametrize(
    "fragment",
    [
        "Russian Iranian cooperation. The exact",
        "longevity of Assad's presidency is likely to be",
        "a sticking point. Iran's red line has so far been",
        "peaceful",
        "It is also necessary to take into account the combination",
        "Table 1. Main goals of",
        "19",
    ],
)
def test_fragments_are_not_headings(paper_document, fragment):
    titles = {s.title for s in paper_document.sections}
    assert fragment not in titles
    assert not any(t.startswith(fragment) for t in titles if fragment != "19")


def test_heading_text_is_not_a_sentence(paper_document):
    doc = paper_document
    texts = {s.text for s in doc.sentences}
    for title in SECTION_TITLES:
        assert title not in texts


# -- lists ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "item",
    [
        "1) Creation of de-escalation zones with compliance with the regime of military operations.",
        "2) Humanitarian assistance with return to peaceful life.",
        "3) Political dialogue and political negotiations.³⁶",
        "1) Acting as a balancing political force in regional crises such as Afghanistan, Iraq, and Lebanon.",
        "2) Its geopolitical posture in the battle against global terrorism",
        "3) Its influence among the Shiite factions",
    ],
)
def test_list_items(paper_document, item):
    p = paragraph_with(paper_document, item)
    assert p.kind == "list_item"
    text = paper_document.source[p.start : p.end]
    assert text.startswith(item[:3]), "the bullet dash belongs outside the item"


def test_lists_follow_their_introductions(paper_document):
    doc = paper_document
    for intro in ("this type of cooperation has three main goals:", "Middle East include:"):
        p = paragraph_with(doc, intro)
        following = [q for q in doc.paragraphs if q.id in (p.id + 1, p.id + 2, p.id + 3)]
        assert [q.kind for q in following] == ["list_item"] * 3
        assert {q.section for q in following} == {p.section}
        assert doc.source[p.start : p.end].endswith(":")
    assert sum(p.kind == "list_item" for p in doc.paragraphs) == 6


# -- notes ---------------------------------------------------------------------------------


def test_fifty_notes_numbered_in_order(paper_document):
    notes = paper_document.notes
    assert [n.number for n in notes] == list(range(1, 51))
    notes_section = next(s for s in paper_document.sections if s.title == "Notes")
    for note in notes:
        assert notes_section.start < note.start and note.end <= notes_section.end
        assert not note.text.startswith(("-", "¹", "²")), note.text[:10]
    note_paragraphs = [p for p in paper_document.paragraphs if p.kind == "note"]
    assert len(note_paragraphs) == 50
    assert all(paper_document.sections[p.section].title == "Notes" for p in note_paragraphs)


@pytest.mark.parametrize(
    "number, opening",
    [
        (1, "Katerina Dalacoura. 2020."),
        (2, "Stephen Walt. 1985."),
        (13, "Kenneth Katzman. 2020. Iran's Foreign and Defense Policies."),
        (36, "Sergy Lavrov. 2018. Astana format"),
        (43, "Ellie Geranmayeh and Kadri Liik. 2016."),
        (50, "Ibid"),
    ],
)
def test_note_texts(paper_document, number, opening):
    assert paper_document.note(number).text.startswith(opening)


@pytest.mark.parametrize(
    "number, referent",
    [(3, 2), (6, 5), (14, 5), (21, 13), (22, 20), (25, 24), (46, 43), (47, 43), (49, 43), (50, 43)],
)
def test_ibid_and_short_forms_resolve(paper_document, number, referent):
    assert paper_document.note(number).refers_to == referent


@pytest.mark.parametrize("number", [1, 2, 5, 12, 13, 20, 24, 31, 36, 43])
def test_full_references_refer_to_nothing(paper_document, number):
    assert paper_document.note(number).refers_to is None


def test_note_14_is_bercean_and_21_is_katzman_2020(paper_document):
    doc = paper_document
    assert doc.note(14).text.startswith("Bercean, ibid")
    assert doc.note(doc.note(14).refers_to).text.startswith("Ioana-Nelia Bercean")
    assert doc.note(21).text.startswith("Katzman, 2020")
    assert "2020" in doc.note(doc.note(21).refers_to).text  # not the 2016 Katzman report (note 12)


# -- footnote markers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fragment, number",
    [
        ("3) Political dialogue and political negotiations.³⁶", 36),  # superscript on a list item
        ("that states may pose.³", 3),
        ("Russian government³⁰.", 30),  # superscript before the full stop
        ("(about 20 millions of people). ³⁷", 37),  # detached superscript
        ("(or more explicit) invasion. 39", 39),  # bare digits after a full stop
        ('all nonbelligerent\nstates".14', 14),  # bare digits after a closing quote
        ('"projecting own power".6', 6),
        ("different tools in pursuing its foreign policy. 12", 12),
        ("intentions and motives.8", 8),
    ],
)
def test_markers_attach_to_their_sentence(paper_document, fragment, number):
    sentence = sentence_with(paper_document, fragment)
    assert number in sentence.markers
    assert sentence.text.endswith(fragment.split()[-1]), "the marker must close its sentence, not open the next"
    assert paper_document.note(number) is not None


def test_markers_are_unique_and_known(paper_document):
    doc = paper_document
    numbers = [m.number for m in doc.markers]
    assert len(numbers) == len(set(numbers))
    # Notes 1 and 7 have no marker left in the extracted text; every other note has exactly one.
    assert set(numbers) == set(range(1, 51)) - {1, 7}
    in_sentences = sorted(n for s in doc.sentences for n in s.markers)
    assert in_sentences == sorted(numbers)


@pytest.mark.parametrize(
    "fragment",
    [
        "Only 3 percent of population",  # a number in running text
        "his presidential term in 2021.",
        "(S. 1790, P.L. 116-92)",
    ],
)
def test_numbers_in_text_are_not_markers(paper_document, fragment):
    doc = paper_document
    at = doc.source.index(fragment)
    assert not [m for m in doc.markers if at <= m.start < at + len(fragment)]


def test_sentences_do_not_start_with_a_marker(paper_document):
    for s in paper_document.sentences:
        assert not re.match(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]|\d{1,2}\s+[A-Z]", s.text), s.text[:40]


# -- page splits and page numbers ------------------------------------------------------------------


@pytest.mark.parametrize(
    "before, after",
    [
        ("security through domination and", "hegemony and its basic principle"),
        ("(ally in opposition to the principal", "source of danger) or bandwagon"),
        ("to expand their power in the", "region (from peace cooperation"),
        ("U.S. government and other sources do not break down or detail", "how those dollar figures were derived"),
        ("it considers that mostly population but", "not the ruling authorities suffer"),
        ("do not represent a separate initiative,", "but rather aims to increase its legitimacy"),
        ("Iran has the necessary capability", "to challenge the United States."),  # across page number 19
        ("a remarkable visit of Salman bin Abdul-Aziz", "Al Saud, King of Saudi Arabia to Moscow."),  # no final stop
    ],
)
def test_page_split_paragraphs_are_rejoined(paper_document, before, after):
    doc = paper_document
    p_before = paragraph_with(doc, before)
    p_after = paragraph_with(doc, after)
    assert p_before.id == p_after.id
    assert p_before.kind == "body"
    joined = display_text(doc.source[p_before.start : p_before.end])
    assert f"{before} {after}" in joined


def test_rejoined_sentence_reads_across_the_split(paper_document):
    s = sentence_with(paper_document, "security through domination and")
    assert 'hegemony and its basic principle is "power maximization"' in display_text(s.text)


def test_sentence_cut_before_a_capital_is_one_sentence(paper_document):
    s = sentence_with(paper_document, "remarkable visit of Salman bin Abdul-Aziz")
    assert display_text(s.text) == (
        "In October 2017, there was a remarkable visit of Salman bin Abdul-Aziz Al Saud, King of Saudi Arabia to Moscow."
    )


def test_short_fragments_and_the_title_block_are_not_joined(paper_document):
    doc = paper_document
    fragment = paragraph_with(doc, "It is also necessary to take into account the combination")
    assert doc.source[fragment.start : fragment.end] == "It is also necessary to take into account the combination"
    front = [p for p in doc.paragraphs if doc.sections[p.section].kind == "front"]
    assert [doc.source[p.start : p.end].split("\n")[0][:20] for p in front] == [
        "HH Sheikh Nasser al-", "Comparative analysis", "Aref Bijan and Anast"
    ]


def test_stray_page_number_never_displayed(paper_document):
    doc = paper_document
    assert "\n\n19\n\n" in doc.source
    for s in doc.sentences:
        assert not re.search(r"(?:^|\s)19(?:\s|$)", display_text(s.text)), s.text
    s = sentence_with(doc, "Iran has the necessary capability")
    assert display_text(s.text) == (
        "On the other hand, in the Persian Gulf and Afghanistan, Iran has the necessary capability "
        "to challenge the United States."
    )


# -- tables ---------------------------------------------------------------------------------


def test_table_1_is_a_table_with_its_columns(paper_document):
    doc = paper_document
    tables = [p for p in doc.paragraphs if p.kind == "table"]
    assert len(tables) == 2 and {p.section for p in tables} == {paragraph_with(doc, "Table 1. Main goals").section}
    caption = sentence_with(doc, "Table 1. Main goals")
    assert caption.text == "Table 1. Main goals of Russia and Iran in the Middle East." and caption.column == ""
    iran = [s for s in doc.sentences if s.column == "Iran"]
    russia = [s for s in doc.sentences if s.column == "Russia"]
    assert iran and russia and {doc.paragraphs[s.paragraph].kind for s in iran + russia} == {"table"}
    assert iran[0].text.startswith("Iran Reinforcement of its positions") and "Shi'a initiative" in iran[0].text
    assert russia[0].text.startswith("Main goals in the Middle East Russia Reinforcement")
    assert any("Becoming a guarantor of peace" in s.text for s in russia)
    assert not any("Becoming a guarantor" in s.text for s in iran)


def test_table_columns_gather_one_table_across_a_page_of_prose(paper_document):
    doc = paper_document
    caption = sentence_with(doc, "Table 1. Main goals")
    columns = table_columns(doc, caption.id)
    assert set(columns) == {"Iran", "Russia"}
    assert "Becoming a guarantor of peace" in " ".join(doc.sentences[i].text for i in columns["Russia"])
    assert "Shi'a initiative" in " ".join(doc.sentences[i].text for i in columns["Iran"])
    assert table_columns(doc, columns["Russia"][-1]) == columns
    assert table_columns(doc, sentence_with(doc, "remarkable visit of Salman").id) == {}


def test_prose_before_a_caption_stays_prose(paper_document):
    doc = paper_document
    p = paragraph_with(doc, "pushing for a deal at a")
    assert p.kind == "body" and doc.source[p.start : p.end].endswith("pushing for a deal at a")
    assert all(s.column == "" for s in doc.sentences if s.paragraph == p.id)


def test_a_table_in_another_document():
    source = (
        "Trade\n\nBoth countries export minerals and food, and both depend on a few markets.\n\n"
        "Table 2. Main exports of Chile and Peru. Source: customs data. Chile Copper ore; Fresh fruit; Wine; "
        "Salmon Peru Gold; Copper concentrate; Coffee; Fishmeal\n\nThe two lists overlap in copper.\n"
    )
    doc = parse(source)
    table = next(p for p in doc.paragraphs if p.kind == "table")
    assert source[table.start : table.end].startswith("Table 2.")
    cells = {s.column: s.text for s in doc.sentences if s.column}
    assert cells == {"Chile": "Chile Copper ore; Fresh fruit; Wine; Salmon", "Peru": "Peru Gold; Copper concentrate; Coffee; Fishmeal"}
    assert doc.paragraphs[-1].kind == "body"


def test_a_table_reference_in_prose_is_not_a_table():
    doc = parse("Results\n\nThe counts are given in Table 1. They rise every year, as expected.\n")
    assert [p.kind for p in doc.paragraphs] == ["body"]
    assert all(s.column == "" for s in doc.sentences)


# -- display_text and other documents ------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, shown",
    [
        ("a\n\n19\n\nb", "a b"),
        ("a  b\n c", "a b c"),
        ("In 19 cases", "In 19 cases"),
        ("  padded  ", "padded"),
        ("line one\n 7 \nline two", "line one line two"),
    ],
)
def test_display_text(raw, shown):
    assert display_text(raw) == shown


def test_markdown_headings_and_lists():
    source = (
        "# Bees\n\nBees make honey from nectar. They live in hives.\n\n"
        "## Roles\n\nA hive has three kinds of bee:\n\n- queens, which lay eggs\n- workers\n- drones\n\n"
        "## History\n\nPeople have kept bees for thousands of years.\n"
    )
    doc = parse(source, markdown=True)
    assert doc.title == "Bees"
    assert [s.title for s in doc.sections] == ["Bees", "Roles", "History"]
    kinds = [p.kind for p in doc.paragraphs]
    assert kinds == ["body", "body", "list_item", "list_item", "list_item", "body"]
    assert [doc.source[p.start : p.end] for p in doc.paragraphs if p.kind == "list_item"] == [
        "queens, which lay eggs",
        "workers",
        "drones",
    ]
    assert [s.text for s in doc.sentences[:2]] == ["Bees make honey from nectar.", "They live in hives."]
    assert not doc.notes and not doc.markers


def test_plain_text_without_notes_has_no_markers():
    source = "A title for a test\n\nThe meeting ended in 1999. 12 people came. It was fine.\n"
    doc = parse(source)
    assert not doc.markers
    assert all(doc.source[s.start : s.end] == s.text for s in doc.sentences)


# -- section kinds -----------------------------------------------------------------------------


def test_section_kinds_of_the_paper(paper_document):
    kinds = {s.title: s.kind for s in paper_document.sections}
    assert kinds == {
        "Front matter": "front",
        "About the Authors": "about_authors",
        "Disclaimer": "disclaimer",
        "Introduction": "introduction",
        "Theoretical Framework": "method",
        **{title: "body" for title in SECTION_TITLES[4:10]},
        "Conclusion": "conclusion",
        "Notes": "notes",
    }


@pytest.mark.parametrize(
    "title, kind",
    [
        ("1. Introduction", "introduction"),
        ("IV. CONCLUSIONS", "conclusion"),
        ("Concluding remarks", "conclusion"),
        ("Summary and conclusions", "conclusion"),
        ("Chapter 2: Methodology", "method"),
        ("## Abstract", "abstract"),
        ("Executive Summary", "abstract"),
        ("About the author", "about_authors"),
        ("Acknowledgments", "acknowledgements"),
        ("References", "references"),
        ("Bibliography", "references"),
        ("Appendix A: Interview guide", "appendix"),
        ("Endnotes", "notes"),
        ("Notes on the war", "body"),
        ("CIVIL WAR", "body"),
        ("Civil war", "body"),
        ("Introduction of new sanctions", "body"),
    ],
)
def test_section_kind_from_title(title, kind):
    assert section_kind(title) == kind


def test_section_kinds_on_markdown():
    source = "# Bees\n\nBees make honey.\n\n## Abstract\n\nWe study bees.\n\n## 2. Methods\n\nWe counted them.\n\n## References\n\nSmith, 2020.\n"
    doc = parse(source, markdown=True)
    assert [(s.title, s.kind) for s in doc.sections] == [
        ("Bees", "body"), ("Abstract", "abstract"), ("2. Methods", "method"), ("References", "references")
    ]


def test_text_before_the_first_heading_is_front_matter_only_when_short_and_followed():
    no_headings = parse("Bees make honey from nectar. They live in hives.\n\nA hive has one queen.\n")
    assert [s.kind for s in no_headings.sections] == ["body"]
    body = "Bees make honey from nectar, and they live in hives that hold many workers. " * 40
    long_opening = parse(f"{body}\n\nIntroduction\n\nThis study counts bees.\n")
    assert [s.kind for s in long_opening.sections] == ["body", "introduction"]
    title_page = parse(f"A Study of Bees\n\nJane Doe, 2021\n\nIntroduction\n\n{body}\n")
    assert [s.kind for s in title_page.sections] == ["front", "introduction"]


def test_an_abstract_whose_heading_starts_its_line_is_its_own_section():
    source = ("A Study of Bees\nJane Doe\njane@bees.org\nAbstract. We count the bees of one hive\nover a summer.\n\n"
              "1. Introduction\n\nBees make honey from nectar.\n")
    doc = parse(source)
    assert [(s.title, s.kind) for s in doc.sections] == [("Front matter", "front"), ("Abstract", "abstract"),
                                                          ("1. Introduction", "introduction")]
    abstract = next(p for p in doc.paragraphs if doc.sections[p.section].kind == "abstract")
    assert source[abstract.start : abstract.end] == "Abstract. We count the bees of one hive\nover a summer."
    # with no heading after it, "Abstract:" opens no section (the text after the abstract is not the abstract)
    flat = parse("A Study of Bees\n\nAbstract: We count bees.\n\nText: Bees make honey from nectar.\n")
    assert [s.kind for s in flat.sections] == ["body"]


def test_a_document_that_opens_with_notes_is_body_text_not_footnotes():
    mine = parse("# Notes\n\nThe harbour was rebuilt in 1850.\n\nThe council paid for it.\n", markdown=True)
    assert [s.text for s in mine.sentences] == ["The harbour was rebuilt in 1850.", "The council paid for it."]


def test_a_numbered_heading_left_a_paragraph_of_its_own_never_answers():
    from assistant.answer import body_sentences
    from assistant.structure import parse

    doc = parse("Mill Rents\n\nRents rose after 1750 as grain prices climbed.\n\n8 Conclusion\n\n"
                "Tidal mills were profitable for two centuries.\n\n8 Aaliyah Try Again 4:03\n\nX. RESULTS\n\n"
                "3 mills were rebuilt after the flood.\n", headings=())  # as a PDF whose heading font was not told apart
    allowed = {" ".join(s.text.split()): bool(ok) for s, ok in zip(doc.sentences, body_sentences(doc))}
    assert allowed["8 Conclusion"] is False and allowed.get("X. RESULTS", False) is False  # PageRank answered "8 Conclusion"
    assert allowed["Tidal mills were profitable for two centuries."] and allowed["3 mills were rebuilt after the flood."]
    assert allowed["8 Aaliyah Try Again 4:03"]  # a table row with its figures is no heading


def test_a_summary_after_the_papers_first_parts_is_its_conclusion():
    body = "Millers stored sea water in a pond at high tide. Steam mills undercut them after 1850.\n\n"
    doc = parse(f"# Tidal Mills\n\n## Summary\n\n{body}## 1 Introduction\n\n{body}## 2 Rents\n\n{body}"
                f"## 2.3 Summary\n\n{body}## 7 Summary\n\n{body}## References\n\nSmith, J. (1998). Mills.\n", markdown=True)
    kinds = {s.title: s.kind for s in doc.sections}
    assert kinds["Summary"] == "abstract"  # before the paper's parts: its abstract
    assert kinds["2.3 Summary"] == "abstract"  # a subsection's summary is no conclusion of the paper
    assert kinds["7 Summary"] == "conclusion"  # MARSYAS' and Affective Computing's last part


def test_the_title_is_read_below_an_artifact_badge_and_not_run_on_into_names_side_by_side():
    badge = ("Consistent * Complete * Well Documen et d ysaE *\not Reuse *\n\n* Eva ul det a * PoP * Artifact * AEC\nP P\n\n"
             "A Wait-free Queue as Fast as Fetch-and-Add\n\nChaoran Yang John Mellor-Crummey\n\nAbstract\n\nConcurrent data "
             "structures that have fast and predictable performance are of critical importance.")
    assert parse(badge).title == "A Wait-free Queue as Fast as Fetch-and-Add"
    marked = "Liquid Types ∗\nPatrick M. Rondon Ming Kawaguchi Ranjit Jhala\nUniversity of California, San Diego\n\nAbstract\n\nWe present types."
    assert parse(marked).title == "Liquid Types ∗"  # not run on into the names under it


def test_the_title_is_read_after_an_artifact_badge_set_line_by_line():
    text = ("C\nonsistent * Complete *\nWell\nD\nocumen et d\nt ysaE *\no Reuse\n*\n*\nEva ul det a\n*\nPO\nP\nL\n*\nArtifact\n*\nAE\nC\n"
            "A Program Optimization for\nAutomatic Database Result Caching\nZiv Scully\nCarnegie Mellon University\n\nAbstract\n\n"
            "Most popular Web applications rely on persistent databases.")
    assert parse(text).title == "A Program Optimization for Automatic Database Result Caching"


def test_a_date_after_a_month_abbreviation_stays_in_its_sentence():
    doc = parse("Some text here.\n\nCIKM’13, Oct. 27–Nov. 1, 2013, San Francisco, CA, USA.\n\nPublished in the Communications of the ACM, Jan.-Feb. 1995. More.")
    assert [s.text for s in doc.sentences] == ["Some text here.", "CIKM’13, Oct. 27–Nov. 1, 2013, San Francisco, CA, USA.",
                                              "Published in the Communications of the ACM, Jan.-Feb. 1995.", "More."]


def test_a_name_under_a_short_title_does_not_go_on_into_it():
    text = ("Epidemic Broadcast Trees\n\nJoao Leitao\n\nJose Pereira\n\nLuis Rodrigues\n\nAbstract\n\n"
            "There is an inherent trade-off between epidemic and deterministic tree-based broadcast primitives.")
    assert parse(text).title == "Epidemic Broadcast Trees"
    goes_on = ("Simple Testing Can Prevent Most Critical Failures in Distributed\n\nData-Intensive Systems\n\n"
               "Ding Yuan, Yu Luo, Xin Zhuang\nUniversity of Toronto\n\nAbstract\n\nLarge, production quality systems fail.")
    assert parse(goes_on).title.endswith("in Distributed Data-Intensive Systems")


def test_stars_far_down_a_long_first_block_are_no_badge():
    lines = "\n".join(f"Line {n} of a long opening block of text" for n in range(30))
    doc = parse(f"Tidal Mills of the Atlantic Coast\n{lines}\nwhere x * y * z is the volume.\n\nAbstract\n\nMills ground grain.")
    assert doc.title == "Tidal Mills of the Atlantic Coast"


def test_the_title_is_a_sentence_of_its_own_between_a_report_line_and_its_byline():
    doc = parse("Google Technical Report dapper-2010-1, April 2010\nDapper, a Large-Scale Distributed Systems Tracing Infrastructure\n"
                "Benjamin H. Sigelman, Luiz Andre Barroso, Mike Burrows\n\nAbstract\n\nModern Internet services are often "
                "implemented as complex, large-scale distributed systems.")
    assert doc.title == "Dapper, a Large-Scale Distributed Systems Tracing Infrastructure"
    assert [s.text for s in doc.sentences[:3]] == ["Google Technical Report dapper-2010-1, April 2010", doc.title,
                                                   "Benjamin H. Sigelman, Luiz Andre Barroso, Mike Burrows"]


def test_a_title_given_without_its_note_mark_still_parts_it_from_the_byline():
    # a PDF's title read off its fonts carries no note mark ("Liquid Types" for the line "Liquid Types ∗")
    doc = parse("Liquid Tern Types ∗\nPatrick M. Rondon, Ming Kawaguchi\nUniversity of California, San Diego\n\nAbstract\n\n"
                "We present counting of terns.", title="Liquid Tern Types")
    assert doc.title == "Liquid Tern Types"
    assert [s.text for s in doc.sentences[:2]] == ["Liquid Tern Types ∗", "Patrick M. Rondon, Ming Kawaguchi\nUniversity of California, San Diego"]


def test_an_arxiv_stamp_above_the_title_is_not_the_title():
    doc = parse("arXiv:1311.2542v3 [cs.DS] 19 Dec 2014\nThe Tern Migration Atlas\nAna Ruiz, Bo Lindqvist\n\nAbstract\n\n"
                "We count terns on the coast.")
    assert doc.title == "The Tern Migration Atlas"


def test_single_letters_in_a_row_end_their_sentences_and_are_no_list():
    # pysbd reads "u." then "v." as an alphabetical list and cut before each letter
    doc = parse("Proof\n\nFirst, we consider the case when v = u. According to our algorithm, i must have accepted "
                "a message in view v. Similarly, replica j must have accepted one in view v. Since there are only "
                "3f + 1 replicas, the sets intersect.\n")
    assert [s.text for s in doc.sentences] == [
        "First, we consider the case when v = u.",
        "According to our algorithm, i must have accepted a message in view v.",
        "Similarly, replica j must have accepted one in view v.",
        "Since there are only 3f + 1 replicas, the sets intersect.",
    ]


def test_a_lettered_list_still_parts_its_items():
    doc = parse("Steps\n\nThe client does three things: a. It reads the map. b. It picks a server. c. It sends the request.\n")
    assert [s.text for s in doc.sentences] == [
        "The client does three things:", "a. It reads the map.", "b. It picks a server.", "c. It sends the request."]


def test_a_title_a_blank_line_parts_is_still_parted_from_the_lines_around_it():
    # a journal's header lines above the title's first line, a blank line, its second line and the byline under it
    doc = parse("J. Ornithology (1988) 1:65-75 Journal of Ornithology\nInternational Association for Birds\nThe Tern Problem:\n\n"
                "Unconditional Sender and Recipient Migration\nDavid Chaum\nCentre for Birds, Amsterdam\n\nAbstract\n\nTerns fly far.",
                title="The Tern Problem: Unconditional Sender and Recipient Migration")
    assert [s.text for s in doc.sentences[:4]] == [
        "J. Ornithology (1988) 1:65-75 Journal of Ornithology\nInternational Association for Birds", "The Tern Problem:",
        "Unconditional Sender and Recipient Migration", "David Chaum\nCentre for Birds, Amsterdam"]


def test_prose_run_on_after_a_list_items_last_sentence_is_body_text_again():
    items = ("The goals are as follows:\n\n• Easy: Terns should be easy to count.\n\n• Fast: The count should be fast.\n"
             "The counting infrastructure tackles these goals with a census of the colonies along the coast. ")
    doc = parse("Goals\n\n" + items + "A census object holds the counts of one colony and the methods that update them. " * 5)
    kinds = {s.text: doc.paragraphs[s.paragraph].kind for s in doc.sentences}
    assert kinds["Fast: The count should be fast."] == "list_item"
    assert kinds["The counting infrastructure tackles these goals with a census of the colonies along the coast."] == "body"
    short = parse("Goals\n\n• Easy: Terns should be easy to count.\n\n• Fast: The count should be fast.\nIt matters.\n")
    assert [s.text for s in short.sentences if short.paragraphs[s.paragraph].kind == "list_item"][-1] == (
        "Fast: The count should be fast.\nIt matters.")  # a short run-on stays in its item


def test_a_caption_ends_its_paragraph_though_it_ends_without_punctuation():
    from assistant.structure import parse

    figure = "\n".join(["CEPOCH = Follower sends its last promise to the prospective leader",
                        "NEWEPOCH = Leader proposes a new epoch e and waits for a quorum of acknowledgements",
                        "ACK-E = Follower acknowledges the new epoch proposal of the prospective leader",
                        "Fig. 5. Zab protocol summary"])
    text = f"Zab\n\n{figure}\n\nOne interesting optimization is to use a leader election primitive."
    sentences = [s.text for s in parse(text).sentences]
    assert "One interesting optimization is to use a leader election primitive." in sentences
    cut = text.replace("Fig. 5. Zab protocol summary", "and the leader waits for the")  # a page cut this one: it goes on
    assert not any(s.startswith("One interesting") for s in (s.text for s in parse(cut).sentences))


def test_a_number_after_the_noun_it_labels_ends_the_sentence():
    from assistant.structure import parse

    text = ("Results\n\nThe results are shown in Table 3. The first column lists the systems. The patient was virus-positive "
            "on day 6. Her disease progressed rapidly. We list two steps:\n\n1. Open the file.\n\n2. Read it.")
    sentences = [s.text for s in parse(text).sentences]
    assert "The results are shown in Table 3." in sentences and "The first column lists the systems." in sentences
    assert "The patient was virus-positive on day 6." in sentences and "Her disease progressed rapidly." in sentences
    assert "1. Open the file." in sentences and "2. Read it." in sentences  # list items keep their numbers


def test_an_abbreviation_a_number_or_lower_case_word_goes_on_from_ends_no_sentence():
    from assistant.structure import parse

    text = ("Body\n\nEq. (5) gives the bound. See Sect. 2 for details. It uses ca. 10 GB of memory. Cf. the appendix for more. "
            "We use apples, pears, etc. The end is here.")
    assert [s.text for s in parse(text).sentences] == [
        "Eq. (5) gives the bound.", "See Sect. 2 for details.", "It uses ca. 10 GB of memory.", "Cf. the appendix for more.",
        "We use apples, pears, etc.", "The end is here."]
    species = "Body\n\nThe virus is vectored by Ae. aegypti and Ae. albopictus in Asia. Eimeria spp. oocysts were counted."
    assert [s.text for s in parse(species).sentences] == [
        "The virus is vectored by Ae. aegypti and Ae. albopictus in Asia.", "Eimeria spp. oocysts were counted."]


def test_an_enumeration_inside_a_sentence_stays_one_sentence():
    from assistant.structure import parse

    text = ("Body\n\nWe test (i) speed, (ii) memory and (iii) accuracy. Biofilms survive in sinks (3, 33) . "
            "The goals are:\n(a) speed;\n(b) memory.")
    assert [s.text for s in parse(text).sentences] == [
        "We test (i) speed, (ii) memory and (iii) accuracy.", "Biofilms survive in sinks (3, 33) .",
        "The goals are:", "(a) speed;", "(b) memory."]
    clauses = "Here we review " + ", ".join(f"({n}) the {w} of the phage as a carrier of vaccines against many infectious diseases"
                                             for n, w in zip("i ii iii iv v".split(), "use cost role value form".split())) + "."
    assert len(parse("Body\n\n" + clauses).sentences) > 1  # long clauses stay apart, each a unit to quote


def test_a_figure_panel_or_a_number_closing_a_sentence_stays_with_it():
    from assistant.structure import parse

    text = ("Body\n\nIn Figure 3(b), we show an execution. The state should be classified as 1. If all outputs agree, "
            "it stops.")
    assert [s.text for s in parse(text).sentences] == [
        "In Figure 3(b), we show an execution.", "The state should be classified as 1.", "If all outputs agree, it stops."]


def test_an_address_closing_a_byline_line_ends_the_byline_before_prose():
    text = ("Stasis: Flexible Transactional Storage\nRussell Sears and Eric Brewer\nUniversity of California, Berkeley\n"
            "{sears,brewer}@cs.berkeley.edu\nAn increasing range of applications requires robust\n"
            "support for atomic, durable and concurrent transactions.")
    assert [display_text(s.text) for s in parse(text).sentences][-2:] == [
        "Russell Sears and Eric Brewer University of California, Berkeley {sears,brewer}@cs.berkeley.edu",
        "An increasing range of applications requires robust support for atomic, durable and concurrent transactions."]
    authors = ("Title\nZiv Scully Carnegie Mellon University\nzscully@cs.cmu.edu\nAdam Chlipala Massachusetts Institute of "
               "Technology\nadamc@csail.mit.edu")  # the next author, not prose: one byline
    footnote = ("Title\nDecomposition is seen not as a kind of Department of Computer Science, University of Durham, "
                "c.t.mcbride@durham.ac.uk\nsubtraction, an operation inherently troubled by the need to subtract.")
    for kept, going_on in ((authors, "Adam Chlipala"), (footnote, "subtraction")):
        assert not any(s.text.startswith(going_on) for s in parse(kept).sentences), kept
    source = parse(text).source
    assert all(source[s.start : s.end] == s.text for s in parse(text).sentences)


def test_a_statement_label_set_as_a_sentence_of_its_own_opens_its_statement():
    from assistant.structure import _labels_open_sentences

    parts = ["Theorem 9.", "The equivocation is bounded.", "Example 4.1.", "the value is low."]
    view = " ".join(parts)
    starts = [view.index(part) for part in parts]
    bounds = [[start, start + len(part)] for start, part in zip(starts, parts)]
    assert [view[s:e] for s, e in _labels_open_sentences(view, bounds, view)] == [
        "Theorem 9. The equivocation is bounded.", "Example 4.1.", "the value is low."]


def test_a_statement_label_set_apart_opens_the_statement_not_the_sentence_before():
    text = ("Body\n\nThus we have the result\nTheorem 4. In a pure system the probabilities are equal. The proof follows by "
            "Theorem 2.1. Next we see a long line of running text here.\nThe rest holds. ✷ Lemma 3. There is a time after which "
            "every process stops. This proves Theorem 3. It is done. We begin with the following lemma: Lemma 13. For any P, "
            "the bound holds. However, we adopt the negated formulation, to match\nDefinition 2. Nevertheless, we use it.")
    assert [display_text(s.text) for s in parse(text).sentences] == [
        "Thus we have the result", "Theorem 4. In a pure system the probabilities are equal.", "The proof follows by Theorem 2.1.",
        "Next we see a long line of running text here.", "The rest holds.",
        "✷ Lemma 3. There is a time after which every process stops.", "This proves Theorem 3.", "It is done.",
        "We begin with the following lemma:", "Lemma 13. For any P, the bound holds.",
        "However, we adopt the negated formulation, to match Definition 2.", "Nevertheless, we use it."]


def test_a_byline_of_names_or_an_institution_ends_before_the_abstract_it_runs_into():
    hoare = ("An Axiomatic Basis for\nComputer Programming\nC. A. R. HOARE\nThe Queen's University of Belfast,* Northern Ireland\n"
             "In this paper an attempt is made to explore the logical foundations of computer programming.")
    assert [display_text(s.text) for s in parse(hoare).sentences][-1] == (
        "In this paper an attempt is made to explore the logical foundations of computer programming.")
    bagwell = "Ideal Hash Trees\nPhil Bagwell\nHash Trees with nearly ideal characteristics are described. They are fast."
    assert "Hash Trees with nearly ideal characteristics are described." in [display_text(s.text) for s in parse(bagwell).sentences]
    bender = "Title\n\nMichael A. Bender\nA Bε\n-tree is an example of a write-optimized data structure and can be used."
    assert [display_text(s.text) for s in parse(bender).sentences] == [  # not cut before a hyphen the symbol wrapped at
        "Michael A. Bender", "A Bε -tree is an example of a write-optimized data structure and can be used."]
    kept = [  # one sentence: prose run on to a line of capitalised words
        "Title\n\nAs a matter of fact, this is a growing field of interest as is manifested by the research on\n"
        "Domain Specific Languages (DSLs), Model-Driven\nDevelopment (MDD), generative software development and factories.",
    ]
    for text in kept:
        paragraph = " ".join(text.split("\n\n", 1)[1].split())
        assert paragraph in [display_text(s.text) for s in parse(text).sentences], text
    body = ("Title\n\n" + "Running text of a paragraph that fills its line with words. " * 80
            + "The interface grew.\nIn Qt 3,\nQStyle's API was redesigned to be enum-based, so that new widgets could be supported.")
    assert any(display_text(s.text).startswith("In Qt 3, QStyle's API") for s in parse(body).sentences)  # far from the top


def test_lines_that_are_no_titles_open_no_section():
    """A drop capital, a linking word between two bylines, an affiliation, a metadata label, a figure's or table's
    label and a formula's first line read as short capitalised lines, but open no section (an old scanned paper's
    sections were "AND", "University of Warwick, Coventry, England", "FIGURE 3"); a title listing its topics does."""
    from assistant.structure import parse

    text = ("Consensus with One Faulty Process\n\nMICHAEL FISCHER\n\nYale University, New Haven, Connecticut\n\nAND\n\n"
            "NANCY LYNCH\n\nGeneral Terms: Algorithms, Reliability, Theory\n\nThe problem of reaching agreement is hard.\n\n"
            "W\n\ne review how markets shape reliable computing.\n\nFIGURE 1\n\nThe figure shows two processes.\n\n"
            "Table IV\n\nThe table lists the runs.\n\nWn =\n\nthe sum over all rounds is finite.\n\n"
            "Substitution, Reduction, and Meta-evaluation\n\nTerms are rewritten in steps.\n")
    titles = [s.title for s in parse(text).sections]
    assert "Substitution, Reduction, and Meta-evaluation" in titles
    for junk in ("AND", "Yale University, New Haven, Connecticut", "General Terms: Algorithms, Reliability, Theory", "W",
                 "FIGURE 1", "Table IV", "Wn ="):
        assert junk not in titles, (junk, titles)
