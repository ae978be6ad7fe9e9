"""The on-disk index: exact offsets after a round trip, stable ids, checks that catch damage."""

from __future__ import annotations

import json
from dataclasses import FrozenInstanceError

import pytest

from assistant import paths
from assistant.errors import BrokenIndexError, InputError
from assistant.index import FORMAT_VERSION, MANIFEST, build_index, load_index, problems
from assistant.structure import parse
from conftest import FakeEncoder

STRUCTURE_FILES = ("source.txt", "document.json", "sentences.jsonl", "chunks.jsonl")


@pytest.fixture(scope="module")
def built(tmp_path_factory, model_cache):
    """The paper indexed twice with the fake encoder, into two directories."""
    root = tmp_path_factory.mktemp("fake-index")
    stages: list[str] = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ASSISTANT_HOME", str(root / "home"))
        mp.setenv("ASSISTANT_MODEL_CACHE", str(model_cache))
        first = build_index(paths.default_source(), root / "a", encoder=FakeEncoder(),
                            progress=lambda stage, done, total: stages.append(stage))
        second = build_index(paths.default_source(), root / "b", encoder=FakeEncoder())
    return {"root": root, "a": root / "a", "b": root / "b", "manifests": (first, second), "stages": stages}


def test_loaded_document_equals_the_parsed_one(built, paper_document):
    index = load_index(built["a"])
    assert index.document == paper_document
    assert index.document.source == paths.default_source().read_bytes().decode("utf-8")


def test_offsets_round_trip_after_load(built):
    index = load_index(built["a"])
    doc = index.document
    source = (built["a"] / "current" / "source.txt").read_bytes().decode("utf-8")
    assert doc.source == source
    for s in doc.sentences:
        assert source[s.start : s.end] == s.text
    for n in doc.notes:
        assert source[n.start : n.end] == n.text
    for c in index.chunks:
        assert source[c.start : c.end] == c.text
    for p in doc.paragraphs:
        assert source[p.start : p.end].strip() == source[p.start : p.end]


def test_units_and_counts_agree(built):
    index = load_index(built["a"])
    manifest = index.manifest
    counts = manifest["counts"]
    assert counts["sentences"] == len(index.document.sentences) == index.unit_count("sentences")
    assert counts["chunks"] == len(index.chunks) == index.unit_count("chunks")
    assert counts["paragraphs"] == len(index.document.paragraphs) == index.unit_count("paragraphs")
    assert counts["notes"] == 50
    assert manifest["format_version"] == FORMAT_VERSION
    assert manifest["source"]["chars"] == len(index.document.source)
    assert set(manifest["files"]) >= set(STRUCTURE_FILES) | {"chunks.faiss", "sentences.faiss", "paragraphs.faiss"}


def test_ids_and_files_stable_across_builds(built):
    a, b = load_index(built["a"]), load_index(built["b"])
    assert [c.id for c in a.chunks] == [c.id for c in b.chunks]
    assert a.chunks == b.chunks
    for name in STRUCTURE_FILES:
        assert (built["a"] / "current" / name).read_bytes() == (built["b"] / "current" / name).read_bytes(), name
    first, second = built["manifests"]
    assert first["files"] == second["files"]


def test_chunk_ids_unique(built):
    ids = [c.id for c in load_index(built["a"]).chunks]
    assert len(ids) == len(set(ids))


def test_progress_reports_stages(built):
    stages = built["stages"]
    assert stages[0] == "reading" and stages[-1] == "done"
    assert "embedding" in stages and "writing" in stages


def test_sound_index_has_no_problems(built):
    assert problems(built["a"]) == []
    assert not [p for p in built["root"].iterdir() if ".tmp-" in p.name or ".old-" in p.name]


def copy_index(src, dst):
    import shutil

    shutil.copytree(src, dst)
    return dst


@pytest.mark.parametrize("name", ["chunks.jsonl", "sentences.faiss", "source.txt", "bm25-chunks"])
def test_damage_is_detected(built, tmp_path, name):
    target = copy_index(built["a"], tmp_path / "copy")
    victim = target / "current" / name
    if victim.is_dir():
        victim = next(p for p in sorted(victim.iterdir()) if p.is_file())
    victim.write_bytes(victim.read_bytes()[:-10] + b"0123456789")
    found = problems(target)
    assert found and "damaged file" in found[0]
    with pytest.raises(BrokenIndexError) as caught:
        load_index(target)
    message = str(caught.value)
    assert "\n" not in message and "damaged" in message and "rebuild" in message


def test_missing_file_is_detected(built, tmp_path):
    target = copy_index(built["a"], tmp_path / "copy")
    (target / "current" / "sentences.jsonl").unlink()
    assert "missing file sentences.jsonl" in problems(target)
    with pytest.raises(BrokenIndexError, match="missing file"):
        load_index(target)


def test_missing_manifest_and_missing_directory(built, tmp_path):
    target = copy_index(built["a"], tmp_path / "copy")
    (target / "current" / MANIFEST).unlink()
    with pytest.raises(BrokenIndexError, match="no index here"):
        load_index(target)
    with pytest.raises(BrokenIndexError, match="no such index directory"):
        load_index(tmp_path / "nowhere")


def test_stale_source_and_format_are_reported(built, tmp_path):
    assert problems(built["a"], source_sha256="0" * 64) == ["the source text has changed since it was built"]
    target = copy_index(built["a"], tmp_path / "copy")
    manifest = json.loads((target / "current" / MANIFEST).read_text())
    manifest["format_version"] = 99
    (target / "current" / MANIFEST).write_text(json.dumps(manifest))
    assert any("format version 99" in p for p in problems(target))


def test_rebuild_replaces_in_place(built, tmp_path, fake_encoder):
    target = copy_index(built["a"], tmp_path / "idx")
    doc_path = tmp_path / "small.md"
    doc_path.write_text("# Tiny\n\nOne sentence about otters. Another about beavers.\n", encoding="utf-8")
    manifest = build_index(doc_path, target, encoder=fake_encoder)
    assert manifest["counts"]["sentences"] == 2
    index = load_index(target)
    assert [s.text for s in index.document.sentences] == ["One sentence about otters.", "Another about beavers."]
    assert problems(target) == []
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".idx")) == []  # no lock or temporary files


def test_build_refuses_a_directory_of_other_files(tmp_path, fake_encoder):
    target = tmp_path / "mine"
    target.mkdir()
    (target / "thesis.docx").write_text("precious")
    doc_path = tmp_path / "small.md"
    doc_path.write_text("# Tiny\n\nOne sentence about otters.\n", encoding="utf-8")
    with pytest.raises(InputError, match="holds files that are not an index"):
        build_index(doc_path, target, encoder=fake_encoder)
    assert (target / "thesis.docx").read_text() == "precious"


def test_loaded_records_are_frozen(built):
    index = load_index(built["a"])
    doc = index.document
    for record in (doc.sentences[0], doc.paragraphs[0], doc.notes[0], doc.sections[0], index.chunks[0]):
        start = record.start
        with pytest.raises(FrozenInstanceError):
            record.start = start + 1  # type: ignore[misc]
        assert record.start == start
    with pytest.raises(FrozenInstanceError):
        doc.source = "changed"  # type: ignore[misc]


@pytest.mark.slow
def test_real_index_offsets_and_model(paper_index_dir):
    index = load_index(paper_index_dir)
    source = (paper_index_dir / "current" / "source.txt").read_bytes().decode("utf-8")
    assert index.manifest["model"]["name"] == "sentence-transformers/all-MiniLM-L6-v2"
    assert index.manifest["truncated_chunks"] == []
    assert index.document == parse(source)
    for unit in (*index.document.sentences, *index.chunks, *index.document.notes):
        assert source[unit.start : unit.end] == unit.text
    assert index.dense["sentences"].d == 384


@pytest.mark.parametrize("chars, expected", [(99_999, "float32"), (100_000, "int8")])
def test_documents_from_100000_characters_are_embedded_with_the_int8_copy(tmp_path, monkeypatch, chars, expected):
    """The float export below the size, its int8 copy from it on (encoder.ensure_quantized), and the
    manifest says which."""
    from assistant import encoder as enc
    from assistant import index as store

    asked = []
    export = tmp_path / "fake.onnx"
    export.write_bytes(b"a stand-in: the hashing encoder embeds")
    monkeypatch.setattr(enc, "ensure_onnx", lambda: export)
    monkeypatch.setattr(enc, "OnnxEncoder", lambda *a, **k: asked.append((a, k)) or FakeEncoder())
    line = "Iran and Russia cooperate in Syria for reasons of their own security.\n\n"
    text = ("A Long Report\n\n" + line * chars)[:chars]
    source = tmp_path / "long.txt"
    source.write_text(text, encoding="utf-8")
    assert store.INT8_FROM_CHARS == 100_000
    manifest = build_index(source, tmp_path / "index")
    assert asked == [((export,), {"quantized": expected == "int8"})]
    assert manifest["model"]["documents"] == expected
