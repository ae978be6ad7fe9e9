"""The conversation as text: answers as Markdown with clickable markers, the sources pane's
entries and cards, and the clipboard and saved-conversation texts (pure functions).

Paper text and questions only ever come out as ``rich.text.Text`` or escaped Markdown: never
as markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterable

from rich.text import Text

from assistant.confidence import phrase
from assistant.records import Answer, Citation, CitedNote, Document
from assistant.render import paragraph_part, safe
from assistant.structure import display_text
from assistant.text import cut_marks, note_marks

HIGHLIGHT = "bold black on #e5c07b"
CONTEXT_CHARS = 320


def escape_markdown(text: str) -> str:
    """Escape ``text`` (one line) so Markdown shows it literally: ``[Iran's]`` stays as is."""
    text = re.sub(r"([\\`*_\[\]<>|~&])", r"\\\1", text)
    text = re.sub(r"^(\s*)([#>+=-])", r"\1\\\2", text)
    return re.sub(r"^(\s*\d+)([.)])", r"\1\\\2", text)



@dataclass(frozen=True)
class Source:
    """One entry of the sources pane: a citation of the answer, or a closest passage."""

    n: int
    section: str
    locator: str  # "paragraph 7", "heading" or "closest passage"
    start: int
    end: int
    notes: tuple[CitedNote, ...] = ()
    cited: bool = True  # highlight [start, end) within its paragraph
    document: str = ""  # the library document's id ("" outside a library)
    page: int | None = None  # the PDF page of ``start``
    cut_start: bool = False  # the quote starts inside a sentence the text broke (Citation.cut_start)
    cut_end: bool = False  # the quote stops where the text broke off (Citation.cut_end)


def _on_page(locator: str, page: int | None) -> str:
    return locator if page is None else f"{locator}, page {page}"


def sources_of(answer: Answer, source: str, closest: int = 3) -> list[Source]:
    """What the sources pane shows for an answer: its citations, where sentences that follow one
    another in one paragraph (nothing but whitespace between them in ``source``, the document's
    text) are one source, numbered in order; or, for an abstention, the closest passages (from
    any document of a library)."""
    if answer.abstained:
        return [Source(p.rank, p.section, _on_page("closest passage", p.page), p.start, p.end, (), False, p.document, p.page)
                for p in answer.passages[:closest]]
    runs: list[list[Citation]] = []
    for citation in answer.citations:
        last = runs[-1][-1] if runs else None
        where = (citation.document, citation.section, citation.paragraph)
        if (last is not None and (last.document, last.section, last.paragraph) == where
                and last.end <= citation.start and not source[last.end : citation.start].strip()):
            runs[-1].append(citation)
        else:
            runs.append([citation])
    return [_joined(n, run) for n, run in enumerate(runs, start=1)]


def _joined(n: int, run: list[Citation]) -> Source:
    notes = tuple({note.number: note for c in run for note in c.notes}.values())
    first = run[0]
    locator = _on_page(paragraph_part(first), first.page)
    return Source(n, first.section, locator, first.start, run[-1].end, notes, True, first.document, first.page,
                  first.cut_start, run[-1].cut_end)


def answer_source(answer: Answer) -> str:
    """The library document an answer's citations come from ("" outside a library, or none)."""
    return answer.citations[0].document if answer.citations else ""


def answer_markdown(answer: Answer, source: str, closest: int = 3) -> str:
    """The answer as Markdown: the paper's sentences, each followed by its clickable marker."""
    if answer.abstained:
        lines = ["**The paper does not seem to answer this.** The closest passages are:", ""]
        for passage in answer.passages[:closest]:
            quote = escape_markdown(_trim_right(safe(display_text(passage.text)), 90))
            section = escape_markdown(safe(passage.section))
            lines.append(f"- [\\[{passage.rank}\\] {section}](source:{passage.rank}): “{quote}”")
        return "\n".join(lines)
    parts = [f"{escape_markdown(safe(cut_marks(_cited_text(source, s), s.cut_start, s.cut_end)))} [\\[{s.n}\\]](source:{s.n})"
             for s in sources_of(answer, source)]
    return " ".join(parts) or escape_markdown(safe(answer.answer))


def _cited_text(text: str, source: Source) -> str:
    """A cited span as shown: page furniture dropped, the markers of the notes it cites superscript."""
    return note_marks(display_text(text[source.start : source.end]), (note.number for note in source.notes))


def _quoted(text: str, source: Source) -> str:
    """A cited span in a plain answer line: the paper's words, an ellipsis where the text broke one."""
    return cut_marks(display_text(text[source.start : source.end]), source.cut_start, source.cut_end)


def _paragraph_bounds(document: Document, start: int, end: int) -> tuple[int, int]:
    for paragraph in document.paragraphs:
        if paragraph.start <= start < paragraph.end:
            return paragraph.start, max(paragraph.end, end)
    return start, end


def _trim_left(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[-limit:]
    return "… " + cut.split(" ", 1)[-1]


def _trim_right(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"


def passage_text(document: Document, source: Source) -> Text:
    """The paragraph around a citation, the cited span highlighted; a passage is shown plain."""
    if not source.cited:
        return Text(_trim_right(safe(display_text(document.source[source.start : source.end])), 2 * CONTEXT_CHARS))
    p_start, p_end = _paragraph_bounds(document, source.start, source.end)
    text = Text()
    before = _trim_left(safe(display_text(document.source[p_start : source.start])), CONTEXT_CHARS)
    after = _trim_right(safe(display_text(document.source[source.end : p_end])), CONTEXT_CHARS)
    if before:
        text.append(before + " ")
    text.append(safe(_cited_text(document.source, source)), style=HIGHLIGHT)
    if after:
        text.append(" " + after)
    return text


def card_title(source: Source, document_title: str = "") -> Text:
    """A source card's first line: number, the document when named, section and locator (one
    line, cut with an ellipsis)."""
    text = Text()
    text.append(f"[{source.n}] ", style="bold")
    if document_title:
        text.append(f"{safe(document_title)} · ", style="italic")
    text.append(safe(source.section), style="bold")
    text.append(f" · {source.locator}", style="dim")
    return text


def card_text(document: Document, source: Source) -> Text:
    """A source card's body: the passage in its paragraph, then the notes the paper cites for it."""
    text = passage_text(document, source)
    if source.notes:
        text.append("\nThe paper cites:", style="italic")
        for note in source.notes:
            text.append(f"\n  [{note.number}] ", style="bold")
            text.append(safe(display_text(note.text)), style="dim")
    return text


@dataclass(frozen=True)
class Turn:
    """One question of the conversation, the retrieval context it was read with, and its answer."""

    question: str
    context: str | None
    answer: Answer


def _locator(section: str, locator: str, start: int, end: int) -> str:
    return f"{safe(section)}, {locator}, characters {start}–{end}"


def answer_plain(turn: Turn, text: str) -> str:
    """A turn as plain text for the clipboard: question, answer, then each quote with its locator.

    ``text`` is the document's source text."""
    answer = turn.answer
    lines = [f"Q: {turn.question}"]
    sources = sources_of(answer, text)
    if answer.abstained:
        lines.append("A: The paper does not seem to answer this. Closest passages:")
    else:
        lines.append("A: " + " ".join(f"{_quoted(text, s)} [{s.n}]" for s in sources))
    lines.append("")
    for source in sources:
        lines.append(f"[{source.n}] {_locator(source.section, source.locator, source.start, source.end)}")
        for note in source.notes:
            lines.append(f"    the paper cites [{note.number}] {display_text(note.text)}")
    return safe("\n".join(lines))


def conversation_markdown(document: Document, turns: Iterable[Turn], saved: datetime,
                          documents: Callable[[str], Document] | None = None) -> str:
    """The conversation as Markdown: each answer, then its quotes (exact paper text) with locators.

    ``documents`` finds a library document by id (quotes of other documents than ``document``)."""
    find = documents or (lambda doc_id: document)
    title = document.metadata.get("title") or document.title
    authors = document.metadata.get("authors") or []
    byline = ", ".join(authors) if isinstance(authors, list) else str(authors)
    out = [f"# Questions on: {escape_markdown(safe(title))}", ""]
    if byline:
        out += [escape_markdown(safe(byline)), ""]
    out += [f"Saved {saved:%Y-%m-%d %H:%M} by paper-assistant. Quotes are the paper's text (whitespace "
            "collapsed); locators are character offsets into it.", ""]
    for number, turn in enumerate(turns, start=1):
        out += [f"## {number}. {escape_markdown(turn.question)}", ""]
        if turn.context:
            out += [f"*Read as a follow-up; also searched for:* {escape_markdown(turn.context)}", ""]
        if turn.answer.read_as:
            out += [f"*Read as:* {escape_markdown(turn.answer.read_as)}", ""]
        out += _answer_markdown_lines(find, turn.answer)
    return safe("\n".join(out))


def _answer_markdown_lines(find: Callable[[str], Document], answer: Answer) -> list[str]:
    text = find(answer_source(answer)).source
    if answer.abstained:
        out = ["*The paper does not seem to answer this.* Closest passages:", ""]
    else:
        out = [" ".join(f"{escape_markdown(_quoted(text, s))} \\[{s.n}\\]"
                        for s in sources_of(answer, text)), ""]
    for source in sources_of(answer, text):
        quote = display_text(find(source.document).source[source.start : source.end])
        out += [f"> {escape_markdown(quote)}", ">",
                f"> — \\[{source.n}\\] {escape_markdown(_locator(source.section, source.locator, source.start, source.end))}"]
        for note in source.notes:
            out += [">", f"> The paper cites \\[{note.number}\\] {escape_markdown(display_text(note.text))}"]
        out.append("")
    out.append(f"{'Closest answer' if answer.abstained else 'Confidence'}: {phrase(answer.confidence)}.")
    out.append("")
    return out

