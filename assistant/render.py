"""Answers as JSON records and as Rich renderables. Document text is never parsed as markup."""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from typing import Mapping

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from assistant.confidence import closest_phrase, phrase
from assistant.records import Answer, Citation, Passage
from assistant.structure import display_text
from assistant.text import cut_marks, note_marks

# CSI sequences (colours), control strings with their text (OSC: a window title "ESC ] 0;title BEL"; DCS,
# SOS, PM, APC), ended by BEL or ST or by the text's end, other two-character escapes, and lone controls
# (C1 controls one by one: a UTF-8 terminal does not start a control string at U+009D)
_CONTROL = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[]PX^_][^\x07\x1b]*(?:\x07|\x1b\\|$)"
                      r"|\x1b[@-_]|[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
JSON_KEYS = ("question", "read_as", "answer", "abstained", "confidence", "citations", "passages", "timings_ms")


def safe(text: str, replacement: str = "") -> str:
    """Remove ANSI escapes, control characters and bidi overrides (newlines and tabs stay)."""
    return _CONTROL.sub(replacement, text)


# Escaped in JSON output like C0 controls: DEL, C1 controls, bidi controls, line separators, lone surrogates.
_JSON_UNSAFE = re.compile(r"[\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")


def json_text(data, indent: int | None = None) -> str:
    """JSON keeping readable non-ASCII text, with every character that can move or hide text escaped."""
    text = json.dumps(data, ensure_ascii=False, indent=indent)
    return _JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def answer_json(answer: Answer) -> dict:
    """The ``--json`` record: exactly JSON_KEYS, every ``text`` an exact source slice."""
    data = asdict(answer)
    data["citations"] = [
        {**c, "notes": [{"number": n["number"], "text": n["text"]} for n in c["notes"]]} for c in data["citations"]
    ]
    return {key: data[key] for key in JSON_KEYS}


def note_line(number: int, text: str) -> str:
    return f"[{number}] {display_text(text)}"


def answer_renderable(answer: Answer, show_passages: int = 3, passages: int = 0,
                      titles: Mapping[str, str] | None = None) -> Group:
    """The answer for a terminal; ``passages`` > 0 also lists that many top passages with their scores
    (an abstention shows them instead of its ``show_passages`` closest ones). ``titles`` (document id
    -> title, given when the library has several documents) names each source's document."""
    parts: list[RenderableType] = []
    if answer.read_as:
        parts.append(Text(safe(f"read as: {answer.read_as}"), style="dim italic"))
    if answer.abstained and passages:
        parts.append(Text(_not_answered(titles), style="bold yellow"))
        parts.append(Text(f"closest answer: {closest_phrase(answer.confidence)}.", style="dim"))
        return Group(*parts, *_passage_panels(answer, passages, titles))
    if answer.abstained:
        parts.append(Text(_not_answered(titles), style="bold yellow"))
        parts.append(Text(f"closest answer: {closest_phrase(answer.confidence)}. Closest passages:", style="dim"))
        for passage in answer.passages[:show_passages]:
            body = Text(safe(display_text(passage.text)))
            title = Text(safe(f"{where(passage, titles)}{page_part(passage)} · chars {passage.start}-{passage.end}"))
            parts.append(Panel(body, title=title, title_align="left", border_style="dim"))
        return Group(*parts)
    body = Text()
    for citation in answer.citations:
        shown = note_marks(display_text(citation.text), (note.number for note in citation.notes))
        body.append(safe(cut_marks(shown, citation.cut_start, citation.cut_end)))
        body.append(f" [{citation.n}] ", style="bold cyan")
    parts.append(Panel(body, title=Text(safe(answer.question)), title_align="left", border_style="green"))
    for citation in answer.citations:
        line = Text()
        line.append(f"[{citation.n}] ", style="bold cyan")
        line.append(safe(f"{where(citation, titles)}, {paragraph_part(citation)}{page_part(citation)}, "
                         f"chars {citation.start}-{citation.end}"))
        parts.append(line)
        for note in citation.notes:
            cited = Text("     the paper cites: ", style="dim")
            cited.append(safe(note_line(note.number, note.text)))
            parts.append(cited)
    parts.append(Text(f"confidence: {phrase(answer.confidence)} · {answer.timings_ms.get('total', 0):.0f} ms", style="dim"))
    return Group(*parts, *_passage_panels(answer, passages, titles))


def _not_answered(titles: Mapping[str, str] | None) -> str:
    if titles:
        return "None of the documents seems to answer this question."
    return "The paper does not seem to answer this question."


def where(source: Citation | Passage, titles: Mapping[str, str] | None = None) -> str:
    """A source's section, after its document's title when ``titles`` names documents."""
    if titles and source.document in titles:
        return f"{titles[source.document]} · {source.section}"
    return source.section


def paragraph_part(citation: Citation) -> str:
    """Where in its section a citation is: "paragraph 7", or "heading" for a section's heading (paragraph 0)."""
    return "heading" if citation.paragraph == 0 else f"paragraph {citation.paragraph}"


def page_part(source: Citation | Passage) -> str:
    return "" if source.page is None else f", page {source.page}"


def library_table(documents) -> Table:
    """The library's documents (``library.Entry``) as a table: id, title (with authors and file name
    below it), size and when added. Text is shown as is, never as markup."""
    table = Table(box=None, header_style="bold", expand=True)
    table.add_column("id", no_wrap=True, overflow="fold", max_width=32)
    table.add_column("title", ratio=1, overflow="fold")
    table.add_column("size", no_wrap=True, justify="right")
    table.add_column("added", no_wrap=True)
    for entry in documents:
        described = Text(safe(entry.title))
        byline = " · ".join(part for part in (", ".join(entry.authors), entry.file) if part)
        described.append("\n" + safe(byline), style="dim")
        added = "(embedded)" if entry.embedded else (entry.added or "")[:16].replace("T", " ")
        table.add_row(Text(safe(entry.id)), described, _size(entry.size), added)
    return table


def _size(count: int) -> str:
    for unit, scale in (("MB", 1e6), ("kB", 1e3)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count} B"


def _passage_panels(answer: Answer, count: int, titles: Mapping[str, str] | None = None) -> list[RenderableType]:
    if count <= 0 or not answer.passages:
        return []
    shown = answer.passages[:count]
    out: list[RenderableType] = [Text(f"Top {len(shown)} passages:", style="bold")]
    for passage in shown:
        title = Text(safe(f"#{passage.rank} · score {passage.score:.3f} · {where(passage, titles)}{page_part(passage)} · "
                          f"chars {passage.start}-{passage.end}"))
        out.append(Panel(Text(safe(display_text(passage.text))), title=title, title_align="left", border_style="dim"))
    return out
