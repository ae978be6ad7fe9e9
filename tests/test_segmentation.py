"""Sentence segmentation stays linear on long text, with exact offsets and bounded sentences."""

from __future__ import annotations

import random

import pysbd

from assistant.structure import MAX_SENTENCE_CHARS, SEGMENT_WINDOW, parse


def _words(count: int, seed: int = 0) -> str:
    rng = random.Random(seed)
    vocabulary = "iran russia policy security region state power balance alliance moscow tehran".split()
    return " ".join(rng.choice(vocabulary) for _ in range(count))


def _assert_tiles(doc) -> None:
    """Every sentence is an exact slice, in order, and only whitespace lies between them."""
    previous = 0
    for s in doc.sentences:
        assert doc.source[s.start : s.end] == s.text and s.text.strip() == s.text
        assert not doc.source[previous : s.start].strip()
        previous = s.end
    assert not doc.source[previous:].strip()


def test_a_200_kb_unpunctuated_line_parses_into_bounded_sentences():
    source = _words(30_000) + "\n"
    assert len(source) > 200_000 and "\n" not in source.rstrip()
    doc = parse(source)
    _assert_tiles(doc)
    assert max(s.end - s.start for s in doc.sentences) <= MAX_SENTENCE_CHARS
    assert len(doc.sentences) >= len(source) // MAX_SENTENCE_CHARS


def test_a_long_token_without_spaces_is_cut_exactly():
    source = "x" * (3 * SEGMENT_WINDOW + 17) + " tail words here.\n"
    doc = parse(source)
    _assert_tiles(doc)
    assert max(s.end - s.start for s in doc.sentences) <= MAX_SENTENCE_CHARS


def test_windowed_segmentation_matches_pysbd_on_a_long_punctuated_paragraph(paper_document):
    doc = paper_document
    body = [s.text for s in doc.sentences if doc.paragraphs[s.paragraph].kind == "body" and "\n" not in s.text]
    paragraph = " ".join(body[:120])
    assert len(paragraph) > 5 * SEGMENT_WINDOW
    expected = [piece.strip() for piece in pysbd.Segmenter(language="en", clean=False).segment(paragraph)]
    got = [s.text for s in parse(paragraph + "\n").sentences]
    assert got == [piece for piece in expected if piece]


def test_progress_follows_characters():
    source = "\n\n".join(_words(2_000, seed) for seed in range(40)) + "\n"
    seen = []
    doc = parse(source, progress=lambda stage, done, total: seen.append((stage, done, total)))
    assert {stage for stage, _, _ in seen} == {"sentences"}
    done = [d for _, d, _ in seen]
    assert done == sorted(done) and len(done) >= 3
    assert seen[-1][1] == seen[-1][2] == sum(p.end - p.start for p in doc.paragraphs)
