"""Layout snapshots of the chat UI at fixed sizes (pytest-textual-snapshot), cursor blink off.

The app runs over the deterministic stub assistant of test_app (answers built from the real
paper's structure), so the pictures change only when the UI or the paper's parse does.
Update with ``pytest tests/test_snapshots.py --snapshot-update`` after looking at the report.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from assistant.app import make_app
from assistant.widgets import QuestionInput
from test_app import StubAssistant, ask, first_run  # noqa: F401 (first_run is a fixture)


@pytest.fixture
def app(paper_document):
    from assistant.paper import default_metadata

    return make_app(assistant=StubAssistant(replace(paper_document, metadata=default_metadata())))


async def _steady(pilot) -> None:
    pilot.app.query_one(QuestionInput).cursor_blink = False
    await pilot.app.workers.wait_for_complete()  # the start screen's suggestions are checked
    await pilot.pause()


def _asking(question: str, *keys: str):
    async def run_before(pilot) -> None:
        await _steady(pilot)
        await ask(pilot, question)
        await pilot.press(*keys)
        await pilot.pause(0.1)
        if pilot.app.screen.query("#reader"):
            pilot.app.screen.query_one("#reader").cursor_blink = False
        await pilot.pause()

    return run_before


def test_start_screen_80x24(snap_compare, app):
    assert snap_compare(app, terminal_size=(80, 24), run_before=_steady)


def test_answer_with_sources_120x40(snap_compare, app):
    assert snap_compare(app, terminal_size=(120, 40), run_before=_asking("What does Iran do in Syria?"))


def test_abstention_80x24(snap_compare, app):
    assert snap_compare(app, terminal_size=(80, 24), run_before=_asking("How do I bake bread?"))


def test_reader_80x24(snap_compare, app):
    assert snap_compare(app, terminal_size=(80, 24), run_before=_asking("What does Iran do in Syria?", "ctrl+o"))


def test_first_run_build_progress_80x24(snap_compare, first_run, fake_encoder):
    async def run_before(pilot) -> None:
        while not first_run.waiting.is_set():
            await pilot.pause(0.01)
        await pilot.pause(0.1)

    assert snap_compare(make_app(encoder=fake_encoder), terminal_size=(80, 24), run_before=run_before)
