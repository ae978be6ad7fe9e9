"""The confidence of answers about the paper as a whole (paper_confidence.py, fit_paper_confidence.py)."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from assistant import confidence, engine, fit_paper_confidence, overview, paper_confidence
from assistant.fit_paper_confidence import fit_model, fit_offset, read_rows
from assistant.paper_confidence import FEATURES, Model, features, load_model

ZONES = frozenset({"abstract", "introduction", "conclusion"})


def test_the_shipped_model_reads_its_features_and_was_fitted_on_judged_answers():
    data = json.loads(paper_confidence.model_path().read_text(encoding="utf-8"))
    assert data["features"] == list(FEATURES)
    fitted = data["fitted_on"]
    assert fitted["rows"] >= 400 and fitted["documents"] >= 50
    # cross-validated by document, it is better calibrated than the rule rates it replaces
    assert fitted["cv_by_document"]["ece"] < fitted["rule_rates"]["ece"]
    assert fitted["cv_by_document"]["brier"] < fitted["rule_rates"]["brier"]


def test_an_answer_stated_in_words_where_the_aspect_is_stated_first_is_the_surest():
    model = load_model()
    surest = model.probability(features(True, True, "abstract", ZONES, 2))
    for cued, primary in ((True, False), (False, True), (False, False)):
        assert model.probability(features(cued, primary, "abstract", ZONES, 2)) < surest
    # on other papers such answers are right about half the time or more, never near certainty
    assert 0.5 < surest < 0.9


def test_a_documents_offset_applies_to_that_document_only():
    model = Model(np.zeros(len(FEATURES)), np.ones(len(FEATURES)), np.zeros(len(FEATURES)), 0.0, {"abc": 2.0})
    x = np.zeros(len(FEATURES))
    assert float(model.probability(x)) == pytest.approx(0.5)
    assert float(model.probability(x, "other")) == pytest.approx(0.5)
    assert float(model.probability(x, "abc")) == pytest.approx(1 / (1 + np.exp(-2.0)))


def test_the_embedded_papers_offset_is_keyed_by_its_text():
    from assistant import paths
    from assistant.checksum import sha256_text

    source = next(paths.source_dir().glob("*.txt")).read_text(encoding="utf-8")
    assert sha256_text(source) in load_model().offsets


def test_the_offset_is_shrunk_toward_none():
    z = np.zeros(5)
    hit = np.ones(5)
    loose = fit_offset(z, hit, prior_sd=100.0)
    shrunk = fit_offset(z, hit)
    assert 0 < shrunk < loose
    assert fit_offset(np.zeros(0), np.zeros(0)) == 0.0
    assert fit_offset(np.zeros(40), np.r_[np.ones(20), np.zeros(20)]) == pytest.approx(0.0, abs=1e-9)


def test_a_partly_right_answer_counts_half(tmp_path):
    rows = tmp_path / "rows.jsonl"
    lines = []
    for n, label in enumerate([1.0, 0.5, 0.0] * 20):
        x = [float(label == 1.0)] + [0.0] * (len(FEATURES) - 1)
        lines.append(json.dumps({"document": f"d{n % 7}", "question": "q", "verdict": "X", "label": label, "x": x, "before": 0.8}))
    rows.write_text("\n".join(lines) + "\n", encoding="utf-8")
    read = read_rows(rows)
    model = fit_model(read.x, read.label, c=100.0)
    right = float(model.probability(np.eye(len(FEATURES))[0]))
    rest = float(model.probability(np.zeros(len(FEATURES))))
    assert right > 0.9 and rest == pytest.approx(0.25, abs=0.03)  # the rest: one half-right in two


@pytest.mark.parametrize("line", ['{"document": "d", "x": [1, 2], "label": 1, "before": 0.5}',
                                  '{"document": "d", "x": [0, 0, 0, 0, 0, 0, 0, 0], "label": 0.3, "before": 0.5}'])
def test_a_malformed_row_is_refused(tmp_path, line):
    rows = tmp_path / "rows.jsonl"
    rows.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 1"):
        read_rows(rows)


def test_the_fit_never_uses_report_only_questions_and_keeps_a_users_file(tmp_path, capsys):
    from assistant import paths

    out = tmp_path / "model.json"
    assert fit_paper_confidence.main(["--out", str(out), "--paper-gold", str(paths.source_dir() / "gold_reader.jsonl")]) == 1
    assert "never fitted on" in capsys.readouterr().err and not out.exists()
    out.write_text("my notes", encoding="utf-8")
    assert fit_paper_confidence.main(["--out", str(out), "--no-paper"]) == 1
    assert "is not a model written by fit_paper_confidence" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "my notes"


def test_the_fit_without_the_paper_writes_a_model_it_reads(tmp_path, capsys):
    out = tmp_path / "model.json"
    assert fit_paper_confidence.main(["--out", str(out), "--no-paper"]) == 0
    model = load_model(out)
    assert model.offsets == {}
    assert "after (CV by document)" in capsys.readouterr().out


def test_a_paper_level_answer_shows_the_judged_probability_not_a_higher_one_from_elsewhere():
    selection = overview.PaperSelection((3, 4), "conclusion", cued=True)
    decision = engine.Decision(selection, "text", False, 0.9, np.zeros(len(confidence.FEATURES)), None, judged=0.42)  # type: ignore[arg-type]
    assert decision.confidence == 0.42
    front = engine.Decision(replace(selection, aspect="authors"), "text", False, 0.9, np.zeros(len(confidence.FEATURES)), None)  # type: ignore[arg-type]
    assert front.floor == overview.CUED_CONFIDENCE  # a front-matter answer keeps its rule rate


@pytest.mark.parametrize("rows", [fit_paper_confidence.CHECK, fit_paper_confidence.ROWS.with_name("paper_level_fresh.jsonl")])
def test_the_check_sets_were_never_fitted_on_and_score_better_than_the_rule_rates(rows):
    """The check set (24 other probe PDFs) and the fresh set (19 documents from outside the probe set)."""
    fitted_rows, check = read_rows(fit_paper_confidence.ROWS), read_rows(rows)
    assert not set(fitted_rows.documents.tolist()) & set(check.documents.tolist())  # other PDFs
    after = fit_paper_confidence.scores(load_model().probability(check.x), check.label)
    before = fit_paper_confidence.scores(check.before, check.label)
    assert after["brier"] < before["brier"] and after["ece"] < before["ece"]
