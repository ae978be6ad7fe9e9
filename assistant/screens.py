"""Screens of the chat UI over the conversation: the reader (the whole document at a passage),
help, and past conversations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Markdown, OptionList, Static, TextArea

from assistant.history import Past, search
from assistant.records import Document
from assistant.render import safe
from assistant.transcript import Source
from assistant.widgets import KeysFooter

if TYPE_CHECKING:  # the library module imports numpy: not at start-up
    from assistant.library import Entry


class ReaderScreen(Screen[None]):
    """The whole document, scrolled to a passage with the passage selected; Escape goes back.

    ``document_title`` names the document when the library has several (a PDF's page is in the
    source's locator)."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self, document: Document, source: Source, document_title: str = "") -> None:
        super().__init__()
        self.document = document
        self.source = source
        self.document_title = document_title

    def compose(self) -> ComposeResult:
        s = self.source
        label = Text(f"[{s.n}] ", style="bold")
        if self.document_title:
            label.append(f"{safe(self.document_title)} · ", style="italic")
        label += Text(safe(s.section))
        label.append(f" · {s.locator} · chars {s.start}-{s.end}", style="dim")
        yield Static(label, id="reader-title")
        yield TextArea(safe(self.document.source), read_only=True, soft_wrap=True, show_line_numbers=False,
                       highlight_cursor_line=False, id="reader")
        yield KeysFooter()

    def on_mount(self) -> None:
        reader = self.query_one("#reader", TextArea)
        reader.cursor_blink = False
        locate = reader.document.get_location_from_index  # type: ignore[attr-defined]  # a Document, typed as its base
        source = self.document.source
        start, end = len(safe(source[: self.source.start])), len(safe(source[: self.source.end]))
        from textual.widgets.text_area import Selection

        reader.selection = Selection(locate(end), locate(start))  # cursor at the start of the passage
        reader.focus()
        self.call_after_refresh(reader.scroll_cursor_visible, center=True)

    @property
    def selected_text(self) -> str:
        return self.query_one("#reader", TextArea).selected_text


class HelpScreen(ModalScreen[None]):
    """Keys and how the assistant works; Escape or F1 closes it."""

    BINDINGS = [Binding("escape,f1", "app.pop_screen", "Close")]

    def __init__(self, markdown: str) -> None:
        super().__init__()
        self.markdown = markdown

    def compose(self) -> ComposeResult:
        with Vertical(id="help"):
            with VerticalScroll(id="help-text"):
                yield Markdown(self.markdown, open_links=False)
            yield Static(Text("Escape or F1 closes this help · Up/Down, PageUp/PageDown scroll it"), id="help-close")

    def on_mount(self) -> None:
        self.query_one("#help-text").focus()

    @on(Markdown.LinkClicked)
    def _ignore_links(self, event: Markdown.LinkClicked) -> None:
        event.stop()


class HistoryScreen(ModalScreen["Past | None"]):
    """Past conversations about this paper: type to search their questions, Enter reopens one."""

    BINDINGS = [Binding("escape,f2", "close", "Close")]

    def __init__(self, pasts: list[Past]) -> None:
        super().__init__()
        self.pasts = pasts
        self.shown = pasts

    def compose(self) -> ComposeResult:
        with Vertical(id="history"):
            yield Static(Text("Past conversations · type to search · Enter reopens · Escape closes"), id="history-label")
            yield Input(placeholder="Search their questions", id="history-search")
            yield OptionList(*(Text(p.label) for p in self.pasts), id="history-list")

    @on(Input.Changed, "#history-search")
    def _filter(self, event: Input.Changed) -> None:
        self.shown = search(self.pasts, event.value)
        options = self.query_one("#history-list", OptionList)
        options.clear_options()
        options.add_options([Text(p.label) for p in self.shown])
        if self.shown:
            options.highlighted = 0

    @on(Input.Submitted, "#history-search")
    def _open_first(self, event: Input.Submitted) -> None:
        event.stop()
        options = self.query_one("#history-list", OptionList)
        if self.shown:
            self.dismiss(self.shown[options.highlighted or 0])

    @on(OptionList.OptionSelected, "#history-list")
    def _open(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.shown[event.option_index])

    def action_close(self) -> None:
        self.dismiss(None)


class LibraryScreen(ModalScreen[None]):
    """The library's documents (size, when added): Enter asks only the highlighted one, A asks all,
    Delete removes it, and a path typed below adds a document. The app does the work
    (``LibraryScreen.Chosen``, ``.Add``, ``.Remove``) and calls ``show`` with the new list."""

    BINDINGS = [
        Binding("escape,f3", "close", "Close"),
        Binding("a", "choose_all", "Ask all documents"),
        Binding("delete", "remove", "Remove document"),
    ]

    @dataclass
    class Chosen(Message):
        """Ask only this document from now on (None: every document)."""

        doc_id: str | None

    @dataclass
    class Add(Message):
        path: str

    @dataclass
    class Remove(Message):
        doc_id: str

    def __init__(self, entries: Sequence[Entry], scope: str | None) -> None:
        super().__init__()
        self.entries = tuple(entries)
        self.scope = scope

    def compose(self) -> ComposeResult:
        with Vertical(id="library"):
            yield Static(Text("Library · Enter: ask only this document · A: ask all · Delete: remove · Escape closes"),
                         id="library-label")
            yield OptionList(id="library-list")
            yield Static(Text(""), id="library-status")
            yield Input(placeholder="Add a document: type the path of a .txt, .md or .pdf file, then Enter", id="library-add")

    def on_mount(self) -> None:
        self.show(self.entries, self.scope)
        self.query_one("#library-list").focus()

    def show(self, entries: Sequence[Entry], scope: str | None, status: str = "") -> None:
        """List ``entries``, marking the one asked (or all, when ``scope`` is None)."""
        self.entries, self.scope = tuple(entries), scope
        options = self.query_one("#library-list", OptionList)
        highlighted = options.highlighted
        options.clear_options()
        options.add_options([library_row(e, scope) for e in self.entries])
        if self.entries:
            options.highlighted = min(highlighted or 0, len(self.entries) - 1)
        asking = "every document" if scope is None else next((e.title for e in self.entries if e.id == scope), scope)
        self.status(status or f"Asking: {asking}.")

    def status(self, text: str) -> None:
        self.query_one("#library-status", Static).update(Text(text))

    def _highlighted(self) -> Entry | None:
        index = self.query_one("#library-list", OptionList).highlighted
        return self.entries[index] if index is not None and index < len(self.entries) else None

    @on(OptionList.OptionSelected, "#library-list")
    def _choose(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.Chosen(self.entries[event.option_index].id))

    def action_choose_all(self) -> None:
        self.post_message(self.Chosen(None))

    def action_remove(self) -> None:
        entry = self._highlighted()
        if entry is not None:
            self.post_message(self.Remove(entry.id))

    @on(Input.Submitted, "#library-add")
    def _add(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip():
            self.post_message(self.Add(event.value.strip()))
            event.input.value = ""

    def action_close(self) -> None:
        self.dismiss(None)


def library_row(entry: Entry, scope: str | None) -> Text:
    """One line of the library list: asked or not, title, format and size, when added."""
    asked = scope is None or scope == entry.id
    text = Text("● " if asked else "○ ", style="bold" if asked else "dim")
    text.append(safe(entry.title), style="bold" if asked else "")
    added = "embedded" if entry.added is None else f"added {entry.added[:16].replace('T', ' ')}"
    text.append(f"  {entry.id} · {entry.format} · {size_text(entry.size)} · {added}", style="dim")
    return text


def size_text(size: int) -> str:
    """Bytes as people read them: 812 B, 14.2 KB, 3.1 MB."""
    for unit, scale in (("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} B"
