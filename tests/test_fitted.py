"""Every fitted model file (ranker, joining, confidence, abstention, query adapter) fails the same way when broken:
one AssistantError line naming the file and the fix, never a traceback or a silent fallback."""

from __future__ import annotations

import importlib

import pytest

from assistant.errors import AssistantError

MODELS = {"ranker": "refit it with", "joining": "refit it with", "confidence": "refit it with", "adapter": "refit it with",
          "abstain": "reinstall the package"}
BROKEN = {"not json": "{not json", "wrong shape": "[1, 2]", "missing keys": "{}"}


@pytest.mark.parametrize("module", sorted(MODELS))
@pytest.mark.parametrize("content", sorted(BROKEN))
def test_a_broken_model_file_is_one_error_line_naming_the_file_and_the_fix(tmp_path, monkeypatch, module, content):
    mod = importlib.import_module(f"assistant.{module}")
    path = tmp_path / f"{module}.json"
    path.write_text(BROKEN[content], encoding="utf-8")
    monkeypatch.setattr(mod, "model_path", lambda: path)
    mod.load_model.cache_clear()
    try:
        with pytest.raises(AssistantError) as caught:
            mod.load_model()
    finally:
        mod.load_model.cache_clear()
    message = str(caught.value)
    assert "\n" not in message and str(path) in message and MODELS[module] in message


@pytest.mark.parametrize("module", sorted(MODELS))
def test_a_missing_model_file_is_the_same_error(tmp_path, monkeypatch, module):
    mod = importlib.import_module(f"assistant.{module}")
    monkeypatch.setattr(mod, "model_path", lambda: tmp_path / "gone.json")
    mod.load_model.cache_clear()
    try:
        with pytest.raises(AssistantError, match="cannot read the .* model .*gone.json"):
            mod.load_model()
    finally:
        mod.load_model.cache_clear()


@pytest.mark.parametrize("module", sorted(MODELS))
def test_the_shipped_model_files_load(module):
    mod = importlib.import_module(f"assistant.{module}")
    mod.load_model.cache_clear()
    assert mod.load_model() is not None
