"""Section-aware, sentence-aligned chunks that fit the embedding model's window."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from assistant.records import Chunk, Document, Sentence


@dataclass(frozen=True)
class ChunkSettings:
    max_tokens: int = 200  # word pieces per chunk; the model's window is 256
    min_tokens: int = 60  # below this a chunk keeps growing across paragraph breaks
    window: int = 256

    def as_dict(self) -> dict:
        return {"max_tokens": self.max_tokens, "min_tokens": self.min_tokens, "window": self.window}


@dataclass(frozen=True)
class ChunkReport:
    chunks: tuple[Chunk, ...]
    truncated: tuple[str, ...]  # ids of chunks longer than the model window (cut when embedded)


def chunk_document(doc: Document, count_tokens: Callable[[str], int], settings=ChunkSettings()) -> ChunkReport:
    """Pack consecutive sentences of one section into chunks of at most ``max_tokens``.

    A chunk never crosses a section; it prefers to end at a paragraph break once it
    holds ``min_tokens``. A single sentence longer than the window becomes its own
    chunk and is reported in ``truncated``.
    """
    chunks: list[Chunk] = []
    truncated: list[str] = []
    group: list[Sentence] = []
    size = 0
    for sentence in doc.sentences:
        tokens = count_tokens(sentence.text)
        if group and _must_break(group[-1], sentence, size, tokens, settings):
            chunks.append(_make_chunk(doc, group, len(chunks)))
            group, size = [], 0
        group.append(sentence)
        size += tokens
        if size > settings.window - 2 and len(group) == 1:
            truncated.append(_chunk_id(sentence.section, len(chunks)))
    if group:
        chunks.append(_make_chunk(doc, group, len(chunks)))
    return ChunkReport(tuple(chunks), tuple(truncated))


def _must_break(last: Sentence, nxt: Sentence, size: int, tokens: int, settings: ChunkSettings) -> bool:
    if nxt.section != last.section or size + tokens > settings.max_tokens:
        return True
    return nxt.paragraph != last.paragraph and size >= settings.min_tokens


def _chunk_id(section: int, ordinal: int) -> str:
    return f"s{section:02d}-c{ordinal:03d}"


def _make_chunk(doc: Document, group: list[Sentence], ordinal: int) -> Chunk:
    start, end = group[0].start, group[-1].end
    return Chunk(
        id=_chunk_id(group[0].section, ordinal),
        section=group[0].section,
        start=start,
        end=end,
        text=doc.source[start:end],
        sentences=tuple(s.id for s in group),
    )
