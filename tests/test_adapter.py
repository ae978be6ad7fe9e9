"""The query adapter (adapter.py) and its fit (fit_adapter.py): the map, its file, its objective."""

from __future__ import annotations

import json

import numpy as np
import pytest

from assistant import adapter
from assistant.adapter import Adapter, adapt, adapter_from_json, adapter_to_json
from assistant.encoder import DIMENSION
from assistant.engine import Assistant
from assistant.errors import AssistantError
from assistant.fit_adapter import FitSettings, Group, fit, low_rank, objective, ranks, split


def unit_rows(rng, n, d=DIMENSION):
    x = rng.normal(size=(n, d))
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_a_zero_correction_leaves_the_vectors_as_they_are():
    rng = np.random.default_rng(0)
    q = unit_rows(rng, 3).astype(np.float32)
    zero = np.zeros((DIMENSION, 4), np.float32)
    np.testing.assert_allclose(adapt(q, zero, zero), q, atol=1e-6)


def test_the_moved_vector_is_unit_length_float32_for_one_row_or_many():
    rng = np.random.default_rng(1)
    a = Adapter(rng.normal(size=(DIMENSION, 8)).astype(np.float32), rng.normal(size=(DIMENSION, 8)).astype(np.float32))
    q = unit_rows(rng, 5).astype(np.float32)
    many = a.apply(q)
    one = a.apply(q[2])
    assert many.dtype == np.float32 and one.shape == (DIMENSION,)
    np.testing.assert_allclose(np.linalg.norm(many, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(one, many[2], atol=1e-6)
    expected = q + (q @ a.u) @ a.v.T
    np.testing.assert_allclose(many, expected / np.linalg.norm(expected, axis=1, keepdims=True), atol=1e-5)


def test_the_json_round_trip_keeps_the_factors():
    rng = np.random.default_rng(2)
    a = Adapter(rng.normal(size=(DIMENSION, 3)).astype(np.float32), rng.normal(size=(DIMENSION, 3)).astype(np.float32))
    data = json.loads(json.dumps(adapter_to_json(a, note="x")))
    assert data["rank"] == 3 and data["note"] == "x"
    back = adapter_from_json(data)
    np.testing.assert_allclose(back.u, a.u, atol=1e-6)
    np.testing.assert_allclose(back.v, a.v, atol=1e-6)


@pytest.mark.parametrize("change", [{"format": 99}, {"u": [[0.0] * 3] * 10}, {"v": [[float("nan")] * 3] * DIMENSION}])
def test_a_file_of_another_format_or_shape_is_one_error_line(tmp_path, monkeypatch, change):
    good = adapter_to_json(Adapter(np.zeros((DIMENSION, 3), np.float32), np.zeros((DIMENSION, 3), np.float32)))
    path = tmp_path / "adapter.json"
    path.write_text(json.dumps({**good, **change}), encoding="utf-8")
    adapter.load_model.cache_clear()
    try:
        with pytest.raises(AssistantError) as caught:
            adapter.load_model(path)
    finally:
        adapter.load_model.cache_clear()
    assert "\n" not in str(caught.value) and str(path) in str(caught.value) and "fit_adapter" in str(caught.value)


def test_the_shipped_adapter_is_a_small_low_rank_correction():
    shipped = adapter.load_model()
    assert shipped.u.shape == shipped.v.shape and shipped.u.shape[0] == DIMENSION and shipped.u.shape[1] <= 64
    rng = np.random.default_rng(3)
    q = unit_rows(rng, 50).astype(np.float32)
    cosine = (shipped.apply(q) * q).sum(axis=1)
    assert cosine.min() > 0.5  # it moves a question's vector, it does not replace it


def toy_groups(rng, documents=6, d=16):
    """Documents whose answering sentence is a fixed rotation of the question plus noise: a linear
    map the adapter can learn and the raw vectors do not know."""
    rotation = np.linalg.qr(rng.normal(size=(d, d)))[0]
    out = []
    for n in range(documents):
        sentences = unit_rows(rng, 30, d)
        answers = rng.integers(0, 30, size=12)
        q = sentences[answers] @ rotation.T + 0.3 * rng.normal(size=(12, d))
        q /= np.linalg.norm(q, axis=1, keepdims=True)
        positive = np.zeros((12, 30), bool)
        positive[np.arange(12), answers] = True
        out.append(Group(f"doc{n}", sentences, q, positive))
    return out


def test_the_gradient_matches_finite_differences():
    rng = np.random.default_rng(4)
    groups = toy_groups(rng, documents=2, d=6)
    delta = 0.1 * rng.normal(size=(6, 6))
    loss, grad = objective(delta, groups, 0.1, 0.05)
    step = 1e-6
    for i, j in [(0, 0), (1, 4), (5, 2)]:
        moved = delta.copy()
        moved[i, j] += step
        assert (objective(moved, groups, 0.1, 0.05)[0] - loss) / step == pytest.approx(grad[i, j], rel=1e-3, abs=1e-6)


def test_fitting_ranks_the_answering_sentences_higher_on_documents_held_out():
    rng = np.random.default_rng(5)
    groups = toy_groups(rng, documents=8)
    train, test = split(groups, 0, 4)
    assert {g.document for g in test} == {"doc0", "doc4"}
    fitted = fit(train, FitSettings(temperature=0.1, l2=0.001, rank=16))
    before = np.concatenate([ranks(g) for g in test])
    after = np.concatenate([ranks(g, fitted) for g in test])
    assert (after == 1).mean() > (before == 1).mean() + 0.2


def test_the_paper_is_held_out_by_question_not_whole():
    rng = np.random.default_rng(6)
    groups = toy_groups(rng, documents=3)
    paper = Group("paper:gold.jsonl", groups[0].sentences, groups[0].questions, groups[0].positive, 5.0)
    train, test = split([*groups, paper], 1, 4)
    held = [g for g in test if g.document == paper.document][0]
    kept = [g for g in train if g.document == paper.document][0]
    assert len(held.questions) == 3 and len(kept.questions) == 9 and held.weight == 5.0


def test_low_rank_keeps_a_matrix_of_that_rank_exactly():
    rng = np.random.default_rng(7)
    delta = rng.normal(size=(10, 3)) @ rng.normal(size=(3, 10))
    cut = low_rank(delta, 3)
    np.testing.assert_allclose(cut.u @ cut.v.T, delta, atol=1e-4)


def test_the_fit_command_refuses_validation_and_held_out_files(capsys, tmp_path):
    from assistant.fit_adapter import main

    for name in ("gold_reader_val.jsonl", "gold_heldout.jsonl", "gold_reader_blind.jsonl"):
        assert main(["--out", str(tmp_path / "a.json"), "--paper", f"source/{name}"]) == 1
        err = capsys.readouterr().err
        assert err.startswith("error: ") and name in err and err.count("\n") == 1
    assert not (tmp_path / "a.json").exists()


def test_the_fit_command_never_overwrites_a_file_it_did_not_write(capsys, tmp_path):
    from assistant.fit_adapter import main

    notes = tmp_path / "notes.json"
    notes.write_text('{"mine": 1}', encoding="utf-8")
    assert main(["--out", str(notes), "--paper"]) == 1
    assert capsys.readouterr().err.startswith("error: ")
    assert notes.read_text(encoding="utf-8") == '{"mine": 1}'


def small_assistant(tmp_path, fake_encoder, adapt=True):
    from assistant.index import build_index, load_index

    source = tmp_path / "notes.txt"
    source.write_text("Bats carry many coronaviruses.\n\nThe incubation period of the virus is five days.\n\n"
                      "Most patients recovered within two weeks of admission in 2003.\n", encoding="utf-8")
    build_index(source, tmp_path / "index", encoder=fake_encoder)
    return Assistant(load_index(tmp_path / "index"), fake_encoder, adapt=adapt)


def test_hybrid_questions_are_moved_by_the_adapter_and_the_baselines_are_not(tmp_path, fake_encoder):
    assistant = small_assistant(tmp_path, fake_encoder)
    plain = fake_encoder.encode(["How long is the incubation period?"])[0]
    hybrid = assistant.query("How long is the incubation period?")
    baseline = assistant.query("How long is the incubation period?", expand=False)
    np.testing.assert_allclose(hybrid.vector, adapter.load_model().apply(plain), atol=1e-6)
    np.testing.assert_allclose(hybrid.plain, plain, atol=1e-6)
    np.testing.assert_allclose(baseline.vector, plain, atol=1e-6)
    assert baseline.plain is None
    off = Assistant(assistant.index, fake_encoder).query("How long is the incubation period?")  # off by default
    np.testing.assert_allclose(off.vector, plain, atol=1e-6)
    assert off.plain is None


def test_the_abstention_signals_read_the_plain_embedding(tmp_path, fake_encoder):
    """The abstention model was fitted on plain cosines: with the adapter on, its dense signals are
    those of the adapter off (the sentences chosen are the same here, so every signal is)."""
    on = small_assistant(tmp_path, fake_encoder)
    off = Assistant(on.index, fake_encoder, adapt=False)
    question = "How long is the incubation period?"
    a, b = on.signals_for(question), off.signals_for(question)
    assert on.query(question).vector.tolist() != off.query(question).vector.tolist()
    assert a == b


@pytest.mark.slow
def test_the_documented_fit_reproduces_the_shipped_adapter(tmp_path, monkeypatch, paper_index_dir, capsys):
    """`python -m assistant.fit_adapter` with its defaults fits on the paper's fit-only questions alone
    (the COVID-QA papers are only reported on): on the real model and index it gives the shipped map."""
    from assistant.fit_adapter import main
    from assistant.index import load_index

    monkeypatch.setattr("assistant.paper.open_index", lambda _: load_index(paper_index_dir))
    out = tmp_path / "adapter.json"
    assert main(["--out", str(out), "--limit", "0", "--no-cv", "--check"]) == 0
    assert "41 questions on 1 documents" in capsys.readouterr().out
    fitted = adapter.load_model(out)
    shipped = adapter.load_model()
    adapter.load_model.cache_clear()
    np.testing.assert_allclose(fitted.u @ fitted.v.T, shipped.u @ shipped.v.T, atol=1e-4)
