"""Chunk invariants: within one section, sentence aligned, within the token budget, stable ids."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.chunking import ChunkSettings, chunk_document
from assistant.structure import parse


@pytest.fixture(scope="session")
def count_tokens():
    from assistant.encoder import token_counter

    return token_counter()


@pytest.fixture(scope="session")
def paper_chunks(paper_document, count_tokens):
    return chunk_document(paper_document, count_tokens)


def check_invariants(doc, report, count_tokens, chunk_settings):
    sentences = {s.id: s for s in doc.sentences}
    seen: list[int] = []
    for chunk in report.chunks:
        members = [sentences[i] for i in chunk.sentences]
        assert members, chunk.id
        assert {s.section for s in members} == {chunk.section}, f"{chunk.id} crosses a section"
        assert chunk.start == members[0].start and chunk.end == members[-1].end
        assert chunk.text == doc.source[chunk.start : chunk.end]
        assert list(chunk.sentences) == sorted(chunk.sentences)
        assert chunk.sentences == tuple(range(chunk.sentences[0], chunk.sentences[-1] + 1)), "gap in a chunk"
        size = sum(count_tokens(s.text) for s in members)
        if size > chunk_settings.max_tokens:
            assert len(members) == 1, f"{chunk.id} has {size} tokens over {chunk_settings.max_tokens}"
            if size > chunk_settings.window - 2:
                assert chunk.id in report.truncated
        seen.extend(chunk.sentences)
    assert seen == [s.id for s in doc.sentences], "every sentence in exactly one chunk, in order"
    ids = [c.id for c in report.chunks]
    assert len(ids) == len(set(ids))
    assert set(report.truncated) <= set(ids)


def test_paper_chunk_invariants(paper_document, paper_chunks, count_tokens):
    check_invariants(paper_document, paper_chunks, count_tokens, ChunkSettings())
    assert 60 <= len(paper_chunks.chunks) <= 200
    assert paper_chunks.truncated == ()


def test_paper_chunks_never_cross_a_section(paper_document, paper_chunks):
    for chunk in paper_chunks.chunks:
        section = paper_document.sections[chunk.section]
        assert section.start <= chunk.start and chunk.end <= section.end
        assert chunk.id.startswith(f"s{chunk.section:02d}-")


def test_paper_chunks_are_stable(paper_document, count_tokens, paper_chunks):
    again = chunk_document(parse(paper_document.source), count_tokens)
    assert again == paper_chunks


def test_chunks_prefer_paragraph_breaks(paper_document, paper_chunks):
    """Once a chunk holds min_tokens it does not run on into the next paragraph."""
    sentences = paper_document.sentences
    mid_paragraph_starts = sum(
        1 for c in paper_chunks.chunks
        if c.sentences[0] > 0 and sentences[c.sentences[0] - 1].paragraph == sentences[c.sentences[0]].paragraph
    )
    assert mid_paragraph_starts < len(paper_chunks.chunks) / 2


@pytest.mark.parametrize("max_tokens, min_tokens", [(40, 10), (80, 30), (120, 0)])
def test_paper_invariants_under_other_budgets(paper_document, count_tokens, max_tokens, min_tokens):
    chunk_settings = ChunkSettings(max_tokens=max_tokens, min_tokens=min_tokens)
    check_invariants(paper_document, chunk_document(paper_document, count_tokens, chunk_settings), count_tokens,
                     chunk_settings)


def test_over_long_sentence_is_its_own_chunk_and_reported(count_tokens):
    long_sentence = "Letters " + " ".join("qxz"[i % 3] for i in range(400)) + "."  # ~400 tokens, < 900 chars
    source = f"Heading for a test\n\nA short opening sentence. {long_sentence} A short closing sentence.\n"
    doc = parse(source)
    report = chunk_document(doc, count_tokens)
    check_invariants(doc, report, count_tokens, ChunkSettings())
    long_chunks = [c for c in report.chunks if "q x z" in c.text]
    assert all(len(c.sentences) == 1 for c in long_chunks)
    assert long_chunks
    assert set(report.truncated) == {c.id for c in report.chunks if count_tokens(c.text) > 254} != set()


_WORDS = st.sampled_from(
    "the a bee hive honey nectar flower queen worker drone colony summer winter wax pollen".split()
)
_SENTENCE = st.lists(_WORDS, min_size=1, max_size=40).map(lambda w: " ".join(w).capitalize() + ".")
_PARAGRAPH = st.lists(_SENTENCE, min_size=1, max_size=8).map(" ".join)
_SECTION = st.tuples(
    st.sampled_from(["Bees", "Hives", "Honey", "Flowers"]), st.lists(_PARAGRAPH, min_size=1, max_size=4)
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sections=st.lists(_SECTION, min_size=1, max_size=4), budget=st.integers(20, 200))
def test_invariants_on_generated_markdown(count_tokens, sections, budget):
    source = "\n\n".join(f"## {title}\n\n" + "\n\n".join(paragraphs) for title, paragraphs in sections) + "\n"
    doc = parse(source, markdown=True)
    chunk_settings = ChunkSettings(max_tokens=budget, min_tokens=budget // 3)
    report = chunk_document(doc, count_tokens, chunk_settings)
    check_invariants(doc, report, count_tokens, chunk_settings)
    assert len({c.section for c in report.chunks}) == len(sections)
