"""The byline under a document's title (byline.py): names found, nothing made up."""

import pytest

from assistant.byline import authors, metadata_authors

TITLE = "The Tern Migration Atlas"


@pytest.mark.parametrize("front, expected", [
    # one line of names, "and" before the last
    (f"{TITLE}\nAna Ruiz, Bo Lindqvist, Chidi Okafor and Dana M. Weiss\nInstitute of Coastal Studies\nAbstract",
     ("Ana Ruiz", "Bo Lindqvist", "Chidi Okafor", "Dana M. Weiss")),
    # names over two lines, one name broken across them; an e-mail line ends the byline
    (f"{TITLE}\nAna Ruiz, Bo Lindqvist, Chidi\nOkafor, Dana M. Weiss and Eli van der Berg\n{{ana,bo}}@terns.org\nAbstract",
     ("Ana Ruiz", "Bo Lindqvist", "Chidi Okafor", "Dana M. Weiss", "Eli van der Berg")),
    # an affiliation beside the name; affiliation marks after names
    (f"{TITLE}\nAna Ruiz, Coastal Labs Inc.\n\nAbstract", ("Ana Ruiz",)),
    (f"{TITLE}\nAna Ruiz¹, Bo Lindqvist²*\n¹ University of Tromsø", ("Ana Ruiz", "Bo Lindqvist")),
    # a title over two lines; a byline after a subtitle line; Markdown marks and "By"
    ("The Tern\nMigration Atlas\nJo-Ann O'Neil\n12 May 2020", ("Jo-Ann O'Neil",)),
    (f"{TITLE}\nA field guide for the North Sea\n\nAna Ruiz\nana@terns.org", ("Ana Ruiz",)),
    (f"# {TITLE}\n\n*By Ana Ruiz & Bo Lindqvist*\n\n## Introduction", ("Ana Ruiz", "Bo Lindqvist")),
    # a long subtitle and a version line first; one name a line, an e-mail in brackets beside the last
    (f"{TITLE}\nA Field Guide to the Seabirds of the North Sea and the Baltic Coasts\nfor edition 4.2, 18 August 2022\n"
     "Ana Ruiz\nBo Lindqvist\nChidi Okafor (terns@example.org)\n\nThis guide is for", ("Ana Ruiz", "Bo Lindqvist", "Chidi Okafor")),
    # names parted only by their marks ("Yair Sovran∗ Russell Power∗ Marcos K. Aguilera† Jinyang Li∗")
    (f"{TITLE}\nAna Ruiz∗ Bo Lindqvist∗ Dana M. Weiss†\n∗University of Tromsø", ("Ana Ruiz", "Bo Lindqvist", "Dana M. Weiss")),
    # a reprint's header over the title, the byline further down: a line of two names or more; a year is no mark
    ("365 Electronic version recreated by Eric A. Brewer\nUniversity of California at Berkeley\nCommunications July 1974\n"
     "of Volume 17\nThe Tern\nMigration Atlas\nAna Ruiz and Bo Lindqvist\nCoastal Labs", ("Ana Ruiz", "Bo Lindqvist")),
    # one author a line, each over an e-mail address, an affiliation line between
    (f"{TITLE}\nAna Ruiz\nThe Tern Project\nana@terns.org\nBo Lindqvist\nbo@terns.org\nNorth Sea Labs\nBergen, Norway\n\nAbstract",
     ("Ana Ruiz", "Bo Lindqvist")),
    # accents PDFium set apart from their letters ("João Leitão", "José", "Luís"); a line of marks only
    (f"{TITLE}\nJoao Leit ˜ ao˜\nJose Pereira ´\nLu´ıs Rodrigues\nTR–07–14", ("Joao Leitao", "Jose Pereira", "Luis Rodrigues")),
    (f"{TITLE}\nAna Ruiz, Bo Lindqvist, ´\nDana M. Weiss\nAbstract", ("Ana Ruiz", "Bo Lindqvist", "Dana M. Weiss")),
    (f"{TITLE}\nAna Ruiz\n†\n, Bo Lindqvist‡\n, Dana M. Weiss†\n†University of Tromsø", ("Ana Ruiz", "Bo Lindqvist", "Dana M. Weiss")),
    # names side by side with only spaces between, told apart by their initials; the place after an institution is none
    (f"{TITLE}\nAna B. Ruiz Bo C. Lindqvist Dana Weiss\nUniversity of California, Santa Cruz\n{{ana,bo}}@terns.org",
     ("Ana B. Ruiz", "Bo C. Lindqvist", "Dana Weiss")),
    # an institution named in another language beside the name
    (f"{TITLE}\nAna Ruiz, Institutionen för Biologi,\nLunds Universitet,\n22100 Lund", ("Ana Ruiz",)),
    # a name in letters beyond A-Z; three or two names side by side, most without initials
    (f"{TITLE}\nFrançois Rousseau*\n, Michalis Vazirgiannis*†‡\n*LIX, École Polytechnique", ("François Rousseau", "Michalis Vazirgiannis")),
    (f"{TITLE}\nPatrick M. Rondon Ming Kawaguchi Ranjit Jhala\nUniversity of California, San Diego",
     ("Patrick M. Rondon", "Ming Kawaguchi", "Ranjit Jhala")),
    (f"{TITLE}\nChaoran Yang John Mellor-Crummey\n\nDepartment of Computer Science, Rice University", ("Chaoran Yang", "John Mellor-Crummey")),
    # where they work after a spaced dash, or after the name with its town; a title before the name
    (f"{TITLE}\nAna Ruiz and Bo Lindqvist – Sun Microsystems, Inc.\nABSTRACT", ("Ana Ruiz", "Bo Lindqvist")),
    (f"{TITLE}\nAna Ruiz, Massachusetts Institute of Technology, Cambridge, Mass. ∗\nApril 1960", ("Ana Ruiz",)),
    (f"{TITLE}\nProf. Ketan Shah Anirban Mitra Dhruv Matani\nAugust 16, 2010", ("Ketan Shah", "Anirban Mitra", "Dhruv Matani")),
])
def test_the_byline_under_the_title_gives_the_authors(front, expected):
    assert authors(front, TITLE.replace("\n", " ")) == expected


@pytest.mark.parametrize("front, expected", [
    # one author a line, each over an affiliation: the affiliations are no names, the authors after them are
    (f"{TITLE}\nAna B. Ruiz\nSUNY Stony Brook\nBo Lindqvist\nRutgers University\nMay 16, 2000\n\nAbstract",
     ("Ana B. Ruiz", "Bo Lindqvist")),
    (f"{TITLE}\nAna Ruiz\nUC Berkeley\nBo Lindqvist\nFacebook\nDana Weiss\nUC Berkeley\nAbstract", ("Ana Ruiz", "Bo Lindqvist", "Dana Weiss")),
    # a lab or a place beside the names is none
    (f"{TITLE}\nAna Ruiz, Bo Lindqvist, Stanford InfoLab\nAbstract", ("Ana Ruiz", "Bo Lindqvist")),
])
def test_affiliations_and_places_are_not_names(front, expected):
    assert authors(front, TITLE) == expected
    assert "Northern Ireland" not in authors(f"{TITLE}\nC. A. R. HOARE\nThe Queen's University of Belfast, Northern Ireland\nAbstract", TITLE)


@pytest.mark.parametrize("front, expected", [
    (f"{TITLE}\nC. A. R. HOARE\nThe Queen's University of Belfast\nAbstract", ("C. A. R. Hoare",)),
    (f"{TITLE}\nANA RUIZ AND BO LINDQVIST\nCoastal Labs\nAbstract", ("Ana Ruiz", "Bo Lindqvist")),
    (f"{TITLE}\nANA B. RUIZ, BO LINDQVIST, SENIOR MEMBER, IEEE\nAbstract", ("Ana B. Ruiz", "Bo Lindqvist")),
])
def test_a_byline_set_in_capitals_gives_the_names(front, expected):
    assert authors(front, TITLE) == expected


@pytest.mark.parametrize("front, expected", [
    # names over affiliations and e-mail lines, two a line
    (f"{TITLE}\nAna Ruiz and Bo Lindqvist\nYahoo! Grid\n{{ana,bo}}@terns.org\nDana M. Weiss and Eli Okafor\nYahoo! Research\n"
     "{dana,eli}@terns.org\n\nAbstract", ("Ana Ruiz", "Bo Lindqvist", "Dana M. Weiss", "Eli Okafor")),
    # one a line in capitals, an affiliation under each, "AND" between
    (f"{TITLE}\nANA B. RUIZ\nYale University, New Haven, Connecticut\nBO C. LINDQVIST\nMassachusetts Institute of Technology\n"
     "AND\nDANA S. WEISS\nUniversity of Warwick, Coventry, England\nAbstract", ("Ana B. Ruiz", "Bo C. Lindqvist", "Dana S. Weiss")),
    # marks a PDF could not decode ("Druschel2??"), "and" opening the next line
    (f"{TITLE}\nAna Ruiz1\nand Bo Lindqvist2??\n1\nCoastal Labs Ltd, St. George House,\n", ("Ana Ruiz", "Bo Lindqvist")),
    # an address line after an affiliation is no author
    (f"{TITLE}\nAna Ruiz\nCity University\nNorthampton Square\nLondon EC1V 0HB\nAbstract", ("Ana Ruiz",)),
])
def test_the_byline_reads_on_past_affiliations_and_addresses_to_the_next_author(front, expected):
    assert authors(front, TITLE) == expected


def test_the_rest_of_a_title_cut_after_a_preposition_is_no_name():
    front = "COUNTING SEABIRDS AS EXPRESSIONS IN\nFIRST-ORDER LOGIC\nAna Ruiz\nAbstract"
    assert authors(front, "COUNTING SEABIRDS AS EXPRESSIONS IN") == ("Ana Ruiz",)


def test_a_title_over_three_lines_under_two_venue_lines_is_passed_before_the_byline():
    front = ("2014 Research Paper Competition\nPresented by:\nTERNWISE:\nCounting Seabirds and Valuing Nests in Real Time\n"
             "with Coastal Radar Data\nAna Ruiz†\n, Bo Lindqvist‡\nDepartment of Biology")
    title = "TERNWISE: Counting Seabirds and Valuing Nests in Real Time with Coastal Radar Data"
    assert authors(front, title) == ("Ana Ruiz", "Bo Lindqvist")


def test_a_title_word_after_and_is_not_carried_into_the_next_lines_name():
    # "... for Supporting" / "High Throughput and Availability" / "Robbert van Renesse": not a byline "Availability Robbert ..."
    front = "Tern Counts for Supporting\nHigh Throughput and Availability\nAna Ruiz\nana@terns.org\nBo Lindqvist\nbo@terns.org"
    assert authors(front, "Tern Counts for Supporting High Throughput and Availability") == ("Ana Ruiz", "Bo Lindqvist")


def test_the_byline_is_read_after_a_publishers_cover_page():
    cover = ("This paper is included in the Proceedings of the\n11th USENIX Symposium on\nNest Design.\n\nOctober 6–8, 2014\n\n"
             "Open access to the Proceedings of the\n11th USENIX Symposium on Nest Design\nis sponsored by USENIX.\n\n")
    assert authors(f"{cover}{TITLE}\n\nAna Ruiz, Bo Lindqvist, University of Tromsø\n\nAbstract", TITLE) == ("Ana Ruiz", "Bo Lindqvist")


@pytest.mark.parametrize("front", [
    f"{TITLE}\nTerns fly from pole to pole every year, the longest migration known.\nAna Ruiz, Bo Lindqvist",
    f"{TITLE}\nExecutive Summary\nTable of Contents",  # headings look like two capitalised words
    f"{TITLE}\nNorth Sea Survey, Working Paper Series\nNumber 12: May 2020",
    f"{TITLE}\n\nIntroduction\n\nThe Arctic Tern nests in the north.",
    "",
])
def test_a_document_without_a_byline_has_no_authors(front):
    assert authors(front, TITLE) == ()


def test_pdf_metadata_names_people_only():
    assert metadata_authors("Ana Ruiz; Bo Lindqvist") == ("Ana Ruiz", "Bo Lindqvist")
    assert metadata_authors("Administrator") == () and metadata_authors("jsmith") == () and metadata_authors("") == ()


def test_a_byline_in_capitals_after_by_gives_the_author():
    assert authors("Communication Theory of Secrecy Systems\nBy C. E. SHANNON\n\n1 INTRODUCTION AND SUMMARY\n\n"
                   "The problems of cryptography furnish an interesting application of communication theory.",
                   "Communication Theory of Secrecy Systems") == ("C. E. Shannon",)


def test_a_title_line_of_common_words_is_not_read_as_names_side_by_side():
    from assistant.byline import reads_as_byline

    assert not reads_as_byline(["Automatic Database Result Caching"])  # no two names: a title's second line
    assert reads_as_byline(["Chaoran Yang John Mellor-Crummey"])


def test_a_dagger_an_old_scan_reads_as_t_is_a_mark_not_part_of_the_name():
    text = "Sparse Terns\n(Extended Abstract)\nBaruch Awerbuch * David Peleg t\nAbstract: This abstract presents a collection of terns."
    assert authors(text, "Sparse Terns") == ("Baruch Awerbuch", "David Peleg")
    assert authors("Tern Counts\nAda Lovelace\nWe count the terns of the bay at dawn and at dusk.", "Tern Counts") == ("Ada Lovelace",)


def test_initials_set_without_spaces_make_a_name():
    text = "TERN ARGUMENTS IN BAY DESIGN\nJ.H. Saltzer, D.P. Reed and D.D. Clark*\nM.I.T. Laboratory for Computer Science\nThis paper presents a principle."
    assert authors(text, "TERN ARGUMENTS IN BAY DESIGN") == ("J.H. Saltzer", "D.P. Reed", "D.D. Clark")


def test_five_names_side_by_side_are_names_though_two_read_as_words():
    text = "The Story of Terns\nby\nDan Ingalls Ted Kaehler John Maloney Scott Wallace Alan Kay\nat Apple Computer\n\nAbstract\n\nTerns."
    assert authors(text, "The Story of Terns") == ("Dan Ingalls", "Ted Kaehler", "John Maloney", "Scott Wallace", "Alan Kay")


def test_a_byline_set_in_capitals_reads_as_a_byline():
    from assistant.byline import reads_as_byline

    assert reads_as_byline(["C. A. R. HOARE", "The Queen's University of Belfast"])
    assert reads_as_byline(["JEAN BOURGAIN, SJOERD DIRKSEN, AND JELANI NELSON"])
    assert not reads_as_byline(["FROM DOMINOES TO HEXAGONS"])
