"""The chat UI: follow-up rule, start screen, asking, sources, reader, history, saving, first-run build.

Fast tests drive the app over a stub assistant whose answers are built from the real paper's
parsed structure (deterministic); the ``slow`` ones use the real index and model.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from assistant import paths
from assistant.answer import cited_notes
from assistant.app import PaperApp, make_app
from assistant.engine import clean_question
from assistant.errors import AssistantError
from assistant.records import Answer, Citation, Document, Paragraph, Passage, Section
from assistant.render import safe
from assistant.structure import display_text
from assistant.screens import ReaderScreen
from assistant.suggestions import suggested_questions
from assistant.transcript import (
    HIGHLIGHT, Turn, answer_markdown, answer_plain, card_text, conversation_markdown, escape_markdown, sources_of,
)
from assistant.widgets import Exchange, QuestionInput, SourceCard, Welcome

IRAN = "What are Iran's goals in the Middle East?"


# -- a deterministic assistant over the real paper's structure ---------------------------------


def sentence_with(doc: Document, needle: str):
    return next(s for s in doc.sentences if needle in s.text)


def cite(doc: Document, n: int, needle: str) -> Citation:
    s = sentence_with(doc, needle)
    paragraph = next(p for p in doc.paragraphs if p.id == s.paragraph)
    return Citation(n, f"c{s.section}", doc.sections[s.section].title, paragraph.number, s.start, s.end,
                    doc.source[s.start : s.end], cited_notes(doc, s))


def closest(doc: Document, count: int = 3) -> tuple[Passage, ...]:
    body = [p for p in doc.paragraphs if p.kind == "body" and "Russia" in doc.sections[p.section].title][:count]
    return tuple(Passage(i, f"p{p.id}", doc.sections[p.section].title, p.start, p.end, 0.5 - i / 10,
                         doc.source[p.start : p.end]) for i, p in enumerate(body, start=1))


class StubAssistant:
    """Answers about Iran's or Russia's role with two fixed citations; abstains on anything else."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.asked: list[tuple[str, str | None]] = []
        self.left_out: list[tuple[int, ...]] = []  # the ``shown`` sentence ids each question was asked with

    def ask(self, question: str, k: int = 10, mode: str = "hybrid", context: str | None = None,
            shown: tuple[int, ...] = ()) -> Answer:
        question = clean_question(question)
        self.asked.append((question, context))
        self.left_out.append(tuple(shown))
        doc = self.document
        if "bread" in question.lower():
            return Answer(question, "", True, 0.02, (), closest(doc))
        needles = ("supporting [Iran's] other partners", "re-established itself as a crucial player")
        if shown:  # more on the topic: the next two body sentences not shown yet
            rest = [x for x in doc.sentences if x.id not in shown and x.id > max(shown) and "Russia" in x.text]
            needles = (rest[0].text, rest[1].text)
        citations = tuple(cite(doc, n, needle) for n, needle in enumerate(needles, start=1))
        text = " ".join(display_text(c.text) for c in citations)
        ids = tuple(sentence_with(doc, needle).id for needle in needles)
        return Answer(question, text, False, 0.93, citations, closest(doc), sentence_ids=ids)


class FailingAssistant(StubAssistant):
    def ask(self, question, k=10, mode="hybrid", context=None):
        raise AssistantError("the index went away")


@pytest.fixture
def stub(paper_document):
    from dataclasses import replace

    from assistant.paper import default_metadata

    return StubAssistant(replace(paper_document, metadata=default_metadata()))


async def ask(pilot, text: str) -> None:
    box = pilot.app.query_one(QuestionInput)
    box.value = text
    await pilot.press("enter")
    await settle(pilot)


async def settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    for _ in range(3):
        await pilot.pause()


def record_notifications(app: PaperApp) -> list[tuple[str, str]]:
    seen: list[tuple[str, str]] = []
    notify = app.notify

    def recording(message, *args, **kwargs):
        seen.append((str(message), kwargs.get("severity", "information")))
        return notify(message, *args, **kwargs)

    app.notify = recording
    return seen


def plain(widget) -> str:
    content = widget.content
    return content.plain if hasattr(content, "plain") else str(content)


# -- pure helpers of the UI -----------------------------------------------------------------------


def test_suggestions_come_from_the_section_titles(paper_document):
    questions = suggested_questions(paper_document)
    assert 2 <= len(questions) <= 4
    assert questions[0] == "What is this paper about?"  # the paper has an introduction
    titles = [s.title.lower() for s in paper_document.sections]
    for question in questions[1:-1]:
        topic = question.removeprefix("What does the paper say about ").removesuffix("?").lower().removeprefix("the ")
        assert any(topic == title or title.startswith(topic + ":") for title in titles), question  # a colon's head
    assert questions[-1] == "What does the paper conclude?"
    assert not any("authors" in q.lower() or "disclaimer" in q.lower() for q in questions)


def test_suggestions_follow_another_document():
    source = "Intro text here.\n\nMethods\n\nWe measured things.\n\nResults\n\nThings grew."
    sections = (Section(0, "Front matter", 0, 16), Section(1, "Methods", 18, 45), Section(2, "Results", 47, len(source)))
    paragraphs = (Paragraph(0, 0, 1, 0, 16, "title"), Paragraph(1, 1, 1, 27, 45, "body"), Paragraph(2, 2, 1, 56, len(source), "body"))
    doc = Document(source, "T", sections, paragraphs, ())
    assert suggested_questions(doc) == ["What does the paper say about Methods?", "What does the paper say about Results?"]


def test_markdown_escaping_keeps_paper_text_literal():
    from markdown_it import MarkdownIt

    text = "supporting [Iran's] other partners, *not* <b>bold</b> \\$16 # 1. `x`"
    html = MarkdownIt("commonmark").render(escape_markdown(text))
    assert "[Iran's]" in html and "*not*" in html and "&lt;b&gt;" in html and "<em>" not in html and "<a" not in html
    assert MarkdownIt("commonmark").render(escape_markdown("1. not a list")).startswith("<p>")


def test_answer_markdown_links_each_marker(stub):
    answer = stub.ask("What does Iran do?")
    markdown = answer_markdown(answer, stub.document.source)
    assert markdown.count("](source:") == 2
    assert "[\\[1\\]](source:1)" in markdown and "\\[Iran's\\]" in markdown


def test_card_highlights_the_cited_sentence_within_its_paragraph(stub):
    answer = stub.ask("What does Iran do?")
    source = sources_of(answer, stub.document.source)[0]
    text = card_text(stub.document, source)
    cited = display_text(answer.citations[0].text)
    assert cited in text.plain and "[Iran's]" in text.plain
    spans = [text.plain[s.start : s.end] for s in text.spans if str(s.style) == HIGHLIGHT]
    assert spans == [safe(cited)]
    assert len(text.plain) > len(cited) + 40  # the paragraph around it is shown too


def _paragraph_run(doc: Document):
    """Three sentences that follow one another in one body paragraph."""
    for paragraph in doc.paragraphs:
        inside = [x for x in doc.sentences if x.paragraph == paragraph.id]
        if paragraph.kind == "body" and len(inside) >= 4:
            return inside[:3]
    raise AssertionError("no paragraph of four sentences")


def cite_sentence(doc: Document, n: int, sentence) -> Citation:
    paragraph = next(p for p in doc.paragraphs if p.id == sentence.paragraph)
    return Citation(n, f"c{sentence.section}", doc.sections[sentence.section].title, paragraph.number,
                    sentence.start, sentence.end, doc.source[sentence.start : sentence.end], cited_notes(doc, sentence))


class ParagraphAssistant(StubAssistant):
    """Answers with two sentences of one paragraph, one sentence of another, then the paragraph's third."""

    def ask(self, question, k=10, mode="hybrid", context=None):
        doc = self.document
        one, two, three = _paragraph_run(doc)
        other = sentence_with(doc, "re-established itself as a crucial player")
        citations = tuple(cite_sentence(doc, n, x) for n, x in enumerate((one, two, other, three), start=1))
        return Answer(question, " ".join(c.text for c in citations), False, 0.9, citations, closest(doc))


def test_contiguous_sentences_of_one_paragraph_are_one_source(stub):
    doc = stub.document
    answer = ParagraphAssistant(doc).ask("Q?")
    sources = sources_of(answer, doc.source)
    one, two, three = _paragraph_run(doc)
    assert [(s.n, s.start, s.end) for s in sources] == [
        (1, one.start, two.end), (2, answer.citations[2].start, answer.citations[2].end), (3, three.start, three.end)]
    markdown = answer_markdown(answer, doc.source)
    assert markdown.count("](source:") == 3
    assert markdown.startswith(escape_markdown(safe(display_text(doc.source[one.start : two.end]))) + " [\\[1\\]](source:1)")
    plain_text = answer_plain(Turn("Q?", None, answer), doc.source)
    assert "[1] " in plain_text and "[3] " in plain_text and "[4]" not in plain_text


async def test_one_card_for_contiguous_sentences(stub):
    app = make_app(assistant=ParagraphAssistant(stub.document))
    async with app.run_test(size=(120, 40)) as pilot:
        await ask(pilot, "What does the paper say?")
        assert [card.source.n for card in app.query(SourceCard)] == [1, 2, 3]
        assert plain(app.query_one(".meta")).endswith("3 citations")
        await pilot.press("alt+1")
        await pilot.pause()
        one, two, _ = _paragraph_run(stub.document)
        assert app.screen.selected_text == safe(stub.document.source[one.start : two.end])


async def test_the_space_after_a_citation_marker_is_kept(stub):
    """Issue 13 saw "[1]For" on screen: the rendered lines keep the space at every width."""
    import re

    from textual.widgets._markdown import MarkdownParagraph

    app = make_app(assistant=stub)
    async with app.run_test(size=(120, 40)) as pilot:
        await ask(pilot, "What does Iran do in Syria?")
        shown = plain(app.query_one(Exchange).query_one(MarkdownParagraph))
        assert 'Yemen". [1] For the first time' in shown
        for width in (60, 71, 80, 93, 100, 117, 120, 160):
            await pilot.resize_terminal(width, 40)
            await pilot.pause()
            paragraph = app.query_one(Exchange).query_one(MarkdownParagraph)
            lines = ["".join(s.text for s in paragraph.render_line(y)).rstrip() for y in range(paragraph.region.height)]
            assert not [line for line in lines if re.search(r"\[\d\]\S", line)], (width, lines)
            words = " ".join(lines).split()
            assert " ".join(words[words.index("[1]") - 1 : words.index("[1]") + 2]) == 'Yemen". [1] For', (width, lines)


async def test_section_titles_in_cards_are_one_line_and_full_in_the_reader(stub):
    app = make_app(assistant=stub)
    async with app.run_test(size=(80, 24)) as pilot:
        await ask(pilot, IRAN)
        card = app.query(SourceCard)[0]
        title = card.query_one(".card-title")
        assert title.region.height == 1 and len(plain(title)) > title.region.width
        line = "".join(seg.text for seg in title.render_line(0))
        assert line.rstrip().endswith("…")
        card.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert card.source.section in plain(app.screen.query_one("#reader-title"))


async def test_after_resizing_the_newest_answer_is_in_view(stub):
    app = make_app(assistant=stub)
    async with app.run_test(size=(120, 40)) as pilot:
        for n in range(4):
            await ask(pilot, f"What does Iran do, part {n}?")
        conversation = app.query_one("#conversation")
        conversation.scroll_home(animate=False)
        await pilot.pause()
        assert conversation.scroll_y == 0
        await pilot.resize_terminal(80, 24)
        await pilot.pause(0.2)
        assert conversation.max_scroll_y > 0 and conversation.scroll_y == conversation.max_scroll_y


@pytest.mark.parametrize("size", [(100, 30), (120, 40)])
async def test_after_clearing_no_suggestion_hides_behind_a_scrollbar(stub, size):
    app = make_app(assistant=stub)
    async with app.run_test(size=size) as pilot:
        await ask(pilot, IRAN)
        await ask(pilot, IRAN)
        await pilot.press("ctrl+l")
        await pilot.pause(0.2)
        options = app.query_one("#suggestions")
        assert not options.show_vertical_scrollbar and options.max_scroll_y == 0
        assert options.virtual_size.height <= options.scrollable_content_region.height


def test_conversation_markdown_quotes_with_locators(stub):
    answer = stub.ask("What does Iran do?")
    from datetime import datetime

    markdown = conversation_markdown(stub.document, [Turn("What does Iran do?", None, answer)], datetime(2024, 1, 2, 3, 4))
    c = answer.citations[1]
    assert f"> {escape_markdown(display_text(c.text))}" in markdown
    assert f"characters {c.start}–{c.end}" in markdown and "paragraph" in markdown
    assert "The paper cites \\[35\\]" in markdown


# -- the app over the stub ------------------------------------------------------------------------


def shown_suggestions(app) -> list[str]:
    options = app.query_one("#suggestions")
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def started(pilot, stub) -> None:
    """Wait until the start screen's suggestions are checked, then forget the stub's checking questions."""
    await settle(pilot)
    stub.asked.clear()


async def test_start_screen_shows_the_paper_and_suggestions(stub):
    app = make_app(assistant=stub)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.state == "ready"
        welcome = app.query_one(Welcome)
        assert "Comparative analysis" in plain(welcome.query_one("#paper-title"))
        assert plain(welcome.query_one("#paper-authors")) == "Aref Bijan, Anastasia Goncharova"
        assert plain(welcome.query_one("#paper-counts")).startswith(f"{len(stub.document.sections)} sections")
        checked = suggested_questions(stub.document, ask=StubAssistant(stub.document).ask)
        assert shown_suggestions(app) == checked and checked != suggested_questions(stub.document)
        assert plain(welcome.query_one("#suggest-label")).startswith("Type a question below, or pick one")
        assert app.focused is app.query_one(QuestionInput)


class GatedQueryEncoder:
    """The fake encoder for questions, held until the test opens the gate."""

    def __init__(self, fake) -> None:
        self.fake, self.gate, self.waiting = fake, threading.Event(), threading.Event()
        self.dimension = fake.dimension

    def encode(self, texts, batch_size: int = 32):
        self.waiting.set()
        self.gate.wait(10)
        return self.fake.encode(texts)


async def test_the_start_screen_is_ready_before_its_suggestions_are_checked(tmp_path, fake_encoder):
    from assistant.index import build_index

    source = tmp_path / "small.txt"
    source.write_text(SMALL, encoding="utf-8")
    build_index(source, tmp_path / "idx", encoder=fake_encoder)
    gated = GatedQueryEncoder(fake_encoder)
    app = make_app(index_dir=tmp_path / "idx", encoder=gated)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            while not gated.waiting.is_set() or app.state != "ready":  # a suggestion is being checked
                await pilot.pause(0.01)
            assert not app.query_one("#suggestions").display and app.focused is app.query_one(QuestionInput)
            assert "Finding questions the paper answers well" in plain(app.query_one("#suggest-label"))
            app.ask("Where is the naval base of Russia?")  # waits for the check in progress, then is answered
            await pilot.pause(0.05)
            gated.gate.set()
            await settle(pilot)
            sentences = app.assistant.document.sentences
            assert len(app.turns) == 1 and any("Tartus" in sentences[i].text for i in app.turns[0].answer.sentence_ids)
            checked = suggested_questions(app.assistant.document, ask=app.assistant.ask)
            assert shown_suggestions(app) == checked and app.query_one("#suggestions").display == bool(checked)
    finally:
        gated.gate.set()


async def test_choosing_a_suggestion_asks_it(stub):
    app = make_app(assistant=stub)
    async with app.run_test(size=(100, 30)) as pilot:
        await started(pilot, stub)
        await pilot.press("tab")  # focus the suggestions
        await pilot.press("down", "enter")
        await settle(pilot)
        assert stub.asked == [(shown_suggestions(app)[1], None)]
        assert len(app.turns) == 1


async def test_asking_shows_the_answer_and_its_sources(stub):
    app = make_app(assistant=stub)
    async with app.run_test(size=(120, 40)) as pilot:
        await ask(pilot, "What does Iran do in Syria?")
        exchange = app.query_one(Exchange)
        assert plain(exchange.query_one(".question")) == "› What does Iran do in Syria?"
        markdown = exchange.query_one(".answer")
        assert markdown.source == answer_markdown(app.turns[0].answer, stub.document.source)
        cards = list(app.query(SourceCard))
        assert [card.source.n for card in cards] == [1, 2]
        assert "The paper cites" in card_text(stub.document, cards[1].source).plain
        box = app.query_one(QuestionInput)
        assert not box.disabled and box.value == "" and app.focused is box


async def test_the_footer_is_rebuilt_only_when_its_keys_change(stub):
    from textual.widgets._footer import FooterKey

    app = make_app(assistant=stub)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot, stub)
        await settle(pilot)
        keys = {key.action: key for key in app.query(FooterKey)}
        assert keys["copy_answer"].has_class("-disabled")  # nothing to copy yet
        for _ in range(3):
            app.refresh_bindings()
            await settle(pilot)
        assert all(a is b for a, b in zip(app.query(FooterKey), keys.values()))  # same keys: not rebuilt
        await ask(pilot, IRAN)
        await settle(pilot)
        assert not {key.action: key for key in app.query(FooterKey)}["copy_answer"].has_class("-disabled")


async def test_a_follow_up_is_asked_with_context(stub):
    app = make_app(assistant=stub)
    async with app.run_test(size=(100, 30)) as pilot:
        await started(pilot, stub)
        await ask(pilot, IRAN)
        await ask(pilot, "And what about Russia?")
        assert stub.asked == [(IRAN, None), ("And what about Russia?", "What are Russia's goals in the Middle East?")]
        assert "What are Russia's goals in the Middle East?" in plain(app.query(Exchange)[1].query_one(".context"))


async def test_a_follow_up_after_a_who_question_carries_the_names_of_its_answer(stub):
    from assistant.followup import answered_with

    app = make_app(assistant=stub)
    async with app.run_test(size=(100, 30)) as pilot:
        await started(pilot, stub)
        await ask(pilot, "Who backs Tehran's partners?")
        await ask(pilot, "Where do they work?")
        answer = app.turns[0].answer.answer
        carried = answered_with("Who backs Tehran's partners?", None, answer)
        assert carried != "Who backs Tehran's partners?"  # the answer's names came along
        assert stub.asked[-1] == ("Where do they work?", carried)


async def test_tell_me_more_leaves_out_what_was_shown_on_the_topic(stub):
    app = make_app(assistant=stub)
    async with app.run_test(size=(100, 30)) as pilot:
        await started(pilot, stub)
        await ask(pilot, IRAN)
        await ask(pilot, "Tell me more.")
        await ask(pilot, "What else?")
        await ask(pilot, "And what about Russia?")  # a new topic: nothing left out
        first, more, yet_more = (app.turns[i].answer.sentence_ids for i in range(3))
        assert stub.asked[-3] == ("Tell me more.", IRAN)  # (the start screen asked its suggestions first)
        assert stub.left_out[-4:] == [(), first, first + more, ()]
        assert not set(first) & set(more) and not set(first + more) & set(yet_more)


async def test_markup_in_a_question_is_shown_literally(stub):
    app = make_app(assistant=stub)
    async with app.run_test(size=(100, 30)) as pilot:
        await ask(pilot, "Is [bold]Iran[/bold] a [link=x]power[/link]?")
        assert plain(app.query_one(Exchange).query_one(".question")) == "› Is [bold]Iran[/bold] a [link=x]power[/link]?"


async def test_input_history_recalls_earlier_questions(stub):
    app = make_app(assistant=stub)
    async with app.run_test(size=(100, 30)) as pilot:
        await ask(pilot, "What does Iran want?")
        await ask(pilot, "What does Russia want?")
        box = app.query_one(QuestionInput)
        box.value = "draft"
        await pilot.press("up")
        assert box.value == "What does Russia want?"
        await pilot.press("up", "up")
        assert box.value == "What does Iran want?"
        await pilot.press("down")
        assert box.value == "What does Russia want?"
        await pilot.press("down")
        assert box.value == "draft"


async def test_an_empty_question_is_an_error_notification(stub):
    app = make_app(assistant=stub)
    async with app.run_test(size=(100, 30)) as pilot:
        await started(pilot, stub)
        seen = record_notifications(app)
        await ask(pilot, "   ")
        assert seen and seen[-1][1] == "error" and "empty" in seen[-1][0]
        assert not app.query(Exchange) and not app.query_one(QuestionInput).disabled and stub.asked == []


async def test_a_failing_answer_notifies_and_restores_the_input(stub):
    app = make_app(assistant=FailingAssistant(stub.document))
    async with app.run_test(size=(100, 30)) as pilot:
        seen = record_notifications(app)
        await ask(pilot, "What does Iran want?")
        assert seen[-1] == ("the index went away", "error")
        box = app.query_one(QuestionInput)
        assert not box.disabled and box.value == "What does Iran want?" and app.focused is box
        assert not app.query(Exchange) and app.turns == [] and app.return_code is None


async def test_abstention_offers_the_closest_passages(stub):
    app = make_app(assistant=stub)
    async with app.run_test(size=(100, 30)) as pilot:
        await ask(pilot, "How do I bake bread?")
        markdown = app.query_one(Exchange).query_one(".answer")
        assert "abstained" in markdown.classes
        assert "The paper does not seem to answer this." in markdown.source
        cards = list(app.query(SourceCard))
        assert len(cards) == 3 and all(card.source.locator == "closest passage" for card in cards)
        assert plain(app.query_one(Exchange).query_one(".meta")) == "closest answer: 0.02 chance it would be right"


async def test_opening_a_source_shows_the_paper_and_escape_returns(stub):
    app = make_app(assistant=stub)
    async with app.run_test(size=(100, 30)) as pilot:
        await ask(pilot, "What does Iran do?")
        citation = app.turns[0].answer.citations[1]
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        reader = app.screen.query_one("#reader")
        assert reader.text == safe(stub.document.source)
        assert app.screen.selected_text == app.turns[0].answer.citations[0].text
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ReaderScreen)
        app.query(SourceCard)[0].focus()
        await pilot.press("2")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen) and app.screen.selected_text == citation.text
        await pilot.pause(0.1)
        assert app.screen.query_one("#reader").scroll_y > 0  # scrolled to the passage


async def test_clicking_a_marker_opens_its_source(stub):
    app = make_app(assistant=stub)
    async with app.run_test(size=(100, 30)) as pilot:
        await ask(pilot, "What does Iran do?")
        from textual.widgets import Markdown

        markdown = app.query_one(Exchange).query_one(".answer", Markdown)
        markdown.post_message(Markdown.LinkClicked(markdown, "source:2"))
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen) and app.screen.source.n == 2


async def test_saving_the_conversation(stub, tmp_path):
    app = make_app(assistant=stub)
    async with app.run_test(size=(100, 30)) as pilot:
        seen = record_notifications(app)
        await ask(pilot, "What does Iran do?")
        await ask(pilot, "How do I bake bread?")
        await pilot.press("ctrl+s")
        await pilot.pause()
        saved = app.saved_path
        assert saved.parent == Path(tmp_path / "home" / "conversations") and saved.suffix == ".md"
        assert str(saved) in seen[-1][0]
        text = saved.read_text(encoding="utf-8")
        assert "## 1. What does Iran do?" in text and "## 2. How do I bake bread?" in text
        first = app.turns[0].answer.citations[0]
        assert f"characters {first.start}–{first.end}" in text
        assert "\\[Iran's\\]" in text and "does not seem to answer" in text


def test_a_saved_file_is_new_whole_or_absent(tmp_path, monkeypatch):
    """Saving never replaces a file, and a write that fails (a full disk) leaves nothing behind:
    no part of the file, no temporary file; without hard links the file is created, then written."""
    import errno
    import os
    from datetime import datetime

    from assistant.app import _write_new

    now = datetime(2026, 12, 5, 14, 0, 0)
    mine = tmp_path / "conversation-20261205-140000.md"
    mine.write_text("my own notes", encoding="utf-8")
    saved = _write_new(tmp_path, "conversation", "md", "the conversation", now)
    assert saved.name == "conversation-20261205-140000-1.md" and saved.read_text(encoding="utf-8") == "the conversation"
    assert mine.read_text(encoding="utf-8") == "my own notes"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([mine.name, saved.name])

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError, match="No space left"):
        _write_new(tmp_path, "answer", "txt", "x" * 100_000, now)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([mine.name, saved.name])
    monkeypatch.undo()

    def no_links(source, target):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    other = _write_new(tmp_path, "answer", "txt", "an answer", now)
    assert other.read_text(encoding="utf-8") == "an answer"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([mine.name, saved.name, other.name])


async def test_ctrl_s_saves_to_the_user_data_folder_not_the_current_one(stub, tmp_path, monkeypatch):
    monkeypatch.delenv("ASSISTANT_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path / "home" if (tmp_path / "home").mkdir() is None else tmp_path)
    app = make_app(assistant=stub)
    async with app.run_test(size=(100, 30)) as pilot:
        seen = record_notifications(app)
        await ask(pilot, "What does Iran do?")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.saved_path.parent == tmp_path / "data" / "paper-assistant" / "conversations"
        assert str(app.saved_path) in seen[-1][0] and list((tmp_path / "home").iterdir()) == []


async def test_copy_without_a_clipboard_tool_saves_a_file_and_says_where(stub, monkeypatch):
    from assistant import clipboard

    monkeypatch.setattr(clipboard, "clipboard_command", lambda: None)
    app, seen = await ask_and_copy(stub)
    message, severity = seen[-1]
    assert not message.startswith("Copied") and severity == "warning"
    assert str(app.copied_path) in message and app.copied_path.parent == paths.conversations_dir()
    assert app.copied_path.read_text(encoding="utf-8") == answer_plain(app.turns[0], stub.document.source)


async def ask_and_copy(stub) -> tuple[PaperApp, list[tuple[str, str]]]:
    """Ask a question, press Ctrl+Y; the app (closed) and the notifications it showed."""
    app = make_app(assistant=stub)
    async with app.run_test(size=(100, 30)) as pilot:
        seen = record_notifications(app)
        await ask(pilot, IRAN)
        await pilot.press("ctrl+y")
        await settle(pilot)
    return app, seen


async def test_copy_with_a_clipboard_tool(stub, tmp_path, monkeypatch):
    tools = tmp_path / "bin"
    tools.mkdir()
    xclip = tools / "xclip"
    xclip.write_text('#!/bin/sh\n[ "$1 $2" = "-selection clipboard" ] && cat > "$CLIPBOARD_OUT"\n')
    xclip.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}:/usr/bin:/bin")
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("CLIPBOARD_OUT", str(tmp_path / "clipboard.txt"))
    app, seen = await ask_and_copy(stub)
    assert seen[-1] == ("Copied the last answer with 2 sources (with xclip).", "information")
    assert (tmp_path / "clipboard.txt").read_text(encoding="utf-8") == answer_plain(app.turns[0], stub.document.source)


def test_a_failing_clipboard_tool_is_not_a_copy(tmp_path, monkeypatch):
    from assistant import clipboard

    assert clipboard.clipboard_command({}, which=lambda name: f"/usr/bin/{name}") == ["/usr/bin/pbcopy"]
    assert clipboard.clipboard_command({"DISPLAY": ":0"}, which=lambda name: None) is None
    assert clipboard.clipboard_command({"DISPLAY": ":0"}, which=lambda n: f"/b/{n}")[:2] == ["/b/xclip", "-selection"]
    monkeypatch.setattr(clipboard, "clipboard_command", lambda: ["/bin/false"])
    assert clipboard.copy("text") is None


async def test_copy_then_clear(stub, monkeypatch):
    from assistant import clipboard

    monkeypatch.setattr(clipboard, "clipboard_command", lambda: None)
    app = make_app(assistant=stub)
    async with app.run_test(size=(100, 30)) as pilot:
        await ask(pilot, IRAN)
        await pilot.press("ctrl+y")
        await settle(pilot)
        answer = app.turns[0].answer
        assert app.clipboard.startswith(f"Q: {IRAN}\nA: ")
        assert f"[2] {answer.citations[1].section}, paragraph" in app.clipboard
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert not app.query(Exchange) and app.turns == [] and not app.query(SourceCard)
        await ask(pilot, "And what about Russia?")
        assert stub.asked[-1] == ("And what about Russia?", None)  # no context after clearing


async def test_alt_digits_open_a_source_with_focus_in_the_input(stub):
    app = make_app(assistant=stub)
    async with app.run_test(size=(100, 30)) as pilot:
        await ask(pilot, IRAN)
        box = app.query_one(QuestionInput)
        box.value = "draft"
        assert app.focused is box
        await pilot.press("alt+2")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen) and app.screen.source.n == 2
        await pilot.press("escape")
        await pilot.pause()
        assert box.value == "draft" and app.focused is box


async def test_sources_of_an_earlier_answer_reopen_by_keyboard(stub):
    app = make_app(assistant=stub)
    async with app.run_test(size=(100, 30)) as pilot:
        await ask(pilot, "How do I bake bread?")
        await ask(pilot, IRAN)
        assert app.selected == 1
        await pilot.press("ctrl+up")
        await pilot.pause()
        assert app.selected == 0 and app.query_one("#sources").border_title == "Sources of answer 1 of 2"
        assert all(card.source.locator == "closest passage" for card in app.query(SourceCard))
        await pilot.press("alt+1")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen) and app.screen.source.locator == "closest passage"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("ctrl+down")
        await pilot.pause()
        assert app.selected == 1 and app.query(SourceCard)[0].source.locator.startswith("paragraph")


async def test_every_key_is_in_the_footer_or_the_help(stub):
    from assistant.widgets import SourcesPane

    app = make_app(assistant=stub)
    async with app.run_test(size=(100, 30)) as pilot:
        await ask(pilot, IRAN)
        help_text = app.help_markdown()
        for binding in [*app.BINDINGS, *QuestionInput.BINDINGS, *SourceCard.BINDINGS, *SourcesPane.BINDINGS]:
            key = app.get_key_display(binding)
            digit = binding.key.removeprefix("alt+").isdigit()
            assert binding.show or key in help_text or (digit and ("Alt+1…9" in help_text or "1 … 9" in help_text)), key
        assert "Alt+1…9" in help_text and "ctrl+↑".lower() in help_text.lower().replace("^", "ctrl+")


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_the_help_says_how_to_close_it_without_scrolling(stub, size):
    app = make_app(assistant=stub)
    async with app.run_test(size=size) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        hint = app.screen.query_one("#help-close")
        box = app.screen.query_one("#help")
        assert "Escape" in plain(hint)
        assert hint.region.height == 1 and box.content_region.contains_region(hint.region)
        assert hint.region.bottom <= size[1]
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "Screen"


async def test_help_screen_and_command_palette(stub):
    app = make_app(assistant=stub)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        assert "Copy the last answer" in app.help_markdown()
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "Screen"
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {"Copy answer", "Save conversation", "Clear conversation", "Help", "Open source"} <= titles
        described = [b for b in app.BINDINGS if not b.description]
        assert described == []


# -- first run: building the index in a worker ----------------------------------------------------


SMALL = """A Small Paper on Regional Security

Introduction

This small paper compares the goals of Iran and Russia in the Middle East. It is written for tests.

Iran's goals

Iran seeks regional influence in the Middle East through allied groups. Iran supports the government of Syria.

Russia's goals

Russia wants to keep its naval base at Tartus in Syria. Russia also sells weapons to states in the region.

Conclusion

Both states cooperate in Syria, but their long-term goals differ.
"""


class GatedEncoder:
    """The fake encoder, held at its second batch (the first one reported) until the test opens the gate."""

    def __init__(self, fake) -> None:
        self.fake, self.gate, self.waiting = fake, threading.Event(), threading.Event()
        self.dimension = fake.dimension
        self.calls = 0

    def encode(self, texts, batch_size: int = 32):
        self.calls += 1
        if self.calls == 2:
            from textual.worker import get_current_worker

            worker = get_current_worker()  # the app's build worker: stop waiting when the app closes
            self.waiting.set()
            while not self.gate.wait(0.02) and not worker.is_cancelled:
                pass
        return self.fake.encode(texts)


@pytest.fixture
def first_run(tmp_path, monkeypatch, fake_encoder):
    """A data home with no index, a small default paper, and a fast fake encoder for the build."""
    from functools import partial

    from assistant import index
    from conftest import use_small_paper

    use_small_paper(tmp_path, monkeypatch, SMALL)
    gated = GatedEncoder(fake_encoder)
    monkeypatch.setattr(index, "build_index", partial(index.build_index, encoder=gated))
    assert not paths.default_index_dir().exists()
    yield gated
    gated.gate.set()


async def until_embedding(pilot, gated: GatedEncoder) -> None:
    """Wait until the first build is held at its second embedding batch."""
    while not gated.waiting.is_set():
        await pilot.pause(0.01)
    await pilot.pause(0.05)


async def test_first_run_builds_the_index_with_progress(first_run, fake_encoder):
    app = make_app(encoder=fake_encoder)
    async with app.run_test(size=(100, 30)) as pilot:
        await until_embedding(pilot, first_run)
        assert app.state == "building"
        bar = app.query_one("#build-bar")
        label = plain(app.query_one("#build-label"))
        assert bar.total and f"embedding passages: {bar.progress:,} of {bar.total:,}" in label
        assert "Escape cancels" in label
        first_run.gate.set()
        await settle(pilot)
        assert app.state == "ready" and (paths.default_index_dir() / "current" / "manifest.json").is_file()
        assert plain(app.query_one("#paper-title")) == "A Small Paper"
        await ask(pilot, "Where is the naval base of Russia?")
        answer = app.turns[0].answer
        chosen = [app.assistant.document.sentences[i].text for i in answer.sentence_ids]
        assert any("Tartus" in text for text in chosen), chosen  # selected even if the fake encoder abstains
        assert answer.answer == ("" if answer.abstained else " ".join(chosen))


async def test_build_progress_names_each_phase_with_the_time_left(first_run, fake_encoder):
    from assistant.widgets import BuildPanel

    app = make_app(encoder=fake_encoder)
    async with app.run_test(size=(100, 30)) as pilot:
        await until_embedding(pilot, first_run)
        panel = app.query_one(BuildPanel)
        now = [0.0]
        panel.clock._clock = lambda: now[0]
        panel.progress("loading model", 0, 1)
        now[0] = 12.0
        await pilot.pause(1.1)  # the panel's timer keeps a silent phase's label current
        assert "loading the embedding model (12 s so far)" in plain(app.query_one("#build-label"))
        panel.progress("embedding", 100, 1000)
        now[0] = 13.0
        panel.progress("embedding", 200, 1000)
        label = plain(app.query_one("#build-label"))
        assert "embedding passages: 200 of 1,000 (20%)" in label and "about 8 s left" in label
        first_run.gate.set()
        await settle(pilot)


async def test_questions_typed_during_the_first_build_are_asked_when_it_is_ready(first_run, fake_encoder):
    app = make_app(encoder=fake_encoder)
    async with app.run_test(size=(100, 30)) as pilot:
        while not first_run.waiting.is_set():
            await pilot.pause(0.01)
        box = app.query_one(QuestionInput)
        assert not box.disabled and "asked as soon as" in box.placeholder
        box.value = "Where is the naval base of Russia?"
        await pilot.press("enter")
        box.value = "What does Iran support?"
        await pilot.press("enter")
        await pilot.pause()
        queued = list(app.query(Exchange))
        assert len(queued) == 2 and all("Queued" in plain(e.query_one(".pending")) for e in queued)
        assert app.turns == [] and box.value == ""
        first_run.gate.set()
        await settle(pilot)
        await settle(pilot)
        assert [t.question for t in app.turns] == ["Where is the naval base of Russia?", "What does Iran support?"]
        assert not app.query(".pending") and [e.turn for e in app.query(Exchange)] == [0, 1]


async def test_escape_cancels_the_first_build_and_leaves_no_index(first_run, fake_encoder):
    app = make_app(encoder=fake_encoder)
    async with app.run_test(size=(100, 30)) as pilot:
        seen = record_notifications(app)
        await until_embedding(pilot, first_run)
        await pilot.press("escape")
        first_run.gate.set()
        await settle(pilot)
        assert app.state == "cancelled" and app.assistant is None
        assert not paths.default_index_dir().exists()
        assert "cancelled" in plain(app.query_one("#build-label")).lower() and "cancelled" in seen[-1][0]
        assert not app.query_one("#build-bar").display  # no 0% bar left behind
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert app.state == "ready" and (paths.default_index_dir() / "current" / "manifest.json").is_file()


async def test_a_broken_index_dir_is_a_notification(tmp_path):
    app = make_app(index_dir=tmp_path / "nowhere")
    seen = record_notifications(app)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.state == "failed" and app.return_code is None
        assert seen[-1][1] == "error" and "no such index directory" in seen[-1][0]
        assert "no such index directory" in plain(app.query_one("#build-label"))


def test_the_background_encoder_waits_and_reports_its_load_error(monkeypatch, fake_encoder):
    from assistant import encoder
    from assistant.app import loading_encoder
    from assistant.errors import ModelError

    gate = threading.Event()

    def slow_fake():
        gate.wait(5)
        return fake_encoder

    monkeypatch.setattr(encoder, "OnnxEncoder", slow_fake)
    loading = loading_encoder()
    assert not loading.loaded
    gate.set()
    assert loading.encode(["Iran"]).tolist() == fake_encoder.encode(["Iran"]).tolist() and loading.loaded

    def broken():
        raise ModelError("the embedding model is missing")

    monkeypatch.setattr(encoder, "OnnxEncoder", broken)
    with pytest.raises(ModelError, match="missing"):
        loading_encoder().encode(["Iran"])


# -- the real paper -------------------------------------------------------------------------------


@pytest.mark.slow
async def test_real_question_cites_the_paper(paper_assistant):
    app = make_app(assistant=paper_assistant)
    async with app.run_test(size=(120, 40)) as pilot:
        await ask(pilot, "What does Russia gain from its military operation in Syria?")
        answer = app.turns[0].answer
        assert not answer.abstained and answer.citations
        source = paper_assistant.document.source
        for citation in answer.citations:
            assert citation.text == source[citation.start : citation.end]
        sources = sources_of(answer, source)  # contiguous sentences of a paragraph are one source
        assert [(c.source.start, c.source.end) for c in app.query(SourceCard)] == [(s.start, s.end) for s in sources]
        assert {c.start for c in answer.citations} >= {s.start for s in sources}
        assert {c.end for c in answer.citations} >= {s.end for s in sources}
        assert app.query_one(Exchange).query_one(".answer").source.count("](source:") == len(sources)


@pytest.mark.slow
async def test_real_follow_up_retrieves_the_new_entity(paper_assistant):
    app = make_app(assistant=paper_assistant)
    async with app.run_test(size=(120, 40)) as pilot:
        await ask(pilot, IRAN)
        await ask(pilot, "And what about Russia?")
        turn = app.turns[1]
        assert turn.context == "What are Russia's goals in the Middle East?"
        assert not turn.answer.abstained
        assert "Russia" in turn.answer.answer and "goals" in turn.answer.answer.lower()


@pytest.mark.slow
async def test_real_abstention(paper_assistant):
    app = make_app(assistant=paper_assistant)
    async with app.run_test(size=(120, 40)) as pilot:
        await ask(pilot, "How do I bake sourdough bread at home?")
        assert app.turns[0].answer.abstained
        assert "does not seem to answer" in app.query_one(Exchange).query_one(".answer").source
        assert len(app.query(SourceCard)) == 3


@pytest.mark.slow
async def test_real_citation_opens_in_the_reader(paper_assistant):
    app = make_app(assistant=paper_assistant)
    async with app.run_test(size=(80, 24)) as pilot:
        await ask(pilot, "Why does Russia support the Assad regime?")
        citation = app.turns[0].answer.citations[0]
        await pilot.click(SourceCard)
        await pilot.pause(0.1)
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.selected_text == citation.text
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.screen_stack[0] and isinstance(app.focused, SourceCard)  # back where we were


# -- history of conversations ---------------------------------------------------------------------


async def test_past_conversations_are_kept_searched_and_reopened(stub):
    from assistant import history

    app = make_app(assistant=stub)
    async with app.run_test(size=(100, 30)) as pilot:
        await ask(pilot, IRAN)
        await ask(pilot, "How do I bake bread?")
        await pilot.press("ctrl+l")
        await ask(pilot, "What does Russia want?")
    folder = history.history_dir(paths.conversations_dir())
    pasts = history.load_all(folder)
    assert sorted(p.questions for p in pasts) == sorted([("What does Russia want?",), (IRAN, "How do I bake bread?")])

    app = make_app(assistant=stub)
    async with app.run_test(size=(100, 30)) as pilot:
        await started(pilot, stub)
        await pilot.press("f2")
        await pilot.pause()
        assert type(app.screen).__name__ == "HistoryScreen"
        options = app.screen.query_one("#history-list")
        assert options.option_count == 2
        await pilot.press(*"bread")
        await pilot.pause()
        assert options.option_count == 1 and "What are Iran's goals" in str(options.get_option_at_index(0).prompt)
        await pilot.press("enter")
        await settle(pilot)
        await settle(pilot)
        assert [t.question for t in app.turns] == [IRAN, "How do I bake bread?"]
        assert [q for q, _ in stub.asked] == [IRAN, "How do I bake bread?"]
        await ask(pilot, "What does Iran want?")  # continues the same entry
    assert sorted(len(p.questions) for p in history.load_all(folder)) == [1, 3]


async def test_a_reopened_request_for_more_leaves_out_what_the_answer_before_it_showed(stub):
    app = make_app(assistant=stub)
    async with app.run_test(size=(100, 30)) as pilot:
        await ask(pilot, IRAN)
        await ask(pilot, "Tell me more.")
        first, more = (turn.answer.sentence_ids for turn in app.turns)

    app = make_app(assistant=stub)
    async with app.run_test(size=(100, 30)) as pilot:
        await started(pilot, stub)
        await pilot.press("f2")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        await settle(pilot)
        assert [t.question for t in app.turns] == [IRAN, "Tell me more."]
        assert stub.left_out[-2:] == [(), first] and app.turns[1].answer.sentence_ids == more


async def test_history_is_empty_at_first_and_escape_closes_it(stub):
    app = make_app(assistant=stub)
    async with app.run_test(size=(100, 30)) as pilot:
        seen = record_notifications(app)
        await pilot.press("f2")
        await pilot.pause()
        assert "No past conversations" in seen[-1][0]
        await ask(pilot, IRAN)
        await pilot.press("f2")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "Screen" and len(app.turns) == 1


def test_the_transcript_and_suggestions_are_pure_modules_without_textual():
    import subprocess
    import sys

    code = ("import sys, assistant.transcript, assistant.suggestions; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'assistant')))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "textual" not in loaded and "assistant.widgets" not in loaded and "assistant.transcript" in loaded
