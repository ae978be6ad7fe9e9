"""Calibration metrics on hand-built arrays: ECE, the reliability table, AUROC, Brier."""

import numpy as np
import pytest

from assistant import calibration


def test_perfectly_calibrated_bins_have_zero_ece():
    # 10 answers at 0.2 with 2 right, 10 at 0.7 with 7 right
    confidence = [0.2] * 10 + [0.7] * 10
    hit = [1] * 2 + [0] * 8 + [1] * 7 + [0] * 3
    assert calibration.expected_calibration_error(confidence, hit) == pytest.approx(0.0)


def test_overconfident_answers_give_their_gap_as_ece():
    # all at 0.9, half right: gap 0.4 in the only bin
    assert calibration.expected_calibration_error([0.9] * 6, [1, 0] * 3) == pytest.approx(0.4)


def test_ece_weighs_bins_by_their_share_of_answers():
    # 3 answers at 0.05 all wrong (gap 0.05), 1 answer at 0.95 wrong (gap 0.95): (3*0.05 + 0.95) / 4
    assert calibration.expected_calibration_error([0.05, 0.05, 0.05, 0.95], [0, 0, 0, 0]) == pytest.approx(0.275)


def test_reliability_table_counts_each_bin_and_puts_one_in_the_last():
    rows = calibration.reliability([0.0, 0.05, 0.1, 0.55, 1.0, 0.95], [0, 1, 1, 0, 1, 1])
    assert len(rows) == 10
    assert [r.n for r in rows] == [2, 1, 0, 0, 0, 1, 0, 0, 0, 2]
    assert (rows[0].low, rows[0].high, rows[9].low, rows[9].high) == (0.0, 0.1, 0.9, 1.0)
    assert rows[0].mean_confidence == pytest.approx(0.025) and rows[0].hit_rate == pytest.approx(0.5)
    assert rows[2].mean_confidence is None and rows[2].hit_rate is None
    assert rows[9].mean_confidence == pytest.approx(0.975) and rows[9].hit_rate == 1.0


def test_auroc_of_separating_reversed_and_tied_confidences():
    hit = [0, 0, 1, 1]
    assert calibration.auroc([0.1, 0.2, 0.8, 0.9], hit) == 1.0
    assert calibration.auroc([0.9, 0.8, 0.2, 0.1], hit) == 0.0
    assert calibration.auroc([0.5, 0.5, 0.5, 0.5], hit) == 0.5
    assert calibration.auroc([0.1, 0.5, 0.5, 0.9], hit) == pytest.approx(0.875)  # one tied pair counts half


def test_auroc_matches_scikit_learn_on_random_tied_scores():
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(0)
    hit = rng.integers(0, 2, 300)
    confidence = np.round(np.clip(0.3 * hit + rng.normal(0.4, 0.2, 300), 0, 1), 1)  # many ties
    assert calibration.auroc(confidence, hit) == pytest.approx(roc_auc_score(hit, confidence))


def test_undefined_metrics_are_none():
    assert calibration.auroc([0.2, 0.9], [1, 1]) is None
    assert calibration.expected_calibration_error([], []) is None
    assert calibration.brier([], []) is None
    assert calibration.summary([], [])["n"] == 0


def test_brier_and_summary():
    summary = calibration.summary([1.0, 0.0, 0.5], [1, 0, 1])
    assert summary["brier"] == pytest.approx(0.25 / 3)
    assert summary["n"] == 3 and summary["hit_rate"] == pytest.approx(2 / 3) and summary["mean_confidence"] == 0.5
    assert len(summary["reliability"]) == 10 and summary["reliability"][5]["n"] == 1


def test_mismatched_lengths_are_refused():
    with pytest.raises(ValueError, match="3 confidences but 2 outcomes"):
        calibration.auroc([0.1, 0.2, 0.3], [0, 1])


def test_answered_keeps_shown_answers_and_counts_an_answer_to_an_unanswerable_question_as_wrong():
    p, hit = calibration.answered(
        confidence=[0.9, 0.8, 0.7, 0.6, 0.5],
        abstained=[False, True, False, False, False],
        answerable=[True, True, False, True, True],
        evidence_hit=[True, False, None, None, False],
    )
    assert p.tolist() == [0.9, 0.7, 0.5]  # the abstention and the answerable question without evidence are left out
    assert hit.tolist() == [True, False, False]


def test_reliability_renderable_lists_only_bins_with_answers():
    from rich.console import Console

    console = Console(width=120, record=True)
    console.print(calibration.reliability_renderable(calibration.summary([0.15, 0.85, 0.95], [0, 1, 1]), "t"))
    text = console.export_text()
    assert "0.1-0.2" in text and "0.8-0.9" in text and "0.9-1.0" in text and "0.5-0.6" not in text
    assert "ECE" in text and "AUROC 1.000" in text
