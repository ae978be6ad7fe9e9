"""The second sentence encoder (e5.py): its vectors in the index, its terms in the scores, its upgrade.

Fast: the hashing encoders. The real e5 is checked in the slow tier (test_e5_slow.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from assistant import e5, index_files, storage
from assistant.engine import Assistant
from assistant.errors import BrokenIndexError
from assistant.index import FORMAT_VERSION, MANIFEST, build_index, load_index, upgrade
from assistant.retrieval import FUSION, Retrieval, UnitScores, with_second

LOCKS = """# Canal Locks

## Gates

A lock has an upper gate and a lower gate. Keepers opened the sluices by hand.

## Tolls

Tolls paid for the canal locks within ten years. Barges carried coal and grain through the locks.

## Keepers

Keepers remained necessary until electric sluices came. Their cottages stand beside the locks today.
"""


@pytest.fixture
def source(tmp_path) -> Path:
    path = tmp_path / "locks.md"
    path.write_text(LOCKS, encoding="utf-8")
    return path


def test_sentence_vectors_come_in_batches_with_progress():
    texts = [f"sentence number {n} about locks" for n in range(150)]
    seen = []
    vectors = e5.sentence_vectors(e5.HashingSecond(), texts, lambda done, total: seen.append((done, total)))
    assert vectors.shape == (150, e5.DIMENSION) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(vectors[7], e5.HashingSecond().query(texts[7]))  # a batch embeds as one text alone
    assert seen == [(64, 150), (128, 150), (150, 150)]
    assert e5.sentence_vectors(e5.HashingSecond(), []).shape == (0, e5.DIMENSION)


def test_a_build_with_a_second_encoder_stores_each_sentences_vector(source, tmp_path, fake_encoder):
    manifest = build_index(source, tmp_path / "idx", encoder=fake_encoder, second=e5.HashingSecond())
    index = load_index(tmp_path / "idx")
    assert manifest["e5"] == {"name": e5.HashingSecond.name, "file": "e5-sentences.npy"}
    assert "e5-sentences.npy" in manifest["files"]
    texts = [s.text for s in index.document.sentences]
    assert index.second.shape == (len(texts), e5.DIMENSION)
    np.testing.assert_array_equal(index.second[3], e5.HashingSecond().query(index.document.sentences[3].text))
    assert texts  # the stand-in embeds each sentence's display text


def test_a_build_with_another_encoder_and_no_second_has_no_e5_vectors(source, tmp_path, fake_encoder):
    manifest = build_index(source, tmp_path / "idx", encoder=fake_encoder)
    index = load_index(tmp_path / "idx")
    assert "e5" not in manifest and index.second is None
    assert not (storage.current(tmp_path / "idx") / "e5-sentences.npy").exists()
    assistant = Assistant.open(index, fake_encoder)
    assert assistant.query("Who opened the sluices?").second is None  # answered without the channel


def test_questions_get_e5_vectors_only_from_the_encoder_that_made_the_index(source, tmp_path, fake_encoder):
    build_index(source, tmp_path / "idx", encoder=fake_encoder, second=e5.HashingSecond())
    index = load_index(tmp_path / "idx")
    second = e5.HashingSecond()
    query = Assistant.open(index, fake_encoder, second=second).query("Who opened the sluices?")
    np.testing.assert_array_equal(query.second, second.query("Who opened the sluices?"))
    assert Assistant.open(index, fake_encoder).query("Who opened the sluices?").second is not None  # the default (stand-in)

    class Other(e5.HashingSecond):
        name = "another model"

    assert Assistant.open(index, fake_encoder, second=Other()).query("Who opened the sluices?").second is None
    assert Assistant.open(index, fake_encoder, second=second).query("Who?", expand=False).second is None  # baselines


def _retrieval(n: int) -> Retrieval:
    zeros = np.zeros(n)
    return Retrieval(UnitScores(np.zeros(3), np.zeros(3)), UnitScores(zeros, zeros), zeros, np.zeros(3), np.arange(n, dtype=float))


def test_the_second_encoders_cosine_adds_to_sentence_and_passage_scores():
    fused = _retrieval(6)
    chunk_of = np.array([0, 0, 1, 1, 2, 2])
    cosine = np.array([0.80, 0.70, 0.75, 0.90, 0.60, 0.65])
    out = with_second(fused, cosine, chunk_of, FUSION)
    expected = fused.sentence_fused + FUSION.sentence_second * (cosine - 0.60) / 0.30
    np.testing.assert_allclose(out.sentence_fused, expected)
    # chunk 1 holds the best sentence (0.90), then chunk 0 (0.80), then chunk 2 (0.65): RRF by that rank
    np.testing.assert_allclose(out.chunk_fused, FUSION.chunk_second / (FUSION.rrf_k + 1 + np.array([1, 0, 2])))
    assert out.second is cosine and with_second(fused, None, chunk_of, FUSION) is fused


def test_the_best_sentences_by_e5_join_the_rankers_candidates(tmp_path, monkeypatch, fake_encoder):
    from assistant import ranker

    lines = [f"Barge {n} carried {cargo} past lock {n % 7} in the year {1800 + n}." for n, cargo in
             zip(range(60), ["coal", "grain", "timber", "salt", "bricks", "wool"] * 10)]
    (tmp_path / "barges.md").write_text("# Barges\n\n" + "\n\n".join(" ".join(lines[i : i + 3]) for i in range(0, 60, 3)) + "\n",
                                        encoding="utf-8")
    build_index(tmp_path / "barges.md", tmp_path / "idx", encoder=fake_encoder, second=e5.HashingSecond())
    assistant = Assistant.open(load_index(tmp_path / "idx"), fake_encoder, second=e5.HashingSecond())
    few = ranker.candidates
    monkeypatch.setattr(ranker, "candidates", lambda scores, mask: few(scores, mask, ranker.CandidateSettings(per_signal=1)))
    question = "Which barges carried salt?"
    query = assistant.query(question)
    found = assistant.candidates(question, query)
    cosine = assistant.index.second @ query.second
    allowed = np.flatnonzero(assistant._mask(question))
    kth = np.sort(cosine[allowed])[::-1][FUSION.candidate_second - 1]
    assert len(allowed) > 2 * FUSION.candidate_second
    assert set(allowed[cosine[allowed] > kth].tolist()) <= set(found.ids.tolist())  # ties at the 15th: any of them
    assert len(set(allowed[cosine[allowed] >= kth].tolist()) & set(found.ids.tolist())) >= FUSION.candidate_second
    assert len(found.ids) < len(allowed)  # not every sentence: these came by e5


def _as_format_10_without_e5(index_dir: Path) -> Path:
    """Make the current version look as format 10 wrote it: no e5 vectors (editing the version in place,
    as only a test may)."""
    version = storage.current(index_dir)
    manifest = json.loads((version / MANIFEST).read_text(encoding="utf-8"))
    (version / "e5-sentences.npy").unlink()
    manifest.pop("e5")
    manifest["files"].pop("e5-sentences.npy")
    manifest["format_version"] = 10
    (version / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    return version


def test_an_index_of_format_10_gains_its_e5_vectors_where_it_is(source, tmp_path, monkeypatch, fake_encoder):
    from assistant import encoder

    export = tmp_path / "fake.onnx"
    export.write_bytes(b"a stand-in: the hashing encoder embeds")
    monkeypatch.setattr(encoder, "ensure_onnx", lambda: export)
    monkeypatch.setattr(encoder, "OnnxEncoder", lambda *args, **kwargs: fake_encoder)
    build_index(source, tmp_path / "idx")  # as with the real model: its manifest names the export
    old = _as_format_10_without_e5(tmp_path / "idx")
    assert index_files.upgradable(tmp_path / "idx") == old
    (tmp_path / "idx" / "mine.txt").write_text("a file the tool did not write", encoding="utf-8")

    index = load_index(tmp_path / "idx")

    new = storage.current(tmp_path / "idx")
    assert new != old and index.manifest["format_version"] == FORMAT_VERSION == 11
    assert index.manifest["e5"]["name"] == e5.default().name and index.manifest["upgraded"][-1]["from_format"] == 10
    np.testing.assert_array_equal(index.second, e5.sentence_vectors(e5.default(), [s.text for s in index.document.sentences]))
    before = json.loads((old / MANIFEST).read_text())["files"]
    assert all(os.path.samefile(old / name, new / name) for name in before)  # everything else carried over
    assert (tmp_path / "idx" / "mine.txt").read_text(encoding="utf-8") == "a file the tool did not write"
    assert upgrade(tmp_path / "idx") is False  # once only


def test_an_index_a_stand_in_encoder_built_is_upgraded_without_e5_vectors(source, tmp_path, fake_encoder):
    build_index(source, tmp_path / "idx", encoder=fake_encoder, second=e5.HashingSecond())
    _as_format_10_without_e5(tmp_path / "idx")
    index = load_index(tmp_path / "idx")
    assert index.manifest["format_version"] == FORMAT_VERSION and index.second is None and "e5" not in index.manifest


def test_e5_vectors_that_do_not_match_the_document_are_refused(source, tmp_path, fake_encoder):
    build_index(source, tmp_path / "idx", encoder=fake_encoder, second=e5.HashingSecond())
    version = storage.current(tmp_path / "idx")
    manifest = json.loads((version / MANIFEST).read_text(encoding="utf-8"))
    np.save(version / "e5-sentences.npy", np.zeros((2, e5.DIMENSION), np.float32))
    with pytest.raises(BrokenIndexError, match="e5-sentences.npy"):  # its checksum no longer matches
        load_index(tmp_path / "idx")
    from assistant.checksum import sha256_file

    manifest["files"]["e5-sentences.npy"] = sha256_file(version / "e5-sentences.npy")
    (version / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(BrokenIndexError, match="e5 vectors do not match the document"):
        load_index(tmp_path / "idx")
    manifest["e5"]["file"] = "../elsewhere.npy"
    (version / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(BrokenIndexError, match="e5 entry"):
        load_index(tmp_path / "idx")


def test_a_document_too_long_for_e5_is_built_and_answered_without_it(source, tmp_path, monkeypatch, fake_encoder):
    from assistant import index as store

    monkeypatch.setattr(store, "SECOND_UP_TO_CHARS", len(LOCKS))  # as long as the limit: no e5 vectors
    manifest = build_index(source, tmp_path / "idx", encoder=fake_encoder, second=e5.HashingSecond())
    assert "e5" not in manifest and load_index(tmp_path / "idx").second is None
    monkeypatch.setattr(store, "SECOND_UP_TO_CHARS", len(LOCKS) + 1)
    assert "e5" in build_index(source, tmp_path / "idx2", encoder=fake_encoder, second=e5.HashingSecond())
