"""The learned sentence ranker: pure feature and selection functions, the model file, the fit helpers."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from assistant import fit_ranker, ranker
from assistant.errors import AssistantError


@pytest.fixture(scope="module")
def paper_layout(paper_document) -> ranker.Layout:
    """The question-independent facts of the paper's sentences, built once for this module."""
    from assistant.chunking import ChunkSettings, chunk_document

    return ranker.layout(paper_document, chunk_document(paper_document, lambda t: len(t.split()), ChunkSettings()).chunks)


def random_scores(n: int, seed: int) -> tuple[np.random.Generator, ranker.Scores]:
    """A generator and every per-sentence signal drawn from it, for ``n`` sentences."""
    rng = np.random.default_rng(seed)
    return rng, ranker.Scores(*[rng.random(n) for _ in ranker.SIGNALS])


def test_shipped_model_matches_the_features():
    model = ranker.load_model()
    assert model.names in ranker.FEATURE_SETS
    assert model.coef.shape == model.mean.shape == model.scale.shape == (len(model.names),)
    assert 0 < model.rule.near <= 1.01 and 0 < model.rule.far <= 1.01 and model.rule.max_sentences >= 1


def test_shipped_model_says_what_it_was_fitted_on():
    data = json.loads(ranker.model_path().read_text(encoding="utf-8"))
    assert data["fitted_on"]["documents"] > 1 and data["cv"]["grouped_by"] == "document"
    names = " ".join(data["fitted_on"]["names"])
    assert "heldout" not in names and "1557" not in names and "1595" not in names


def test_shipped_model_weighs_maxsim_and_reports_its_worth():
    model = ranker.load_model()
    late = [i for i, name in enumerate(ranker.FEATURES) if name.startswith("maxsim")]
    assert len(late) == 4 and np.abs(model.coef[late]).min() > 0
    data = json.loads(ranker.model_path().read_text(encoding="utf-8"))
    without = data["cv_without"]["maxsim"]["all"]
    assert without["top1_positive"] < data["cv"]["all"]["top1_positive"]


def test_shipped_model_reads_entity_agreement_and_reports_its_worth():
    model = ranker.load_model()
    assert set(ranker.ENTITY_FEATURES) <= set(model.names)
    data = json.loads(ranker.model_path().read_text(encoding="utf-8"))
    assert set(data["cv_without"]["entity"]["all"]) == {"top1_positive", "selection_hit", "median_words"}


def test_entity_features_on_the_paper(paper_layout):
    """A sentence naming both actors the question asks about misses none; one about the other actor
    misses Russia; the question's own terms other than names are the content coverage."""
    lay = paper_layout
    both = next(i for i, t in enumerate(lay.texts) if "Russian weapons sold to Iran do not end up with Hezbollah" in t)
    other = next(i for i, t in enumerate(lay.texts) if t.startswith("For Iran, as a senior adviser"))
    n = len(lay.texts)
    scores = ranker.Scores(*[np.zeros(n) for _ in ranker.SIGNALS])
    ids = np.array(sorted((both, other)))
    question = "What is Russia's position on Hezbollah?"
    query_terms = ["russia", "posit", "hezbollah"]
    x = ranker.features(question, query_terms, {t: 1.0 for t in query_terms}, scores, lay, ids, np.ones(n, bool),
                        np.zeros(n), ids)
    column = {name: dict(zip(ids.tolist(), values)) for name, values in zip(ranker.FEATURES, x.T)}
    assert column["names_missing"][both] == 0.0 and column["names_missing"][other] == 0.5  # "Russian": Russia
    assert column["names_missing_paragraph"][other] <= column["names_missing_window"][other] <= 0.5
    assert column["content_coverage"][both] == column["content_coverage"][other] == 0.0  # "position" in neither
    alone = ranker.features("Where?", query_terms, {t: 1.0 for t in query_terms}, scores, lay, ids, np.ones(n, bool),
                            np.zeros(n), ids, asked="And what about Russia and Hezbollah?")  # a follow-up's context
    assert dict(zip(ranker.FEATURES, alone.T))["names_missing"].tolist() == x[:, ranker.FEATURES.index("names_missing")].tolist()


def test_without_holds_a_feature_group_at_zero():
    n = len(ranker.FEATURES)
    example = fit_ranker.Example("d", "q", np.array([3, 5]), np.ones((2, n)), np.array([True, False]), ((0, 1), (2, 3)),
                                 np.array([4, 4]), np.array([0, 0]), ((False, (), ()), (False, (), ())), ((0, 1),),
                                 True, 4, True)
    x = fit_ranker.without([example], "maxsim")[0].x
    names = np.array([name.startswith("maxsim") for name in ranker.FEATURES])
    assert (x[:, names] == 0).all() and (x[:, ~names] == 1).all() and (example.x == 1).all()


def test_missing_model_fails_loudly(tmp_path):
    with pytest.raises(AssistantError, match="cannot read the ranker model"):
        ranker.load_model(tmp_path / "absent.json")


def test_model_fitted_on_other_features_is_refused():
    data = json.loads(ranker.model_path().read_text(encoding="utf-8"))
    data["features"] = data["features"][:-1]
    with pytest.raises(AssistantError, match="other features"):
        ranker.model_from_json(data)


def test_probability_is_monotone_in_a_positive_coefficient():
    n = len(ranker.FEATURES)
    coef = np.zeros(n)
    coef[0] = 2.0
    model = ranker.Model(ranker.FEATURES, np.zeros(n), np.ones(n), coef, 0.0, ranker.Rule(0.5, 0.9, 3))
    x = np.zeros((3, n))
    x[:, 0] = [-1.0, 0.0, 1.0]
    p = model.probability(x)
    assert p[0] < p[1] < p[2] and p[1] == pytest.approx(0.5)


def test_neighbour_max_stays_inside_the_paragraph():
    values = np.array([0.1, 0.9, 0.2, 0.8, 0.3])
    paragraph = np.array([0, 0, 0, 1, 1])
    out = ranker.neighbour_max(values, paragraph)
    assert out.tolist() == pytest.approx([0.9, 0.2, 0.9, 0.3, 0.8])


def test_pick_prefers_adjacent_sentences_at_a_lower_bar():
    ids = np.array([10, 11, 30])
    paragraphs = np.array([1, 1, 5])
    p = np.array([0.8, 0.3, 0.35])
    rule = ranker.Rule(near=0.3, far=0.5, max_sentences=3)
    assert ranker.pick(ids, paragraphs, p, rule) == [0, 1]  # 11 is next to 10; 30 is too far below the best
    assert ranker.pick(ids, paragraphs, p, ranker.Rule(1.01, 1.01, 3)) == [0]
    assert ranker.pick(ids, paragraphs, p, ranker.Rule(0.1, 0.1, 2)) == [0, 2]


def test_candidates_respect_the_mask_and_take_each_signals_top():
    n = 40
    rng = np.random.default_rng(0)
    arrays = [rng.random(n) for _ in ranker.SIGNALS]
    scores = ranker.Scores(*arrays)
    mask = np.ones(n, dtype=bool)
    mask[::2] = False
    found = ranker.candidates(scores, mask, ranker.CandidateSettings(per_signal=3))
    assert all(mask[i] for i in found)
    allowed = np.flatnonzero(mask)
    best_dense = allowed[np.argmax(arrays[0][allowed])]
    assert best_dense in found


def test_features_on_the_paper(paper_document, paper_layout):
    lay = paper_layout
    n = len(paper_document.sentences)
    assert lay.chunk.shape == (n,) and lay.first_in_paragraph[0] == 1.0
    rng, scores = random_scores(n, 1)
    mask = np.ones(n, dtype=bool)
    ids = ranker.candidates(scores, mask)
    question = "When did Russia launch its first airstrikes in Syria?"
    x = ranker.features(question, ["russia", "airstrik", "syria"], {"russia": 1.0, "airstrik": 3.0, "syria": 1.0},
                        scores, lay, ids, mask, rng.random(n), ids)
    assert x.shape == (len(ids), len(ranker.FEATURES)) and np.isfinite(x).all()
    column = dict(zip(ranker.FEATURES, x.T))
    assert set(np.unique(column["fact_found"] + column["fact_missing"])) == {1.0}  # a "when" question asks a fact
    best = int(np.argmax(scores.sentence_dense[ids]))
    assert column["sentence_dense_gap"][best] == pytest.approx(0.0) and column["sentence_dense_rank"][best] == 0.0


def test_maxsim_features_are_taken_among_the_base_candidates(paper_document, paper_layout):
    lay = paper_layout
    n = len(paper_document.sentences)
    rng, scores = random_scores(n, 2)
    mask = np.ones(n, dtype=bool)
    base = ranker.candidates(scores, mask)
    late = np.zeros(n)
    late[base] = rng.random(len(base))
    extra = int(np.setdiff1d(np.arange(n), base)[0])
    late[extra] = 2.0  # a sentence added to the candidates (a shown one) scores above every base candidate
    args = ("Why?", ["russia"], {"russia": 1.0}, scores, lay)
    alone = ranker.features(*args, base, mask, late, base)
    ids = np.union1d(base, [extra])
    joined = ranker.features(*args, ids, mask, late, base)
    np.testing.assert_array_equal(joined[np.isin(ids, base)], alone)  # base rows do not move
    column = dict(zip(ranker.FEATURES, alone.T))
    best = int(np.argmax(late[base]))
    np.testing.assert_allclose(column["maxsim"], late[base])
    assert column["maxsim_gap"][best] == 0.0 and column["maxsim_rank"][best] == 0.0 and column["maxsim_norm"][best] == 1.0
    assert dict(zip(ranker.FEATURES, joined.T))["maxsim_gap"][int(np.flatnonzero(ids == extra)[0])] > 0


def test_locate_answer_takes_the_occurrence_nearest_the_offset():
    source = "the virus spreads. Later, the virus spreads again."
    assert fit_ranker.locate_answer(source, "the virus", 25) == (26, 35)
    assert fit_ranker.locate_answer(source, "the virus", 1) == (0, 9)
    assert fit_ranker.locate_answer(source, "absent", 3) is None


def test_positive_and_cover_rules():
    assert fit_ranker.is_positive((0, 100), [(10, 30)], 0.5)
    assert not fit_ranker.is_positive((0, 100), [(95, 200)], 0.5)
    assert fit_ranker.covers([(0, 50), (50, 100)], [(40, 90)])
    assert not fit_ranker.covers([(0, 50)], [(40, 90)])


def test_held_out_gold_is_refused(capsys, tmp_path):
    code = fit_ranker.main(["--out", str(tmp_path / "m.json"), "--gold", "source/gold_heldout.jsonl"])
    assert code == 2 and "held-out" in capsys.readouterr().err
    assert not (tmp_path / "m.json").exists()


def _example(positive, spans, words, gold, companions=None):
    n = len(positive)
    return fit_ranker.Example(
        "doc", "q", np.arange(n), np.zeros((n, len(ranker.FEATURES))), np.array(positive), tuple(spans),
        np.array(words), np.zeros(n, dtype=np.int64), companions or tuple((False, (), ()) for _ in range(n)),
        tuple(gold), False, 0, False,
    )


def test_outcome_counts_companions_like_the_engine():
    spans = [(0, 10), (10, 20), (50, 60)]
    plain = _example([True, False, False], spans, [5, 5, 5], [(0, 20)])
    p = np.array([0.9, 0.1, 0.1])
    assert fit_ranker.outcome(plain, p, ranker.Rule(1.01, 1.01, 3)) == (True, False, 5)
    brings_next = _example([True, False, False], spans, [5, 5, 5], [(0, 20)],
                           ((False, ((10, 20),), (5,)), (False, (), ()), (False, (), ())))
    assert fit_ranker.outcome(brings_next, p, ranker.Rule(1.01, 1.01, 3)) == (True, True, 10)


def test_choose_rule_keeps_answers_short():
    spans = [(0, 10), (10, 20), (50, 60)]
    batch = [_example([True, True, False], spans, [30, 30, 30], [(0, 20)]) for _ in range(3)]
    probabilities = [np.array([0.9, 0.5, 0.1])] * 3
    settings = fit_ranker.FitSettings(max_median_words=70)
    rule = fit_ranker.choose_rule(batch, probabilities, settings)
    assert fit_ranker.outcome(batch[0], probabilities[0], rule) == (True, True, 60)
    short = fit_ranker.choose_rule(batch, probabilities, fit_ranker.FitSettings(max_median_words=40))
    assert fit_ranker.outcome(batch[0], probabilities[0], short)[2] == 30


def test_idf_weights_follow_the_settings_on_hand_built_frequencies():
    frequencies = {"rare": 1, "common": 9, "absent": 0}
    weights = ranker.idf_weights(["rare", "common", "absent"], frequencies.__getitem__, 9)
    assert weights["rare"] == pytest.approx(np.log(1 + 10 / 1.5))
    assert weights["common"] == pytest.approx(np.log(1 + 10 / 9.5))
    assert weights["absent"] > weights["rare"] > weights["common"] > 0  # rarer terms weigh more, none weighs 0
    plain = ranker.IdfSettings(n_shift=0.0, df_shift=1.0)
    assert ranker.idf_weights(["rare"], frequencies.__getitem__, 9, plain)["rare"] == pytest.approx(np.log(1 + 9 / 2))


def test_eval_records_the_idf_settings():
    from dataclasses import asdict

    from types import SimpleNamespace

    from assistant.evaluate import settings_record
    from assistant.retrieval import FUSION

    record = settings_record(SimpleNamespace(fusion=FUSION, index=SimpleNamespace(manifest={})))
    assert {f"idf.{k}": v for k, v in asdict(ranker.IDF).items()}.items() <= record.items()


def test_log_odds_of_candidates_and_a_floor_for_the_rest():
    model = ranker.Model(("a",), np.zeros(1), np.ones(1), np.array([1.0]), 0.0, ranker.Rule(0.5, 0.5, 1))
    found = ranker.Candidates(np.array([1, 3]), np.array([[2.0], [-1.0]]), None, None, np.zeros(2))  # type: ignore[arg-type]
    out = ranker.log_odds(model.probability(found.x), found.ids, 5)
    assert out[1] == pytest.approx(2.0) and out[3] == pytest.approx(-1.0)
    assert out[0] == out[2] == out[4] == -12.0


def test_passage_features_read_the_fused_score_the_passage_maxsim_and_the_rare_terms(paper_document, paper_layout):
    lay = paper_layout
    n = len(paper_document.sentences)
    rng, scores = random_scores(n, 3)
    mask = np.ones(n, dtype=bool)
    fused = rng.random(n)
    late = np.full(n, np.nan)  # MaxSim scored for a few sentences only
    scored = rng.choice(n, 40, replace=False)
    late[scored] = rng.random(40)
    top_late = int(scored[np.argmax(late[scored])])
    ids = np.union1d(ranker.candidates(scores, mask), [int(np.argmax(fused)), top_late])
    terms = ["russia", "airstrik", "syria"]
    idf = {"russia": 1.0, "airstrik": 3.0, "syria": 2.0}
    x = ranker.features("When did Russia launch airstrikes in Syria?", terms, idf, scores, lay, ids, mask, rng.random(n), ids,
                        ranker.passage(fused, late, lay.chunk))
    column = dict(zip(ranker.FEATURES, x.T))
    best = int(np.flatnonzero(ids == np.argmax(fused))[0])
    assert column["sentence_fused_rank"][best] == 0.0 and column["sentence_fused_gap"][best] == 0.0
    assert column["rank_in_chunk"][best] == 0.0  # the best sentence of the document is the best of its passage
    in_chunk = [int(np.sum((lay.chunk == lay.chunk[i]) & (fused > fused[i]))) for i in ids]
    np.testing.assert_allclose(column["rank_in_chunk"], np.log1p(in_chunk))
    same_passage = lay.chunk[ids] == lay.chunk[top_late]
    assert (column["chunk_late_rank"][same_passage] == 0.0).all() and (column["chunk_late_rank"][~same_passage] > 0).all()
    # "airstrik" and "syria" are the rare terms (idf >= the median): coverage is the weighted mix
    np.testing.assert_allclose(6.0 * column["term_coverage"], 5.0 * column["rare_coverage"] + 1.0 * column["common_coverage"])
    assert (column["window_coverage"] >= column["term_coverage"]).all()
    assert column["coverage_gap"].max() == 0.0 and (column["coverage_gap"] <= 0).all()
    assert ((column["lexical_not_dense"] >= 0) & (column["lexical_not_dense"] <= 1)).all()
    without = ranker.features("When?", terms, idf, scores, lay, ids, mask, rng.random(n), ids)
    assert (without[:, [ranker.FEATURES.index(f) for f in ranker.PASSAGE_FEATURES[:6]]] == 0).all()  # no passage: zeros


def synthetic_examples(n_documents=4, n_questions=12, n_candidates=6, seed=0):
    """Examples whose positive candidate is the one with the best fused sentence score (a passage feature)."""
    rng = np.random.default_rng(seed)
    out = []
    column = ranker.FEATURES.index("sentence_fused")
    for d in range(n_documents):
        for q in range(n_questions):
            x = rng.normal(size=(n_candidates, len(ranker.FEATURES)))
            positive = np.arange(n_candidates) == int(np.argmax(x[:, column]))
            spans = tuple((10 * i, 10 * i + 9) for i in range(n_candidates))
            out.append(fit_ranker.Example(
                f"doc{d}", f"q{q}", np.arange(n_candidates), x, positive, spans, np.full(n_candidates, 5.0),
                np.arange(n_candidates), tuple((False, (), ()) for _ in spans), (spans[int(np.argmax(positive))],),
                False, 5, False))
    return out


def test_the_fit_takes_the_passage_features_only_when_asked_and_reports_their_worth():
    batch = synthetic_examples()
    base = fit_ranker.fit(batch)
    assert tuple(base["features"]) == ranker.BASE_FEATURES and "passage" not in base["cv_without"]
    full = fit_ranker.fit(batch, names=ranker.FEATURES)
    assert tuple(full["features"]) == ranker.FEATURES
    assert full["cv"]["all"]["top1_positive"] > full["cv_without"]["passage"]["all"]["top1_positive"]
    assert full["cv"]["all"]["top1_positive"] > base["cv"]["all"]["top1_positive"]
    model = ranker.model_from_json(full)
    x = batch[0].x
    assert int(np.argmax(model.probability(x))) == int(np.argmax(batch[0].positive))
    assert ranker.model_from_json(base).probability(x).shape == (len(x),)  # reads its own columns of every feature


def test_answering_computes_the_passage_features_only_for_a_ranker_that_reads_them(tmp_path, monkeypatch):
    """The shipped ranker (BASE_FEATURES) is not fed columns it ignores on every question; the fit
    commands' candidates (Assistant.candidates) hold every column, and a passage model gets them."""
    from assistant.encoder import HashingEncoder
    from assistant.engine import Assistant
    from assistant.index import build_index, load_index

    source = tmp_path / "mills.md"
    source.write_text("# Mills\n\nThe miller grinds corn in winter. Wheat is ground in spring by the same mill. "
                      "The river turns the wheel.\n\nThe baker buys flour from the miller.\n", encoding="utf-8")
    build_index(source, tmp_path / "idx", encoder=HashingEncoder())
    assistant = Assistant(load_index(tmp_path / "idx"), HashingEncoder())
    question = "When does the miller grind corn?"
    query = assistant.query(question)
    columns = [ranker.FEATURES.index(name) for name in ranker.PASSAGE_FEATURES]
    fitting = assistant.candidates(question, query)
    assert np.any(fitting.x[:, columns] != 0)
    ranked = assistant._rank(question, query)
    assert ranked.found is not None and not ranker.load_model().reads_passage
    assert np.all(ranked.found.x[:, columns] == 0)
    np.testing.assert_array_equal(np.delete(ranked.found.x, columns, axis=1), np.delete(fitting.x, columns, axis=1))
    base = ranker.load_model()
    own = {name: i for i, name in enumerate(base.names)}  # the shipped coefficients, 0 for the passage columns
    passage_model = dataclasses.replace(
        base, names=ranker.FEATURES, mean=np.array([base.mean[own[n]] if n in own else 0.0 for n in ranker.FEATURES]),
        scale=np.array([base.scale[own[n]] if n in own else 1.0 for n in ranker.FEATURES]),
        coef=np.array([base.coef[own[n]] if n in own else 0.0 for n in ranker.FEATURES]))
    monkeypatch.setattr(ranker, "load_model", lambda path=None: passage_model)
    assert np.any(assistant._rank(question, query).found.x[:, columns] != 0)


def test_the_covid_split_is_written_whole_and_a_cut_file_is_refused(tmp_path, monkeypatch):
    """Each paper of the training file becomes one file of the cache, written whole or not at all;
    a file cut short (by an older release on a full disk) is named, never read as a paper."""
    import errno
    import os

    from assistant.errors import InputError

    articles = [{"title": f"paper {n}", "paragraphs": [{"context": "Text.", "qas": []}]} for n in range(3)]
    train = tmp_path / "train.json"
    train.write_text(json.dumps({"data": articles}), encoding="utf-8")
    real_replace = os.replace

    def full_disk_on_the_second(source, target):
        if str(target).endswith("covid001.json"):
            raise OSError(errno.ENOSPC, "No space left on device")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", full_disk_on_the_second)
    with pytest.raises(InputError, match="No space left on device"):
        fit_ranker.split_covid(train, tmp_path / "cache")
    assert sorted(p.name for p in (tmp_path / "cache" / "covid").iterdir()) == ["covid000.json"]  # no part, no temporary
    monkeypatch.undo()
    paths = fit_ranker.split_covid(train, tmp_path / "cache")
    assert [json.loads(p.read_text(encoding="utf-8"))["data"][0]["title"] for p in paths] == ["paper 0", "paper 1", "paper 2"]
    paths[1].write_text(paths[1].read_text(encoding="utf-8")[:20], encoding="utf-8")
    with pytest.raises(InputError, match="covid001.json is not one article of the COVID-QA file"):
        fit_ranker.split_covid(train, tmp_path / "cache")
