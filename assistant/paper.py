"""The embedded default paper: its metadata, and its index kept current."""

from __future__ import annotations

import json
from pathlib import Path

from assistant import index as store
from assistant import paths
from assistant.checksum import sha256_file
from assistant.chunking import ChunkSettings
from assistant.progress import Progress, quiet


def default_metadata() -> dict:
    return json.loads(paths.default_metadata().read_text(encoding="utf-8"))


def is_default(index_dir: Path | None) -> bool:
    return index_dir is None or Path(index_dir).resolve() == paths.default_index_dir().resolve()


def stale_reasons(index_dir: Path) -> list[str]:
    source_sha = sha256_file(paths.default_source())
    return store.problems(index_dir, source_sha256=source_sha, settings=ChunkSettings())


def ensure_default_index(progress: Progress = quiet, notice=lambda message: None) -> Path:
    """Build or rebuild the default paper's index when it is missing, damaged or out of date."""
    index_dir = paths.default_index_dir()
    store.upgrade(index_dir)  # an older format that differs only in its BM25: that part is rebuilt
    reasons = stale_reasons(index_dir)
    if reasons:
        if index_dir.exists():
            notice(f"rebuilding the paper's index: {reasons[0]}")
        else:
            notice("building the paper's index (first run)")
        store.build_index(
            paths.default_source(), index_dir, metadata=default_metadata(), progress=progress,
            unless=lambda: not stale_reasons(index_dir),  # another process built it while we waited
        )
    return index_dir


def open_index(index_dir: Path | None, progress: Progress = quiet, notice=lambda m: None) -> store.Index:
    """The index to answer from: the default paper's (kept current) or the one at ``index_dir``."""
    if index_dir is None or is_default(index_dir):  # ensure_default_index has just checked every file
        return store.load_index(ensure_default_index(progress, notice), verify=False)
    return store.load_index(Path(index_dir))
