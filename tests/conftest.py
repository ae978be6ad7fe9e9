"""Shared fixtures: an isolated data home per test, the real paper index built once, a fake encoder."""

from __future__ import annotations

import gc
import os
import sys

import pytest

from assistant import paths
from assistant.encoder import HashingEncoder


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory):
    """One ONNX export of the real model for the whole test session."""
    return tmp_path_factory.mktemp("models")


@pytest.fixture(autouse=True)
def env_setup(tmp_path, monkeypatch, model_cache):
    """Never touch the real data home: each test gets its own ASSISTANT_HOME."""
    monkeypatch.setenv("ASSISTANT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ASSISTANT_MODEL_CACHE", str(model_cache))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture(autouse=True)
def fast_tests_import_no_torch(request):
    """A test not marked slow must not import torch (the real model or an ONNX export)."""
    before = "torch" in sys.modules
    yield
    if not before and "torch" in sys.modules and request.node.get_closest_marker("slow") is None:
        pytest.fail("this test imported torch (real model or ONNX export): give it a fake encoder or mark it slow")


@pytest.fixture(autouse=True)
def fast_tests_use_the_e5_stand_in(request, monkeypatch):
    """A test not marked slow embeds with e5's stand-in (e5.HashingSecond) wherever the real e5 would
    be used by default (a build or upgrade with the real model's settings, a question to such an index)."""
    if request.node.get_closest_marker("slow") is None:
        from assistant import e5

        stand_in = e5.HashingSecond()
        monkeypatch.setattr(e5, "default", lambda: stand_in)


@pytest.fixture(scope="session", autouse=True)
def fast_tier_imports_no_torch(request):
    """The fast tier as a whole (collection included) never imports torch: checked as the session
    (or each xdist worker's share of it) ends, and reported as an error of its last test."""
    yield
    if request.config.getoption("markexpr") == "not slow" and "torch" in sys.modules:
        pytest.fail("the fast tier imported torch outside a test (a test module at import, or a module or session fixture)")


def pytest_configure(config):
    """Fewer, larger young-generation collections. Textual keeps the render caches of its last ~1,000
    widgets alive (an lru_cache on StylesCache), so the heap holds a few hundred thousand objects once
    the app tests have run, and with the default thresholds (700, 10, 10) each of the ~60 full
    collections of a worker re-scanned all of them: ~20 s of the fast tier's ~70 s CPU in one process
    was the cyclic GC, ~5 s with these thresholds (measured with gc.callbacks). Only when the collector
    runs changes; what it frees does not."""
    gc.set_threshold(10_000, 10, 10)


@pytest.fixture(scope="session", autouse=True)
def quick_pilot_waits():
    """Textual's Pilot waits after every key press (twice) and every pause() until the process looks
    idle, judged in windows of 20 ms: at least 20-40 ms of sleep each, ~10 s of the app tests' wall
    time in one process. Windows of 5 ms with the same 5% CPU bound mean the same "idle"; every
    app test still waits for its workers and screen messages explicitly (settle, pause)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("textual._wait.SLEEP_GRANULARITY", 0.005)  # raises if a Textual release renames it
        patch.setattr("textual._wait.SLEEP_IDLE", 0.005 / 20)
        yield


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config):
    """``pytest`` alone runs the whole fast tier in two processes (pytest-xdist, from the test extra).
    The slow tier, a file or test you name, ``-n N`` and ``--pdb`` runs keep their own setting, so each
    real build still happens once; without pytest-xdist everything runs in one process."""
    whole_fast_tier = (config.getoption("markexpr") == "not slow"
                       and config.args_source == pytest.Config.ArgsSource.TESTPATHS)
    if (whole_fast_tier and config.pluginmanager.hasplugin("xdist") and not hasattr(config, "workerinput")
            and config.getoption("numprocesses") is None and not config.getoption("usepdb")):
        config.option.numprocesses = min(2, os.cpu_count() or 1)


@pytest.fixture(scope="session")
def paper_source() -> str:
    return paths.default_source().read_bytes().decode("utf-8")


@pytest.fixture(scope="session")
def paper_document(paper_source):
    from assistant.structure import parse

    return parse(paper_source)


@pytest.fixture(scope="session")
def paper_index_dir(tmp_path_factory, model_cache):
    """The default paper indexed once with the real model (slow: ~20 s)."""
    import os

    from assistant.index import build_index
    from assistant.paper import default_metadata

    os.environ["ASSISTANT_MODEL_CACHE"] = str(model_cache)
    target = tmp_path_factory.mktemp("paper-home") / "index"
    build_index(paths.default_source(), target, metadata=default_metadata())
    return target


@pytest.fixture(scope="session")
def paper_assistant(paper_index_dir):
    from assistant.engine import Assistant
    from assistant.index import load_index

    return Assistant.open(load_index(paper_index_dir))


FakeEncoder = HashingEncoder  # deterministic hashing encoder: fast, and exact enough to assert on


@pytest.fixture
def fake_encoder():
    return FakeEncoder()


def use_small_paper(tmp_path, monkeypatch, text: str) -> None:
    """Make ``text`` the embedded paper ("A Small Paper" by A. Tester) and give builds a stand-in ONNX
    file, for fast tests that build with the hashing encoder."""
    from assistant import encoder, paper

    source = tmp_path / "small.txt"
    source.write_text(text, encoding="utf-8")
    onnx = tmp_path / "fake.onnx"
    onnx.write_bytes(b"not a model")
    monkeypatch.setattr(paths, "default_source", lambda: source)
    monkeypatch.setattr(paper, "default_metadata", lambda: {"title": "A Small Paper", "authors": ["A. Tester"]})
    monkeypatch.setattr(encoder, "ensure_onnx", lambda: onnx)
