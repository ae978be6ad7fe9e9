"""Where things live. ``ASSISTANT_HOME`` overrides the data location (tests point it at tmp).

The embedded paper and the gold sets ship inside the package (``assistant/source`` in an
installed wheel, ``source/`` in a checkout). Generated data (the default index and the ONNX
export of the model) goes to the user data folder, never into the installed package.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_PAPER = "bijan-goncharova-2021-iran-russia-security.txt"
APP_NAME = "paper-assistant"


def project_root() -> Path:
    return Path(__file__).resolve().parent.parent


def source_dir() -> Path:
    """The shipped paper and gold sets: package data when installed, ``source/`` in a checkout."""
    installed = Path(__file__).resolve().parent / "source"
    return installed if installed.is_dir() else project_root() / "source"


def default_source() -> Path:
    return source_dir() / DEFAULT_PAPER


def default_metadata() -> Path:
    return source_dir() / "metadata.json"


def default_gold() -> Path:
    return source_dir() / "gold.jsonl"


def home() -> Path:
    """Root for generated data: ``ASSISTANT_HOME``, else the user data folder
    (``~/.local/share/paper-assistant`` on Linux, as platformdirs decides elsewhere)."""
    override = os.environ.get("ASSISTANT_HOME")
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def default_index_dir() -> Path:
    return home() / "index" / "paper"


def library_dir() -> Path:
    """The library of added documents: ``library.json`` and one index folder per document."""
    return home() / "library"


def model_cache_dir() -> Path:
    """Where the ONNX export of the model is kept (``ASSISTANT_MODEL_CACHE`` overrides)."""
    override = os.environ.get("ASSISTANT_MODEL_CACHE")
    if override:
        return Path(override)
    return home() / "models"


def conversations_dir() -> Path:
    """Where the chat UI saves conversations and copied answers: ``conversations`` in the data home
    (``ASSISTANT_HOME`` when set, else the user data folder), never the current folder."""
    return home() / "conversations"
