"""Text rules that several modules read by: footnote markers, page numbers, list bullets, line ends, years.

One home for each rule. Where two modules need two versions of one rule, both live here, built
from the same parts, with the reason for the difference beside them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
NOTE_MARKS = "∗*†‡§¶✩"  # the marks a title or a name carries for its footnote ("Liquid Types ∗", "Sirer†")
_MARKER_DIGITS = rf"[{SUPERSCRIPT_DIGITS}\d]*"  # the footnote marker a line may end with
_CLOSERS = "\"”’)"  # a closing quote or bracket right after the punctuation

# -- footnote markers ----------------------------------------------------------------------

SUPERSCRIPT_MARKER = re.compile(rf"[{SUPERSCRIPT_DIGITS}]+")


def bare_marker(max_digits: int) -> re.Pattern[str]:
    """A footnote marker in plain digits right after sentence punctuation: ``states".14``, ``invasion. 39``."""
    return re.compile(rf"(?<=[.;:!?\"”’)])[^\S\n]?(\d{{1,{max_digits}}})(?=\s|$)")


# Meant difference: linking body markers to notes (structure) reads up to 3 digits, since a document's
# notes can run past 99; the evaluation's matching rule deletes 1-2 digits, the rule the published
# metrics were measured with (README, "Matching rule"; the paper has 50 notes).
BARE_MARKER = bare_marker(3)
BARE_MARKER_MATCHING = bare_marker(2)

_TO_SUPERSCRIPT = str.maketrans("0123456789", SUPERSCRIPT_DIGITS)


def note_marks(text: str, numbers: Iterable[int]) -> str:
    """Display only: a bare marker of a note the answer cites becomes superscript digits against its
    punctuation (``region. 41 Russia's`` -> ``region.⁴¹ Russia's``), so a reader does not take it for
    part of the sentence. Other digits stay as they are; citations keep the exact source slice."""
    wanted = {str(n) for n in numbers}
    if not wanted:
        return text
    return BARE_MARKER.sub(lambda m: m[1].translate(_TO_SUPERSCRIPT) if m[1] in wanted else m[0], text)


# -- page numbers --------------------------------------------------------------------------

_PAGE_NUMBER = r"\d{1,3}"
PAGE_NUMBER = re.compile(rf"\s*{_PAGE_NUMBER}\s*")  # fullmatch: a line or block that is only a page number
PAGE_NUMBER_LINE = re.compile(rf"^[^\S\n]*{_PAGE_NUMBER}[^\S\n]*$", re.M)  # search: such lines inside a text

# -- list bullets --------------------------------------------------------------------------

_BULLETS = "-•*▪◦"
LIST_ITEM = re.compile(rf"^\s*(?:[{_BULLETS}]\s+|\(?\d{{1,2}}\)\s+|[a-z]\)\s+)")  # structure: a list item
# Meant difference: a PDF line that starts a new block (ingest's paragraph guess) may also open with an
# en dash or "1." numbering; structure does not read those as list items ("1. Introduction" is a
# numbered heading there, and "– " opens a dashed aside as often as an item).
LIST_LINE = re.compile(rf"^\s*(?:[{_BULLETS}–]\s|\(?\d{{1,2}}[.)]\s|[a-z]\)\s)")
# answer: a paragraph that opens as a list item, as a PDF sets each item as a paragraph of its own ("1.
# Each variable forms a column."). Meant difference: more bullet glyphs (an em dash, "·", a private-use
# glyph a PDF font maps its bullet to) and no "a)"; "(a)" labels a figure's panel.
ITEM_OPENING = re.compile(rf"^(?:\(?\d{{1,2}}[.)]|[{_BULLETS}–—·‣⁃∙]|[\ue000-\uf8ff])\s")
# An item's mark in an enumeration a sentence holds ("(ii)", "b)", "3."), roman, letter or number, its close
# left to the reader: structure joins "(ii) memory" to the words before it, answer brings "(i) it is linear,
# (ii) ..." after a sentence ending with a colon.
INLINE_ITEM_MARK = r"\(?(?:[ivx]{1,4}|[a-h]|\d{1,2})"

# -- line ends: three questions, three answers ---------------------------------------------

SENTENCE_END_LINE = re.compile(rf"[.!?:][{_CLOSERS}\]]?{_MARKER_DIGITS}$")  # ingest: a PDF line ends a sentence
PUNCTUATED_END = re.compile(rf"[.,;:!?][{_CLOSERS}]?{_MARKER_DIGITS}$")  # structure: punctuated, so not a heading
_CLOSING = rf"[.!?:;{_CLOSERS}\]…*]"  # what closes a sentence or paragraph: an ellipsis, a closing bracket or a * too
# structure: a paragraph that ends closed (one that does not was cut by a page break).
CLOSED_END = re.compile(rf"{_CLOSING}{_MARKER_DIGITS}\s*$")
# answer: a quoted sentence that ends closed (one that does not broke off, at a table or a page: "...
# pushing for a deal at a" / Table 1, and the answer marks the cut). Meant difference: its note marker
# may follow after a space, as the paper prints them ("equilibrium. ¹⁰"); structure's rule stays as the
# paragraph joins were measured with.
SENTENCE_CLOSED = re.compile(rf"{_CLOSING}[^\S\n]?{_MARKER_DIGITS}\s*$")
# overview: a sentence that ends as one, for a paper-level answer. Meant difference: no colon or
# semicolon, and digits after the stop are a note marker only after a word ("... Serverdriven 68.9 68.5
# 3.9 4.02", a table row a PDF put inside a conclusion, does not end as a sentence).
SENTENCE_STOP = re.compile(
    rf"(?:[.!?…][{_CLOSERS}'\]]*|[^\d\s][.!?…][{_CLOSERS}'\]]*[^\S\n]?(?:\d{{1,3}}|[{SUPERSCRIPT_DIGITS}]+))\s*$")


def stops_short(text: str) -> bool:
    """Does this sentence stop mid-phrase, on a lower-case word or a comma and without closing
    punctuation (the text broke off)? A title line, a date or a label ("Chapter 2") does not."""
    text = text.strip()
    return bool(text) and not SENTENCE_CLOSED.search(text) and (text.split()[-1][:1].islower() or text[-1] in ",-")


def cut_marks(text: str, cut_start: bool, cut_end: bool) -> str:
    """Display only: an ellipsis where a quote starts or stops inside a sentence the text broke."""
    return f"{'… ' * cut_start}{text}{' …' * cut_end}"


# -- dates ---------------------------------------------------------------------------------

MONTH_NAMES = "January|February|March|April|May|June|July|August|September|October|November|December"
MONTH_ABBREVIATIONS = "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"  # written with a full stop: "Nov. 1"
SEASON_NAMES = "spring|summer|autumn|winter"
MONTH = re.compile(rf"\b({MONTH_NAMES})\b")  # abstain: a month in an answer to "when"

# -- years ---------------------------------------------------------------------------------

YEAR_DIGITS = r"(?:1[89]|20)\d\d"
YEAR = re.compile(rf"\b{YEAR_DIGITS}\b")
# A year that answers "when" (abstain.finds_new): any from 1000 to 2099. YEAR starts at 1800 because
# it also tells years from counts ("1500 soldiers") and note years apart; a date answer may be older.
ANSWER_YEAR = re.compile(r"\b(?:1\d|20)\d\d\b")
