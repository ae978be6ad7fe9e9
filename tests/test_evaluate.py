"""assistant eval: the metric functions on exact cases, the CLI on a tiny fake-encoder index, the real paper."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from assistant import abstain_fit, checksum, comparison, evaluate, gold, matching, metrics, results
from assistant.cli import cli
from assistant.answer import SHAPE
from assistant.chunking import ChunkSettings
from assistant.errors import InputError
from assistant.retrieval import FUSION

DOC = """Lighthouses of the Northern Coast

Introduction

The northern coast has twelve lighthouses, most of them built in the nineteenth century. They guided fishing fleets through the narrow channels between the islands.¹ Today all of them are automated.

The oldest lighthouse stands on Gull Rock and was first lit in 1821. Its keeper, Thomas Reed, kept a diary for forty years.²

Construction

Builders used granite from the quarry at Hollow Bay because it resisted the salt spray. Each tower took about three years to complete.

7

The lamps burned whale oil until 1870, when paraffin replaced it. Electric lamps arrived in 1935 and made the towers brighter and cheaper to run.

Decline

Satellite navigation reduced the need for the lights after 1990. The keepers left when the last station was automated in 1998. Several towers are now museums that attract visitors in summer.

Notes

¹ Harbour Board. 1902. Annual Report of the Northern Harbour Board.
² Thomas Reed. 1861. The Keeper's Diary.
"""

GOLD = [
    {"id": "t1", "question": "When was the Gull Rock lighthouse first lit?", "answer": "In 1821.",
     "evidence": ["The oldest lighthouse stands on Gull Rock and was first lit in 1821."], "type": "factoid"},
    {"id": "t2", "question": "Why did builders use granite from Hollow Bay?", "answer": "It resisted the salt spray.",
     "evidence": ["because it resisted the salt spray"], "type": "why"},
    {"id": "t3", "question": "What fuel did the lamps burn before paraffin?", "answer": "Whale oil.",
     "evidence": ["The lamps burned whale oil until 1870"], "type": "factoid"},
    {"id": "t4", "question": "When did electric lamps arrive?", "answer": "1935",
     "evidence": ["Electric lamps arrived in 1935"], "type": "factoid"},
    {"id": "t5", "question": "What reduced the need for the lights after 1990?", "answer": "Satellite navigation.",
     "evidence": ["Satellite navigation reduced the need for the lights after 1990."], "type": "factoid"},
    {"id": "t6", "question": "Who kept a diary for forty years, and when was the last station automated?",
     "answer": "Thomas Reed; 1998.", "evidence": ["Its keeper, Thomas Reed, kept a diary for forty years.",
                                                  "the last station was automated in 1998"], "type": "multi_hop"},
    {"id": "u1", "question": "How much did the Gull Rock lighthouse cost to build?", "answer": "", "evidence": [],
     "type": "unanswerable"},
    {"id": "u2", "question": "Which shipwreck led to the first lighthouse on the coast?", "answer": "",
     "evidence": [], "type": "unanswerable"},
    {"id": "u3", "question": "What is the population of Hollow Bay today?", "answer": "", "evidence": [],
     "type": "unanswerable"},
]


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


@pytest.fixture
def tiny_index(tmp_path, fake_encoder, monkeypatch):
    """A small document indexed with the fake encoder; the CLI's query encoder is the fake too."""
    from assistant import encoder
    from assistant.index import build_index

    source = tmp_path / "lighthouses.txt"
    source.write_text(DOC, encoding="utf-8")
    target = tmp_path / "tiny-index"
    build_index(source, target, encoder=fake_encoder)
    monkeypatch.setattr(encoder, "OnnxEncoder", lambda: fake_encoder)
    return target


@pytest.fixture
def tiny_gold(tmp_path):
    return write_jsonl(tmp_path / "gold.jsonl", GOLD)


@pytest.fixture
def isolated_abstain(tmp_path, monkeypatch):
    """Point abstain.json at a temporary file; clear the cached model before and after."""
    from assistant import abstain

    path = tmp_path / "abstain.json"
    monkeypatch.setattr(abstain, "model_path", lambda: path)
    abstain.load_model.cache_clear()
    yield path
    abstain.load_model.cache_clear()


def run_cli(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


# -- matching rule --------------------------------------------------------------------


def test_normalise_drops_markers_page_lines_and_unifies_typography():
    text = "The “states”.14 said\n12\n  it’s   a long—term plan.³⁶ Since the invasion. 39 Next"
    assert matching.normalise(text) == "the \"states\". said it's a long-term plan. since the invasion. next"


def test_normalise_keeps_years_and_numbers_that_are_not_markers():
    assert matching.normalise("In 2015 there were 12 bases. 2016 saw more.") == "in 2015 there were 12 bases. 2016 saw more."


def test_normalise_map_points_back_into_the_source():
    text = "A  “quote”.⁴ End"
    normalised, offsets = matching.normalise_map(text)
    assert normalised == 'a "quote". end'
    assert len(offsets) == len(normalised)
    assert [text[o] for o in offsets] == ["A", " ", "“", "q", "u", "o", "t", "e", "”", ".", " ", "E", "n", "d"]


def test_quote_matches_despite_markers_and_line_breaks():
    source = "Intro text. Russia’s policy is\ncautious.¹² More text follows here."
    evidence = matching.SourceMap(source).locate("Russia's policy is cautious.")
    passage = source[12:]
    assert evidence.occurrences
    assert matching.contains_evidence(passage, [(12, len(source))], evidence)
    assert not matching.contains_evidence("Unrelated words.", [(0, 5)], evidence)


def test_quote_cut_by_a_chunk_boundary_counts_at_sixty_percent_coverage():
    source = "aaaa " + "x" * 50 + " bbbb"
    evidence = matching.SourceMap(source).locate("x" * 50)
    start = source.index("x")
    assert matching.contains_evidence(source[start : start + 30], [(start, start + 30)], evidence)  # 60%
    assert not matching.contains_evidence(source[start : start + 29], [(start, start + 29)], evidence)  # 58%
    assert matching.coverage(evidence.occurrences[0], [(start, start + 10), (start + 40, start + 60)]) == pytest.approx(0.4)


def test_first_relevant_rank_recall_and_mrr():
    source = "Alpha beta gamma. Delta epsilon zeta. Eta theta iota."
    evidence = [matching.SourceMap(source).locate("Delta epsilon zeta."), matching.SourceMap(source).locate("nowhere")]
    passages = [(source[0:17], 0, 17), (source[36:], 36, len(source)), (source[18:36], 18, 36)]
    assert matching.first_relevant_rank(passages, evidence) == 3
    assert matching.first_relevant_rank(passages[:2], evidence) is None
    ranks = [1, 3, None, 2]
    assert metrics.recall_at(ranks, 1) == 0.25
    assert metrics.recall_at(ranks, 3) == 0.75
    assert metrics.mrr(ranks, 10) == pytest.approx((1 + 1 / 3 + 1 / 2) / 4)
    assert metrics.mrr([11], 10) == 0.0
    assert metrics.recall_at([], 5) is None


# -- answer metrics ---------------------------------------------------------------------


def test_token_f1_and_recall_squad_style():
    assert metrics.squad_normalise("The U.S.-led  coalition’s “war”.¹⁴") == "us led coalitions war"
    assert metrics.token_f1("The United States.", "United States") == 1.0
    assert metrics.token_f1("Iran and the United States", "United States") == pytest.approx(2 * 0.5 * 1 / 1.5)
    assert metrics.token_recall("Russia opposes the United States", "United States and Israel") == 0.5
    assert metrics.token_f1("", "Turkey") == 0.0
    assert metrics.token_f1("anything", "") == 0.0
    assert metrics.contains_answer("It was first lit in 1821.", "1821")
    assert not metrics.contains_answer("It was lit in 18210.", "1821")


def test_abstention_precision_and_recall():
    abstained = [True, True, False, False, True, False]
    answerable = [False, True, False, True, False, True]
    scores = metrics.abstention_scores(abstained, answerable)
    assert scores["abstain_on_unanswerable"] == pytest.approx(2 / 3)
    assert scores["abstain_recall"] == pytest.approx(2 / 3)
    assert scores["abstain_precision"] == pytest.approx(2 / 3)
    assert scores["answered_on_answerable"] == pytest.approx(2 / 3)
    assert metrics.abstention_scores([False, False], [True, False])["abstain_precision"] is None


def test_threshold_meets_the_abstention_floor_and_answers_the_most():
    p = np.array([0.1, 0.2, 0.3, 0.35, 0.6, 0.7, 0.8, 0.9])
    y = np.array([0, 0, 0, 1, 0, 1, 1, 1])
    t = abstain_fit.choose_threshold(p, y, min_abstain=0.75)
    assert t == pytest.approx(0.325)  # abstains on 3 of 4 unanswerable, answers 4 of 4 answerable
    assert abstain_fit.choose_threshold(p, y, min_abstain=1.0) == pytest.approx(0.65)


def test_stratified_folds_partition_and_balance():
    y = np.array([1] * 12 + [0] * 5)
    folds = abstain_fit.stratified_folds(y, 5, seed=0)
    assert sorted(np.concatenate(folds).tolist()) == list(range(17))
    assert all((y[f] == 0).sum() == 1 for f in folds)
    assert [f.tolist() for f in folds] == [f.tolist() for f in abstain_fit.stratified_folds(y, 5, seed=0)]


# -- gold files ---------------------------------------------------------------------------


def test_malformed_gold_names_the_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(GOLD[0]) + "\n\n" + '{"id": "x", "question": "q"}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"line 3: missing field answer, evidence, type"):
        gold.load_gold(path)
    path.write_text("{not json\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 1: not valid JSON"):
        gold.load_gold(path)


@pytest.mark.parametrize("change, message", [
    ({"id": None}, 'line 1: "id" must be a string or a whole number'),
    ({"id": [1]}, 'line 1: "id" must be a string or a whole number'),
    ({"id": True}, 'line 1: "id" must be a string or a whole number'),
    ({"question": "?" * 3}, "line 1: the question has no words"),
    ({"question": "Why " * 600}, "line 1: the question is 2,399 characters long; the limit is 2,000"),
])
def test_a_gold_line_is_checked_as_a_question_and_an_id_are(tmp_path, change, message):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({**GOLD[0], **change}) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=f"^{re.escape(str(path))}, {re.escape(message)}"):
        gold.load_gold(path)
    path.write_text(json.dumps(GOLD[0]).replace('"id": "', '"id": NaN, "x": "', 1) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 1: not valid JSON"):
        gold.load_gold(path)


def test_cli_malformed_gold_is_one_line_error(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(GOLD[0]) + "\n" + json.dumps({**GOLD[1], "evidence": "a string"}) + "\n")
    result = run_cli("eval", "--gold", str(path), "--index-dir", str(tmp_path / "none"))
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.startswith("error: ") and "line 2" in result.stderr


# -- the CLI on a tiny index ------------------------------------------------------------


def test_cli_eval_json_structure(tiny_index, tiny_gold, tmp_path):
    out = tmp_path / "results.json"
    result = run_cli("eval", "--gold", str(tiny_gold), "--index-dir", str(tiny_index), "--json", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert json.loads(out.read_text()) == data
    assert set(data["systems"]) == {"hybrid", "bm25", "dense"}
    overall = data["systems"]["hybrid"]["overall"]
    assert overall["questions"] == 9 and overall["answerable"] == 6 and overall["unanswerable"] == 3
    assert overall["citation_exact"] == 1.0
    assert set(data["systems"]["bm25"]["by_type"]) == {"factoid", "why", "multi_hop", "unanswerable"}
    assert data["systems"]["bm25"]["overall"]["abstain_on_unanswerable"] == 0.0
    assert [r["id"] for r in data["records"]] == [g["id"] for g in GOLD]
    record = data["records"][0]["systems"]["bm25"]
    assert set(record) >= {"answer", "abstained", "confidence", "citations", "passages", "hits"}
    assert set(record["hits"]) == {"first_relevant_rank", "evidence_hit", "f1", "recall", "abstain_correct"}
    assert set(record["passages"][0]) == {"rank", "chunk_id", "start", "end", "score"}
    assert record["hits"]["first_relevant_rank"] == 1  # BM25 finds the one paragraph about Gull Rock
    assert data["records"][6]["systems"]["hybrid"]["hits"]["evidence_hit"] is None  # unanswerable
    for name in evaluate.SYSTEMS:
        for key, value in data["systems"][name]["overall"].items():
            if value is not None and not key.endswith("_ms") and key not in ("questions", "answerable",
                                                                            "unanswerable", "median_words"):
                assert 0.0 <= value <= 1.0, (name, key, value)
    cv = {k: v for k, v in overall.items() if k.startswith("cv_")}
    assert set(cv) == {"cv_abstain_on_unanswerable", "cv_answered_on_answerable"}  # 3 folds: 3 unanswerable
    assert all(0.0 <= v <= 1.0 for v in cv.values())
    spread = data["systems"]["hybrid"]["cv_spread"]  # the rates are means over fold seeds
    assert spread["seeds"] == abstain_fit.CV_SEEDS
    assert all(spread[k]["min"] <= v <= spread[k]["max"] for k, v in cv.items())
    assert "cv_answered_on_answerable" not in data["systems"]["bm25"]["overall"]
    assert data["meta"]["abstention_model"]["fitted_on_this_gold"] is False
    settings = data["meta"]["settings"]
    assert settings["fusion.rrf_k"] == FUSION.rrf_k and settings["fusion.chunk_weights"] == list(FUSION.chunk_weights)
    assert settings["shape.max_sentences"] == SHAPE.max_sentences and settings["chunking.max_tokens"] == ChunkSettings().max_tokens


def test_cv_abstention_needs_two_questions_of_each_class(tiny_index, tmp_path):
    from assistant.engine import Assistant
    from assistant.index import load_index

    assistant = Assistant.open(load_index(tiny_index))
    one_unanswerable = gold.load_gold(write_jsonl(tmp_path / "g.jsonl", GOLD[:7]))
    assert abstain_fit.cv_abstention(assistant, one_unanswerable) == {
        "cv_abstain_on_unanswerable": None, "cv_answered_on_answerable": None}


def test_eval_says_when_abstention_rows_are_in_sample(tiny_index, tiny_gold, tmp_path, monkeypatch, isolated_abstain):
    heldout = write_jsonl(tmp_path / "heldout.jsonl", [GOLD[0], GOLD[7]])
    monkeypatch.setattr(gold, "default_heldout", lambda: heldout)
    out = tmp_path / "fit.json"
    fit = run_cli("eval", "--gold", str(tiny_gold), "--index-dir", str(tiny_index), "--fit-abstention", "--out", str(out))
    assert fit.exit_code == 0, fit.stderr
    model = json.loads(out.read_text())["model"]
    assert model["fitted_sha256"] == [checksum.file_sha256(tiny_gold)]
    isolated_abstain.write_text(json.dumps(model), encoding="utf-8")  # shipping it: a copy into the package
    same = run_cli("eval", "--gold", str(tiny_gold), "--index-dir", str(tiny_index))
    assert same.exit_code == 0, same.stderr
    assert "fitted on this gold file" in " ".join(same.stdout.split())
    other = run_cli("eval", "--gold", str(heldout), "--index-dir", str(tiny_index))
    assert "not fitted on this gold file" in " ".join(other.stdout.split())


def test_cli_eval_table_and_compare(tiny_index, tiny_gold, tmp_path):
    out = tmp_path / "old.json"
    assert run_cli("eval", "--gold", str(tiny_gold), "--index-dir", str(tiny_index), "--out", str(out)).exit_code == 0
    old = json.loads(out.read_text())
    first = old["records"][0]["systems"]["hybrid"]["hits"]
    first["first_relevant_rank"] = None if first["first_relevant_rank"] else 1  # crafted: rank changes now
    old["meta"]["settings"]["fusion.rrf_k"] = 60  # crafted: the older run used another RRF k
    out.write_text(json.dumps(old))
    result = run_cli("eval", "--gold", str(tiny_gold), "--index-dir", str(tiny_index), "--compare", str(out))
    assert result.exit_code == 0, result.stderr
    assert f"settings changed: fusion.rrf_k: 60 -> {FUSION.rrf_k}" in " ".join(result.stdout.split())
    assert "Recall@1" in result.stdout and "by question type" in result.stdout
    assert "hybrid: " in result.stdout and "8 unchanged" in result.stdout
    assert "t1" in result.stdout and "first relevant rank" in result.stdout


def test_compare_two_crafted_result_files(tmp_path):
    def crafted(hits_by_id):
        records = [{"id": qid, "type": "factoid", "systems": {"hybrid": {"hits": hits}}} for qid, hits in hits_by_id.items()]
        return {"systems": {"hybrid": {"overall": {"evidence_hit": 0.5}}}, "records": records}

    base = {"first_relevant_rank": 2, "evidence_hit": False, "f1": 0.3, "recall": 0.5, "abstain_correct": True}
    old = crafted({"a": base, "b": base, "c": base, "d": base, "gone": base})
    new = crafted({
        "a": {**base, "evidence_hit": True, "first_relevant_rank": 1},
        "b": {**base, "abstain_correct": False},
        "c": {**base, "first_relevant_rank": None, "evidence_hit": True},
        "d": {**base, "f1": 0.35},
        "fresh": base,
    })
    old_path, new_path = tmp_path / "old.json", tmp_path / "new.json"
    old_path.write_text(json.dumps(old))
    new_path.write_text(json.dumps(new))
    changes = comparison.compare(results.load_results(old_path), results.load_results(new_path))
    verdicts = {c.id: c.verdict for c in changes.changes}
    assert verdicts == {"a": "better", "b": "worse", "c": "mixed"}
    assert "evidence hit gained" in dict((c.id, c.notes) for c in changes.changes)["a"]
    assert changes.summary() == "hybrid: 1 better, 1 worse, 1 mixed, 1 unchanged (1 only in new, 1 only in old)"
    assert changes.settings is None  # neither crafted run recorded its settings
    old["meta"] = {"settings": {"fusion.rrf_k": 60, "shape.near": 0.7, "fusion.chunk_weights": [1, 2]}}
    new["meta"] = {"settings": {"fusion.rrf_k": 20, "shape.near": 0.7, "shape.pool": 12, "fusion.chunk_weights": [1, 3]}}
    assert comparison.compare(old, new).settings == (
        "fusion.rrf_k: 60 -> 20", "shape.pool: none -> 12", "fusion.chunk_weights: [1, 2] -> [1, 3]")
    assert comparison.compare(new, new).settings == ()
    with pytest.raises(InputError, match="not an `assistant eval --out` results file"):
        results.load_results(write_jsonl(tmp_path / "x.json", [{"id": 1}]))


def test_fit_abstention_writes_model_and_reports_cv(tiny_index, tiny_gold, tmp_path, monkeypatch, isolated_abstain):
    from assistant import abstain

    heldout = write_jsonl(tmp_path / "heldout.jsonl", [GOLD[0], GOLD[7]])
    monkeypatch.setattr(gold, "default_heldout", lambda: heldout)
    refused = run_cli("eval", "--gold", str(tiny_gold), "--index-dir", str(tiny_index), "--fit-abstention")
    assert refused.exit_code == 1 and "--out FILE" in refused.stderr
    out = tmp_path / "fit.json"
    result = run_cli("eval", "--gold", str(tiny_gold), "--index-dir", str(tiny_index), "--fit-abstention",
                     "--out", str(out), "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    saved = json.loads(out.read_text())
    assert saved == report and not isolated_abstain.exists()  # never written into the package
    assert set(saved["model"]) == {"weights", "bias", "threshold", "fitted_sha256"}
    assert set(saved["model"]["weights"]) == set(abstain.FEATURES)
    assert 0.0 <= saved["model"]["threshold"] <= 1.0
    assert saved["cv"]["folds"] == 3 and len(saved["cv"]["thresholds"]) == 3
    assert report["heldout"]["questions"] == 2
    assert saved["dev_in_sample"]["abstain_on_unanswerable"] >= abstain_fit.FIT_MIN_ABSTAIN


def test_a_fit_only_file_joins_the_fit_at_its_weight_but_not_the_reported_cv(tiny_index, tiny_gold, tmp_path,
                                                                              monkeypatch, isolated_abstain):
    heldout = write_jsonl(tmp_path / "heldout.jsonl", [GOLD[0], GOLD[7]])
    monkeypatch.setattr(gold, "default_heldout", lambda: heldout)
    only = write_jsonl(tmp_path / "only.jsonl", [
        {"id": "o1", "question": "How tall is the Gull Rock lighthouse?", "answer": "", "evidence": [], "type": "unanswerable"},
        {"id": "o2", "question": "Who painted the lighthouse red?", "answer": "", "evidence": [], "type": "unanswerable"},
        {"id": "o3", "question": "What did the lamps burn before 1870?", "answer": "Whale oil.",
         "evidence": ["The lamps burned whale oil until 1870"], "type": "paraphrase"}])
    fits = {}
    for name, extra in (("plain", []), ("with", ["--fit-only", str(only)])):
        out = tmp_path / f"{name}.json"
        result = run_cli("eval", "--gold", str(tiny_gold), "--index-dir", str(tiny_index), "--fit-abstention",
                         *extra, "--out", str(out))
        assert result.exit_code == 0, result.stderr
        fits[name] = json.loads(out.read_text())
    assert "only.jsonl (3 questions, 2 unanswerable, fit only, weight 0.25)" in fits["with"]["fitted_on"]
    assert fits["with"]["cv"]["extra"] == ["only.jsonl"] and fits["plain"]["cv"]["extra"] == []
    assert set(fits["with"]["gold_in_sample"]) == {"gold.jsonl", "only.jsonl"}
    assert fits["with"]["model"]["weights"] != fits["plain"]["model"]["weights"]  # its questions are fitted on
    # eval on the fit-only file itself says the model was fitted on it (its rows would be in-sample)
    from assistant.checksum import file_sha256

    assert fits["with"]["model"]["fitted_sha256"] == [*fits["plain"]["model"]["fitted_sha256"], file_sha256(only)]
    refused = run_cli("eval", "--gold", str(tiny_gold), "--index-dir", str(tiny_index), "--fit-only", str(only))
    assert refused.exit_code == 1
    assert refused.stderr.strip() == "error: --with-gold and --fit-only only go with --fit-abstention"


# -- the real paper ------------------------------------------------------------------------


@pytest.mark.slow
def test_eval_on_the_real_paper_index(paper_index_dir):
    result = run_cli("eval", "--index-dir", str(paper_index_dir), "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["meta"]["questions"] == 161 and data["warnings"] == []
    for name in evaluate.SYSTEMS:
        overall = data["systems"][name]["overall"]
        assert overall["citation_exact"] == 1.0
        for key in ("recall@1", "recall@10", "mrr@10", "evidence_hit", "token_f1", "token_recall",
                    "answered_on_answerable", "abstain_on_unanswerable"):
            assert 0.0 <= overall[key] <= 1.0, (name, key)
        assert overall["recall@1"] <= overall["recall@5"] <= overall["recall@10"]
    assert data["systems"]["hybrid"]["overall"]["recall@10"] > 0.5
    assert data["meta"]["abstention_model"]["fitted_on_this_gold"] is True  # the shipped model's own gold set
    assert 0.0 <= data["systems"]["hybrid"]["overall"]["cv_answered_on_answerable"] <= 1.0


# -- pooling documents for the abstention fit ------------------------------------------------

SQUAD = {"version": "v2.0", "data": [{"title": "Honey_Bees", "paragraphs": [
    {"context": "  Honey bees live in colonies of up to sixty thousand workers. A single queen lays the eggs.  ",
     "qas": [{"id": "b1", "question": "How many workers live in a honey bee colony?",
              "answers": [{"text": "up to sixty thousand", "answer_start": 32}], "is_impossible": False},
             {"id": "b2", "question": "How many queens does a wasp nest have?", "answers": [],
              "plausible_answers": [{"text": "A single queen", "answer_start": 64}], "is_impossible": True}]},
    {"context": "Workers collect nectar from flowers and turn it into honey. Beekeepers harvest the honey in late summer.",
     "qas": [{"id": "b3", "question": "When do beekeepers harvest the honey?",
              "answers": [{"text": "late summer", "answer_start": 91}, {"text": "", "answer_start": 0}]},
             {"id": "b4", "question": "What do beekeepers feed the bees in winter?", "answers": [],
              "is_impossible": True}]},
]}]}


def write_squad(path, data=SQUAD):
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_read_squad_joins_title_and_contexts_and_reads_questions(tmp_path):
    from assistant.squad import read_squad

    text, questions = read_squad(write_squad(tmp_path / "bees.json"))
    assert text == ("Honey Bees\n\n"
                    "Honey bees live in colonies of up to sixty thousand workers. A single queen lays the eggs.\n\n"
                    "Workers collect nectar from flowers and turn it into honey. "
                    "Beekeepers harvest the honey in late summer.\n")
    assert [(q.id, q.impossible, q.answerable) for q in questions] == [
        ("b1", False, True), ("b2", True, False), ("b3", False, True), ("b4", True, False)]
    assert questions[0].answers == ("up to sixty thousand",)
    assert questions[2].answers == ("late summer",)  # empty answer texts are dropped
    assert questions[1].answers == ()  # plausible_answers of impossible questions are not answers


def test_read_squad_without_title_and_malformed_files(tmp_path):
    from assistant.squad import read_squad

    untitled = {"data": [{"paragraphs": [{"context": "One.", "qas": []}, {"context": "Two.", "qas": []}]}]}
    assert read_squad(write_squad(tmp_path / "u.json", untitled)) == ("One.\n\nTwo.\n", [])
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="bad.json: not valid JSON"):
        read_squad(tmp_path / "bad.json")
    with pytest.raises(InputError, match="not a SQuAD file"):
        read_squad(write_squad(tmp_path / "list.json", [{"context": "x"}]))
    with pytest.raises(InputError, match="missing.json: no such file"):
        read_squad(tmp_path / "missing.json")


def test_fit_sample_weight_default_and_invariances():
    from assistant import abstain

    x = np.array([[0.9, 1.0], [0.8, 0.0], [0.7, 1.0], [0.4, 0.0], [0.5, 1.0], [0.2, 0.0]])
    y = np.array([1.0, 1.0, 1.0, 0.0, 0.0, 0.0])
    plain = abstain.fit(x, y)
    ones = abstain.fit(x, y, sample_weight=np.ones(6))
    assert np.array_equal(plain[0], ones[0]) and plain[1] == ones[1]  # the default is all-ones weights
    weights = np.array([1.0, 2.0, 0.5, 3.0, 1.0, 0.25])
    base = abstain.fit(x, y, sample_weight=weights)
    scaled = abstain.fit(x, y, sample_weight=weights * 7.0)
    one_class = abstain.fit(x, y, sample_weight=weights * np.where(y > 0.5, 5.0, 1.0))
    for other in (scaled, one_class):  # only the weights within a class matter: classes stay balanced
        assert np.allclose(base[0], other[0], atol=1e-9) and base[1] == pytest.approx(other[1], abs=1e-9)
    assert not np.allclose(base[0], plain[0], atol=1e-3)


def test_fit_with_sample_weight_reaches_the_weighted_optimum():
    """First-order optimality of the class-balanced, weighted, L2-penalised loss (coded independently)."""
    from assistant import abstain

    x = np.array([[3.0], [2.0], [1.0], [2.5], [0.0], [-1.0]])
    y = np.array([1.0, 1.0, 1.0, 0.0, 0.0, 0.0])
    weights = np.array([1.0, 1.0, 1.0, 4.0, 1.0, 1.0])
    w, b = abstain.fit(x, y, l2=0.05, sample_weight=weights)
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = (x - mean) / std
    w_std, b_std = w * std, b + float(np.dot(w, mean))
    share = weights / np.array([weights[y == label].sum() for label in y]) * 0.5
    residual = share * (1.0 / (1.0 + np.exp(-(z @ w_std + b_std))) - y)
    assert np.abs(z.T @ residual + 0.05 * w_std).max() < 1e-6
    assert abs(residual.sum()) < 1e-6
    plain_w, plain_b = abstain.fit(x, y, l2=0.05)
    # weighting the negative at 2.5 up moves the decision boundary (p = 0.5) to the right
    assert -b / w[0] > -plain_b / plain_w[0] + 0.1


def test_document_weights_sum_to_one_per_document():
    assert abstain_fit.document_weights(np.array([0, 0, 1, 1, 1, 2])).tolist() == pytest.approx([0.5, 0.5, 1 / 3, 1 / 3, 1 / 3, 1.0])


def test_threshold_averages_rates_over_documents():
    p = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.95, 0.9, 0.8])
    y = np.array([0, 0, 0, 0, 1, 1, 0, 1])
    groups = np.array([0, 0, 0, 0, 0, 0, 1, 1])
    assert abstain_fit.choose_threshold(p, y, min_abstain=0.75) == pytest.approx(0.45)  # pooled: 4 of 5 unanswerable is enough
    # per document: document 1's only unanswerable must be abstained on too (mean of 1.0 and 0.0 < 0.75)
    assert abstain_fit.choose_threshold(p, y, min_abstain=0.75, groups=groups) == pytest.approx(0.925)
    assert abstain_fit.macro_rates(p < 0.925, y, groups) == (1.0, 0.25)


def test_fit_pooled_on_one_document_is_the_plain_fit():
    from assistant import abstain

    rng = np.random.default_rng(3)
    x = rng.normal(size=(40, 3))
    y = (x[:, 0] + 0.5 * rng.normal(size=40) > 0.3).astype(float)
    weights, bias, threshold = abstain_fit.fit_pooled([abstain_fit.SignalSet("dev", x, y)])
    plain_w, plain_b = abstain.fit(x, y)
    assert np.allclose(weights, plain_w, atol=1e-9) and bias == pytest.approx(plain_b, abs=1e-9)
    assert threshold == pytest.approx(abstain_fit.choose_threshold(abstain_fit._probabilities(x, plain_w, plain_b), y), abs=1e-9)
    other = abstain_fit.SignalSet("other", rng.normal(size=(30, 3)), (rng.random(30) > 0.5).astype(float))
    pooled_w, pooled_b, _ = abstain_fit.fit_pooled([abstain_fit.SignalSet("dev", x, y), other])
    both_x, both_y = np.concatenate([x, other.x]), np.concatenate([y, other.y])
    each = abstain.fit(both_x, both_y, sample_weight=np.r_[np.full(40, 1 / 40), np.full(30, 1 / 30)])
    assert np.allclose(pooled_w, each[0], atol=1e-9) and pooled_b == pytest.approx(each[1], abs=1e-9)
    assert not np.allclose(pooled_w, abstain.fit(both_x, both_y)[0], atol=1e-4)  # the documents are reweighted
    cv = abstain_fit.cross_validate(x, y, 5, 0, [other])
    assert cv["extra"] == ["other"] and cv["folds"] == 5 and len(cv["thresholds"]) == 5


def test_fit_abstention_with_extra_and_unseen_documents(tiny_index, tiny_gold, tmp_path, monkeypatch,
                                                         isolated_abstain, fake_encoder):
    from assistant import encoder

    monkeypatch.setattr(encoder, "SentenceTransformerEncoder", lambda: fake_encoder)
    heldout = write_jsonl(tmp_path / "heldout.jsonl", [GOLD[0], GOLD[7]])
    monkeypatch.setattr(gold, "default_heldout", lambda: heldout)
    extra = write_squad(tmp_path / "bees.json")
    unseen = write_squad(tmp_path / "more_bees.json")
    shipped = Path(abstain_fit.__file__).with_name("abstain.json")
    isolated_abstain.write_text(shipped.read_text(encoding="utf-8"), encoding="utf-8")  # the model it is compared with
    out = tmp_path / "fit.json"
    result = run_cli("eval", "--gold", str(tiny_gold), "--index-dir", str(tiny_index), "--fit-abstention",
                     "--extra", str(extra), "--unseen", str(unseen), "--out", str(out), "--json")
    assert result.exit_code == 0, result.stderr
    saved = json.loads(out.read_text())
    assert saved == json.loads(result.stdout)
    assert saved["cv"]["extra"] == ["bees"]
    assert "bees (4 questions, 2 unanswerable)" in saved["fitted_on"]
    assert "averaged over the training documents" in saved["criterion"]
    assert set(saved["extra_in_sample"]) == {"bees"} and set(saved["external"]) == {"more_bees"}
    unseen_row = saved["external"]["more_bees"]
    assert (unseen_row["questions"], unseen_row["answerable"], unseen_row["unanswerable"]) == (4, 2, 2)
    assert 0.0 <= unseen_row["abstain_on_unanswerable"] <= 1.0
    assert set(saved["previous_model"]["external"]) == {"more_bees"}
    assert set(saved["previous_model"]["extra"]) == {"bees"}


def test_extra_needs_fit_abstention_and_a_squad_file(tiny_index, tiny_gold, tmp_path):
    extra = write_squad(tmp_path / "bees.json")
    result = run_cli("eval", "--gold", str(tiny_gold), "--index-dir", str(tiny_index), "--extra", str(extra))
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: --extra and --unseen only go with --fit-abstention"
    (tmp_path / "broken.json").write_text('{"data": 3}', encoding="utf-8")
    result = run_cli("eval", "--gold", str(tiny_gold), "--index-dir", str(tiny_index), "--fit-abstention",
                     "--extra", str(tmp_path / "broken.json"))
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"error: {tmp_path / 'broken.json'}: not a SQuAD file (expected data[].paragraphs[].context/qas)")
