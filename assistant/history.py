"""Past conversations, kept so they can be searched and reopened (the chat UI's F2).

Each conversation is one small JSON file of its questions (``{"version", "started", "document",
"source_sha256", "questions": [...]}``) in ``<conversations>/history``; reopening one asks its
questions again, so the answers are those of the current index, never stale copies.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Iterable, Sequence

VERSION = 1


@dataclass(frozen=True)
class Past:
    """One saved conversation."""

    path: Path
    started: datetime
    document: str
    source_sha256: str
    questions: tuple[str, ...]

    @property
    def label(self) -> str:
        more = len(self.questions) - 1
        first = self.questions[0] if self.questions else "(no questions)"
        return f"{self.started:%Y-%m-%d %H:%M} · {first}" + (f" (+{more} more)" if more > 0 else "")


def history_dir(conversations: Path) -> Path:
    return conversations / "history"


def save(path: Path, started: datetime, document: str, source_sha256: str, questions: Sequence[str]) -> None:
    """Write (or rewrite) one conversation's file atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"version": VERSION, "started": started.isoformat(timespec="seconds"), "document": document,
            "source_sha256": source_sha256, "questions": list(questions)}
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".history-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, ensure_ascii=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def new_path(folder: Path, started: datetime) -> Path:
    """A file name for a conversation started at ``started`` that no other conversation has."""
    for attempt in range(100):
        path = folder / f"conversation-{started:%Y%m%d-%H%M%S}{f'-{attempt}' if attempt else ''}.json"
        if not path.exists():
            return path
    raise FileExistsError(f"{folder}: too many conversations started at {started:%Y-%m-%d %H:%M:%S}")


def load_all(folder: Path, source_sha256: str | None = None) -> list[Past]:
    """Saved conversations, newest first (only those about ``source_sha256`` when given);
    unreadable files are skipped."""
    pasts = [past for past in map(_read, sorted(folder.glob("conversation-*.json"))) if past is not None]
    if source_sha256 is not None:
        pasts = [p for p in pasts if p.source_sha256 == source_sha256]
    return sorted(pasts, key=lambda p: p.started, reverse=True)


def _read(path: Path) -> Past | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        questions = tuple(str(q) for q in data["questions"])
        return Past(path, datetime.fromisoformat(data["started"]), str(data.get("document", "")),
                    str(data.get("source_sha256", "")), questions)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def search(pasts: Iterable[Past], text: str) -> list[Past]:
    """The conversations one of whose questions contains every word of ``text`` (any case)."""
    words = text.lower().split()
    return [p for p in pasts if any(all(w in q.lower() for w in words) for q in p.questions)]
