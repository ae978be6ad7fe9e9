"""The chat UI on the library: the library screen (documents, sizes, when added; choose one or
all; add by path; remove), answers naming their document, the reader on the right document and page.

Fast: the library of test_library (a small stand-in for the paper, three added documents) with
the hashing encoder for every build and question.
"""

from __future__ import annotations

from assistant import library
from assistant.app import make_app
from assistant.render import safe
from assistant.screens import LibraryScreen, ReaderScreen
from assistant.widgets import Exchange, QuestionInput, SourceCard
from test_app import ask, plain, settle
from test_library import files, home, three  # noqa: F401 (fixtures)

CANALS_TITLE = "Canals of the English Midlands"
CANALS_LABEL = f"{CANALS_TITLE} (Cora Lock and Dev Barge)"  # title and byline
COAL = "Which canal carried coal from the Worsley mines to Manchester?"


def rows(screen: LibraryScreen) -> list[str]:
    options = screen.query_one("#library-list")
    return [options.get_option_at_index(i).prompt.plain for i in range(options.option_count)]


async def open_library(pilot) -> LibraryScreen:
    await pilot.press("f3")
    await pilot.pause()
    assert isinstance(pilot.app.screen, LibraryScreen)
    return pilot.app.screen


async def choose(pilot, doc_id: str | None) -> None:
    """Ask only ``doc_id`` (None: every document) from the library screen, then close it."""
    screen = await open_library(pilot)
    if doc_id is None:
        await pilot.press("a")
    else:
        screen.query_one("#library-list").highlighted = [e.id for e in screen.entries].index(doc_id)
        await pilot.press("enter")
    await pilot.pause()
    await pilot.press("escape")
    await pilot.pause()


def from_documents(answer) -> set[str]:
    return {c.document for c in answer.citations} if not answer.abstained else {p.document for p in answer.passages}


async def test_the_library_screen_lists_the_documents_and_asks_the_one_chosen(three):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.state == "ready"
        screen = await open_library(pilot)
        shown = rows(screen)
        assert [e.id for e in screen.entries] == ["paper", "lighthouses", "canals", "tidal-mills"]
        assert shown[0].startswith("● A Small Paper") and "embedded" in shown[0]
        size = (three / "canals.txt").stat().st_size
        assert shown[2].startswith(f"● {CANALS_TITLE}") and f"canals · txt · {size} B · added 20" in shown[2]
        assert "tidal-mills · pdf ·" in shown[3] and "Asking: every document." in plain(screen.query_one("#library-status"))
        await pilot.press("escape")
        await pilot.pause()
        await choose(pilot, "canals")
        assert app.sub_title == CANALS_TITLE
        await ask(pilot, COAL)
        answer = app.turns[0].answer
        assert from_documents(answer) == {"canals"}
        texts = {e.id: app.assistant.documents[e.id].source for e in app.assistant.entries}
        for item in (*answer.citations, *answer.passages):
            assert texts[item.document][item.start : item.end] == item.text
        cards = list(app.query(SourceCard))
        assert cards and all(plain(c.query_one(".card-title")).split("] ", 1)[1].startswith(CANALS_TITLE) for c in cards)
        screen = await open_library(pilot)
        assert [r[0] for r in rows(screen)] == ["○", "○", "●", "○"]
        await pilot.press("a")
        await pilot.pause()
        assert app.assistant.scope is None and [r[0] for r in rows(screen)] == ["●"] * 4
        await pilot.press("escape")
        await ask(pilot, COAL)  # every document: the answer says which one it comes from
        answer = app.turns[1].answer
        assert not answer.abstained and {c.document for c in answer.citations} == {"canals"}
        assert len({p.document for p in answer.passages}) > 1
        assert plain(app.query(Exchange)[1].query_one(".meta")).endswith(f"· from {CANALS_LABEL}")
        assert plain(app.query(SourceCard)[0].query_one(".card-title")).startswith(f"[1] {CANALS_LABEL} · ")


async def test_an_answer_names_its_document_and_the_reader_opens_it_at_its_page(three):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await choose(pilot, "tidal-mills")
        await ask(pilot, "What made tidal mills unprofitable?")
        answer = app.turns[0].answer
        document = app.assistant.documents["tidal-mills"]
        first = app.query(SourceCard)[0].source
        assert first.document == "tidal-mills" and first.page == library.page_at(document.pages, first.start)
        assert not answer.abstained and first.page == 3 and first.locator.endswith("page 3")
        assert plain(app.query_one(Exchange).query_one(".meta")).endswith("· from Tidal mills of the Atlantic coast (Ann Miller and Bo Wheel)")
        await pilot.press("alt+1")
        await pilot.pause()
        reader = app.screen
        assert isinstance(reader, ReaderScreen) and reader.document is document
        assert reader.selected_text == safe(document.source[first.start : first.end])
        title = plain(reader.query_one("#reader-title"))
        assert "Tidal mills of the Atlantic coast" in title and f"page {first.page}" in title


async def test_adding_and_removing_a_document_from_the_library_screen(home, files):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_library(pilot)
        assert len(screen.entries) == 1
        box = screen.query_one("#library-add")
        box.focus()
        box.value = str(files / "canals.txt")
        await pilot.press("enter")
        await settle(pilot)
        assert [e.id for e in screen.entries] == ["paper", "canals"] and "Added" in plain(screen.query_one("#library-status"))
        assert rows(screen)[1].startswith(f"● {CANALS_TITLE}")
        index = library.Library.open().document("canals").index
        assert index.is_dir()
        screen.query_one("#library-list").focus()
        screen.query_one("#library-list").highlighted = 1
        await pilot.press("enter")  # ask only the new document
        await pilot.press("escape")
        await pilot.pause()
        await ask(pilot, "Who pulled the narrowboats?")
        assert from_documents(app.turns[0].answer) == {"canals"}
        screen = await open_library(pilot)
        screen.query_one("#library-list").highlighted = 1
        await pilot.press("delete")
        await pilot.pause()
        assert [e.id for e in screen.entries] == ["paper"] and app.assistant.scope is None
        assert not index.exists() and (files / "canals.txt").is_file()  # the user's file stays


async def test_a_file_that_cannot_be_added_is_said_on_the_library_screen(home, tmp_path):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_library(pilot)
        box = screen.query_one("#library-add")
        box.focus()
        box.value = str(tmp_path / "nowhere.txt")
        await pilot.press("enter")
        await settle(pilot)
        assert "nowhere.txt" in plain(screen.query_one("#library-status")) and len(screen.entries) == 1


async def test_a_chat_on_one_index_has_no_library_key(home, tmp_path, fake_encoder):
    from assistant.index import build_index

    build_index(home / "small.txt", tmp_path / "idx", encoder=fake_encoder)
    app = make_app(index_dir=tmp_path / "idx", encoder=fake_encoder)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f3")
        await pilot.pause()
        assert not isinstance(app.screen, LibraryScreen) and app.focused is app.query_one(QuestionInput)


async def test_a_suggestion_is_asked_of_the_paper_the_start_screen_shows(three):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        options = app.query_one("#suggestions")
        assert options.option_count and app.assistant.scope is None
        await pilot.press("tab")  # the suggestions: the first one is highlighted
        question = str(options.get_option_at_index(options.highlighted).prompt)
        await pilot.press("enter")
        await settle(pilot)
        answer = app.turns[0].answer
        assert app.turns[0].question == question and from_documents(answer) == {"paper"}
        assert {p.document for p in answer.passages} == {"paper"}  # not the library's other documents
        await ask(pilot, COAL)  # typed questions still go to every document
        assert {p.document for p in app.turns[1].answer.passages} > {"paper"}


async def test_a_damaged_added_document_does_not_stop_the_ui(three):
    version = library.Library.open().document("canals").index / "current"
    (version / "chunks.faiss").write_bytes(b"damaged")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.state == "ready"
        assert "canals" not in app.assistant.documents and "lighthouses" in app.assistant.documents
        assert [e.id for e in app.assistant.entries] == ["paper", "lighthouses", "canals", "tidal-mills"]  # still removable
        await ask(pilot, COAL)
        assert not ({c.document for c in app.turns[0].answer.citations} & {"canals"})


async def test_the_library_loads_the_query_encoder_before_the_first_question(three, monkeypatch, fake_encoder):
    """Like the single-document chat, the library's query encoder is made while the app opens (in
    a background thread), not when the first question arrives; the question reuses it."""
    import threading

    made: list[str] = []

    def making():
        made.append(threading.current_thread().name)
        return fake_encoder

    monkeypatch.setattr(library, "_onnx_encoder", making)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.state == "ready"
        for _ in range(50):
            if made:
                break
            await pilot.pause(0.05)
        assert made == ["query-encoder"]  # made once, before any question, off the UI thread
        await ask(pilot, COAL)
        assert not app.turns[0].answer.abstained and made == ["query-encoder"]


async def test_the_library_and_history_screens_survive_a_terminal_a_few_cells_wide(three):
    """At a width of a few cells the option lists' wrapping raised (Textual's OptionList at content
    width 0); they keep a minimum width instead, and the app goes on."""
    for size in ((4, 4), (1, 1)):
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.resize_terminal(*size)
            for key in ("f3", "escape", "f2", "escape"):
                await pilot.press(key)
                await pilot.pause()
            assert app._exception is None
