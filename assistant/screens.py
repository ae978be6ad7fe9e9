"""Screens of the chat UI over the conversation: the reader (the whole document at a passage),
help, and past conversations.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Input, Markdown, OptionList, Static, TextArea

from assistant.history import Past, search
from assistant.records import Document
from assistant.render import safe
from assistant.transcript import Source


class ReaderScreen(Screen[None]):
    """The whole paper, scrolled to a passage with the passage selected; Escape goes back."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self, document: Document, source: Source) -> None:
        super().__init__()
        self.document = document
        self.source = source

    def compose(self) -> ComposeResult:
        s = self.source
        label = Text(f"[{s.n}] ", style="bold") + Text(safe(s.section))
        label.append(f" · {s.locator} · chars {s.start}-{s.end}", style="dim")
        yield Static(label, id="reader-title")
        yield TextArea(safe(self.document.source), read_only=True, soft_wrap=True, show_line_numbers=False,
                       highlight_cursor_line=False, id="reader")
        yield Footer()

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
