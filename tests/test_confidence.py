"""The confidence model: word bands, features, the JSON model, fitting on synthetic rows, the engine hook."""

import json

import numpy as np
import pytest

from assistant import abstain, confidence, fit_confidence
from assistant.confidence import FEATURES, Calibration, Model
from assistant.errors import AssistantError


@pytest.mark.parametrize("p, words", [(0.82, "likely right"), (0.7, "likely right"), (0.45, "uncertain"),
                                      (0.4, "uncertain"), (0.18, "unlikely"), (0.0, "unlikely"), (1.0, "likely right")])
def test_words_come_from_the_bands(p, words):
    assert confidence.describe(p) == words
    assert confidence.phrase(p) == f"{words} ({p:.2f})"


def test_bands_cover_zero_to_one_from_the_top_down():
    lows = [low for low, _ in confidence.BANDS]
    assert lows == sorted(lows, reverse=True) and lows[-1] == 0.0


def signals(**values):
    base = dict.fromkeys(abstain.FEATURES, 0.0)
    base.update(values)
    return abstain.Signals(tuple(base[f] for f in abstain.FEATURES))


def test_features_of_an_answer_showing_the_rankers_second_choice():
    x = confidence.features(
        ranker_probabilities=np.array([0.2, 0.9, 0.6]), candidate_ids=np.array([4, 7, 9]), shown_ids=(9,),
        signals=signals(top_dense=0.61, type_mismatch=1.0), abstain_probability=0.5,
        sentence_fused=np.array([0.1, 2.0, 1.5, 0.3, 0.0, 0.0, 0.0, 0.0, 0.0, 1.2]), words=12, paper_level=False)
    row = dict(zip(FEATURES, x))
    assert len(x) == len(FEATURES)
    assert row["ranker_top"] == pytest.approx(np.log(0.9 / 0.1))
    assert row["ranker_top_gap"] == pytest.approx(0.3)
    assert row["ranker_shown"] == pytest.approx(np.log(0.6 / 0.4))
    assert row["ranker_shown_gap"] == pytest.approx(0.3)
    assert row["top_shown"] == 0.0
    assert row["abstain_logit"] == pytest.approx(0.0)
    assert row["top_dense"] == 0.61 and row["type_mismatch"] == 1.0
    assert row["fused_gap"] == pytest.approx(0.5) and row["shown_fused_gap"] == pytest.approx(0.8)
    assert row["sentences"] == 1.0 and row["log_words"] == pytest.approx(np.log(13))
    assert row["paper_level"] == 0.0 and row["paper_cued"] == 0.0


def test_features_clip_saturated_probabilities_and_mark_the_top_shown():
    x = confidence.features(np.array([1.0, 0.0]), np.array([1, 2]), (1, 2), signals(), 1.0, np.array([0.0, 1.0, 1.0]),
                            0, paper_level=True, paper_cued=True)
    row = dict(zip(FEATURES, x))
    assert row["ranker_top"] == 8.0 and row["abstain_logit"] == 8.0
    assert row["top_shown"] == 1.0 and row["ranker_shown_gap"] == 0.0
    assert row["paper_level"] == 1.0 and row["paper_cued"] == 1.0


def small_model(method="platt") -> Model:
    n = len(FEATURES)
    coef = np.zeros(n)
    coef[0] = 1.0  # score = ranker_top
    cal = Calibration("platt", a=2.0, b=-1.0) if method == "platt" else Calibration("isotonic", x=(0.0, 0.5, 1.0), y=(0.1, 0.3, 0.9))
    return Model(np.zeros(n), np.ones(n), coef, 0.0, cal)


def test_platt_and_isotonic_maps():
    x = np.zeros((2, len(FEATURES)))
    x[1, 0] = 1.0
    assert small_model("platt").probability(x) == pytest.approx(abstain.sigmoid(np.array([-1.0, 1.0])))
    assert small_model("isotonic").probability(x) == pytest.approx([0.3, 0.3 + 0.6 * (abstain.sigmoid(1.0) - 0.5) / 0.5])


def test_model_json_round_trip(tmp_path):
    for method in ("platt", "isotonic"):
        path = tmp_path / f"{method}.json"
        path.write_text(json.dumps(confidence.model_json(small_model(method), fitted_on={"questions": 3})))
        loaded = confidence.load_model(path)
        x = np.random.default_rng(1).normal(size=(5, len(FEATURES)))
        assert loaded.probability(x) == pytest.approx(small_model(method).probability(x), abs=1e-6)


def test_a_missing_or_foreign_model_file_is_an_error_naming_the_fix(tmp_path):
    with pytest.raises(AssistantError, match="python -m assistant.fit_confidence"):
        confidence.load_model(tmp_path / "absent.json")
    data = confidence.model_json(small_model())
    data["features"] = data["features"][:-1]
    (tmp_path / "old.json").write_text(json.dumps(data))
    with pytest.raises(AssistantError, match="other features"):
        confidence.load_model(tmp_path / "old.json")


def test_shipped_model_loads_and_rises_with_the_rankers_top_probability():
    model = confidence.load_model()
    x = np.tile(model.mean, (2, 1))
    x[1, FEATURES.index("ranker_top")] += 2.0
    x[1, FEATURES.index("ranker_shown")] += 2.0
    p = model.probability(x)
    assert np.all((0 <= p) & (p <= 1)) and p[1] > p[0]


def synthetic_rows(n_docs=12, per_doc=60, seed=0):
    """Rows whose hit follows a known logistic law of two features: a calibrated fit must recover it."""
    rng = np.random.default_rng(seed)
    rows = []
    for d in range(n_docs):
        for _ in range(per_doc):
            x = rng.normal(size=len(FEATURES))
            p = float(abstain.sigmoid(1.5 * x[0] - 1.0 * x[5]))
            rows.append(fit_confidence.Row(f"doc{d}", "q", x, bool(rng.random() < p), 0.9, False))
    return rows


def test_fit_recovers_a_calibrated_model_under_grouped_cross_validation():
    rows = synthetic_rows(per_doc=80)  # 27 features, 25 of them noise: 60 rows a document recover the law within 0.085
    model, report = fit_confidence.fit(rows, fit_confidence.FitSettings(paper_weight=1.0))
    cv = report["cv_by_document"]["all"]
    assert cv["after"]["ece"] < 0.06 and cv["after"]["auroc"] > 0.8
    assert cv["before"]["auroc"] == 0.5  # the constant previous confidence tells nothing
    assert report["calibration"] in ("platt", "isotonic")
    test = synthetic_rows(n_docs=4, seed=1)
    p = model.probability(np.vstack([r.x for r in test]))
    truth = abstain.sigmoid(np.array([1.5 * r.x[0] - 1.0 * r.x[5] for r in test]))
    assert float(np.mean(np.abs(p - truth))) < 0.08


def test_fitting_refuses_held_out_gold(tmp_path):
    with pytest.raises(ValueError, match="held-out"):
        fit_confidence.training_rows(tmp_path, tmp_path / "gold_reader.jsonl")
    code = fit_confidence.main(["--out", str(tmp_path / "m.json"), "--gold", str(tmp_path / "gold_heldout.jsonl")])
    assert code == 1 and not (tmp_path / "m.json").exists()


DOC = """# Lighthouses

## History

The Pharos of Alexandria was built in the third century BC. It stood more than one hundred metres tall.
Its light guided ships into the harbour for many centuries.

## Keepers

A lighthouse keeper trimmed the wicks and wound the clockwork every night. Most lighthouses are now automated.
The last keepers in Britain left their posts in 1998.
"""


@pytest.fixture
def tiny_assistant(tmp_path, fake_encoder):
    from assistant.engine import Assistant
    from assistant.index import build_index, load_index

    source = tmp_path / "lighthouses.md"
    source.write_text(DOC, encoding="utf-8")
    build_index(source, tmp_path / "index", encoder=fake_encoder)
    return Assistant(load_index(tmp_path / "index"), fake_encoder)


def test_the_answers_confidence_is_the_calibrated_probability_of_its_features(tiny_assistant):
    question = "When did the last keepers in Britain leave?"
    answer = tiny_assistant.ask(question)
    decision = tiny_assistant.decide(question, tiny_assistant.query(question))
    assert decision.features.shape == (len(FEATURES),)
    assert answer.confidence == round(float(confidence.load_model().probability(decision.features)), 4)
    assert answer.confidence == round(decision.confidence, 4) and 0.0 <= answer.confidence <= 1.0
    assert answer.sentence_ids == decision.selection.sentence_ids


def test_rows_are_labelled_by_the_judge_on_the_answer_the_system_would_show(tiny_assistant):
    def contains(word):
        return lambda text, spans: word in text

    rows = fit_confidence.rows_for(tiny_assistant, "tiny", [
        ("When did the last keepers in Britain leave?", None, contains("1998")),
        ("When did the last keepers in Britain leave?", None, contains("Pharos")),
    ])
    assert [r.hit for r in rows] == [True, False]
    assert all(r.x.shape == (len(FEATURES),) and 0.0 <= r.previous <= 1.0 for r in rows)


def test_eval_reports_calibration_of_the_answers_shown(tiny_assistant):
    from assistant.evaluate import run
    from assistant.gold import GoldItem

    gold = [
        GoldItem("q1", "When did the last keepers in Britain leave?", "1998",
                 ("The last keepers in Britain left their posts in 1998.",), "factoid"),
        GoldItem("q2", "How tall was the Pharos of Alexandria?", "more than one hundred metres",
                 ("It stood more than one hundred metres tall.",), "factoid"),
        GoldItem("q3", "Who painted the lighthouse red?", "", (), "unanswerable"),
    ]
    results = run(tiny_assistant, gold, systems=("hybrid", "bm25"))
    for name in ("hybrid", "bm25"):
        records = [r["systems"][name] for r in results["records"]]
        shown = [r for r in records if not r["abstained"]]
        table = results["systems"][name]["calibration"]
        assert table["n"] == len(shown) and sum(row["n"] for row in table["reliability"]) == len(shown)
        assert table["mean_confidence"] == pytest.approx(np.mean([r["confidence"] for r in shown]))
        assert results["systems"][name]["overall"]["confidence_ece"] == table["ece"]
    assert results["systems"]["bm25"]["calibration"]["mean_confidence"] == 1.0  # the baselines always say 1.0


@pytest.mark.parametrize("abstained", [True, False])
def test_an_abstention_gives_its_closest_answers_chance_without_a_verdict(abstained, tmp_path):
    from rich.console import Console

    from assistant.records import Answer, Citation, Passage
    from assistant.render import answer_renderable

    text = "Some sentence of the paper."
    passage = Passage(1, "s00-c000", "Section", 0, len(text), 0.5, text)
    citations = () if abstained else (Citation(1, "s00-c000", "Section", 1, 0, len(text), text, ()),)
    answer = Answer("Why?", "" if abstained else text, abstained, 0.81, citations, (passage,))
    console = Console(no_color=True, record=True, width=200, file=(tmp_path / "out").open("w"))
    console.print(answer_renderable(answer))
    shown = console.export_text()
    if abstained:  # "likely right" beside "does not seem to answer" would be a verdict on no answer
        assert "closest answer: 0.81 chance it would be right" in shown and "likely right" not in shown
    else:
        assert "confidence: likely right (0.81)" in shown


def test_a_model_fitted_without_the_answer_sets_features_reads_only_the_others():
    n = len(confidence.BASE_FEATURES)
    base = Model(np.zeros(n), np.ones(n), np.eye(n)[0], 0.0, Calibration("platt"))
    x = np.zeros(len(FEATURES))
    x[0], x[-1] = 1.0, 5.0  # ranker_top, and the last of the answer set's features
    assert float(base.probability(x)) == pytest.approx(abstain.sigmoid(1.0))
    data = confidence.model_json(base)
    assert data["features"] == list(confidence.BASE_FEATURES)
    assert float(confidence.model_from_json(data).probability(x)) == pytest.approx(abstain.sigmoid(1.0))
    with pytest.raises(ValueError, match="other features"):
        confidence.model_from_json({**data, "features": list(FEATURES[:-1])})
    assert not confidence.reads_answer_set(base)
    assert confidence.reads_answer_set(Model(np.zeros(len(FEATURES)), np.ones(len(FEATURES)), np.zeros(len(FEATURES)), 0.0,
                                             Calibration("platt")))


def test_the_confidence_fit_collects_the_answer_sets_features_whichever_model_is_shipped(tiny_assistant):
    question = "When did the last keepers in Britain leave?"
    (row,) = fit_confidence.rows_for(tiny_assistant, "tiny", [(question, None, lambda text, spans: True)])
    assert tiny_assistant.answer_set is True
    assert row.x[FEATURES.index("join_set")] != 0.0  # computed, not the paper-level zeros
    tiny_assistant.answer_set = None  # the shipped model reads only the base features: not computed when answering
    decision = tiny_assistant.decide(question, tiny_assistant.query(question))
    assert not confidence.reads_answer_set(confidence.load_model())
    assert np.all(decision.features[len(confidence.BASE_FEATURES):] == 0.0)
    assert np.all(decision.features[: len(confidence.BASE_FEATURES)] == row.x[: len(confidence.BASE_FEATURES)])


def test_the_sentence_that_goes_on_about_the_lead_is_shown_after_abstention_and_confidence_decide(tmp_path, fake_encoder):
    """engine.Assistant.decide: answer.continuation lengthens the answer shown, never what the abstention and
    confidence models read (they were fitted on answers without it)."""
    from dataclasses import replace

    from assistant import answer as extract
    from assistant.engine import Assistant
    from assistant.index import build_index, load_index

    source = tmp_path / "lighthouses.md"
    source.write_text(DOC, encoding="utf-8")
    build_index(source, tmp_path / "index", encoder=fake_encoder)
    question = "When was the Pharos of Alexandria built?"
    decided = {}
    for continues in (False, True):
        assistant = Assistant(load_index(tmp_path / "index"), fake_encoder, shape=replace(extract.SHAPE, continues=continues))
        decided[continues] = assistant.decide(question, assistant.query(question))
    off, on = decided[False], decided[True]
    assert off.text == "The Pharos of Alexandria was built in the third century BC."
    assert on.text == off.text + " It stood more than one hundred metres tall."
    assert on.selection.sentence_ids == (*off.selection.sentence_ids, off.selection.sentence_ids[-1] + 1)
    assert np.array_equal(on.features, off.features) and on.abstained == off.abstained and on.confidence == off.confidence
