"""Where things live. ``ASSISTANT_HOME`` overrides the data location (tests point it at tmp)."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_PAPER = "bijan-goncharova-2021-iran-russia-security.txt"


def project_root() -> Path:
    return Path(__file__).resolve().parent.parent


def source_dir() -> Path:
    return project_root() / "source"


def default_source() -> Path:
    return source_dir() / DEFAULT_PAPER


def default_metadata() -> Path:
    return source_dir() / "metadata.json"


def default_gold() -> Path:
    return source_dir() / "gold.jsonl"


def home() -> Path:
    """Root for generated data: the default index and the exported model."""
    override = os.environ.get("ASSISTANT_HOME")
    return Path(override) if override else project_root()


def default_index_dir() -> Path:
    return home() / "index" / "paper"


def model_cache_dir() -> Path:
    """Where the ONNX export of the model is kept (``ASSISTANT_MODEL_CACHE`` overrides)."""
    override = os.environ.get("ASSISTANT_MODEL_CACHE")
    if override:
        return Path(override)
    return home() / ".models"


def conversations_dir() -> Path:
    """Where the chat UI saves conversations: ``ASSISTANT_HOME`` when set, else the current directory."""
    override = os.environ.get("ASSISTANT_HOME")
    return Path(override) if override else Path.cwd()
