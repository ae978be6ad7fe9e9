"""sha256 digests: of a file, read in blocks (model weights, index files, gold files, the paper), and of a text."""

from __future__ import annotations

import hashlib
from pathlib import Path


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_text(text: str) -> str:
    """The sha256 of ``text`` as UTF-8: the indexed source text (manifest, saved conversations)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_sha256(path) -> str | None:
    """The sha256 of ``path`` when it is a regular file, else None (a gold path given as ``-`` or missing)."""
    path = Path(path)
    return sha256_file(path) if path.is_file() else None
