"""assistant eval: the metric functions on exact cases, the CLI on a tiny fake-encoder index, the real paper."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from assistant import evaluate as ev
from assistant.cli import cli
from assistant.errors import InputError

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
    assert ev.normalise(text) == "the \"states\". said it's a long-term plan. since the invasion. next"


def test_normalise_keeps_years_and_numbers_that_are_not_markers():
    assert ev.normalise("In 2015 there were 12 bases. 2016 saw more.") == "in 2015 there were 12 bases. 2016 saw more."


def test_normalise_map_points_back_into_the_source():
    text = "A  “quote”.⁴ End"
    normalised, offsets = ev.normalise_map(text)
    assert normalised == 'a "quote". end'
    assert len(offsets) == len(normalised)
    assert [text[o] for o in offsets] == ["A", " ", "“", "q", "u", "o", "t", "e", "”", ".", " ", "E", "n", "d"]


def test_quote_matches_despite_markers_and_line_breaks():
    source = "Intro text. Russia’s policy is\ncautious.¹² More text follows here."
    evidence = ev.SourceMap(source).locate("Russia's policy is cautious.")
    passage = source[12:]
    assert evidence.occurrences
    assert ev.contains_evidence(passage, [(12, len(source))], evidence)
    assert not ev.contains_evidence("Unrelated words.", [(0, 5)], evidence)


def test_quote_cut_by_a_chunk_boundary_counts_at_sixty_percent_coverage():
    source = "aaaa " + "x" * 50 + " bbbb"
    evidence = ev.SourceMap(source).locate("x" * 50)
    start = source.index("x")
    assert ev.contains_evidence(source[start : start + 30], [(start, start + 30)], evidence)  # 60%
    assert not ev.contains_evidence(source[start : start + 29], [(start, start + 29)], evidence)  # 58%
    assert ev.coverage(evidence.occurrences[0], [(start, start + 10), (start + 40, start + 60)]) == pytest.approx(0.4)


def test_first_relevant_rank_recall_and_mrr():
    source = "Alpha beta gamma. Delta epsilon zeta. Eta theta iota."
    evidence = [ev.SourceMap(source).locate("Delta epsilon zeta."), ev.SourceMap(source).locate("nowhere")]
    passages = [(source[0:17], 0, 17), (source[36:], 36, len(source)), (source[18:36], 18, 36)]
    assert ev.first_relevant_rank(passages, evidence) == 3
    assert ev.first_relevant_rank(passages[:2], evidence) is None
    ranks = [1, 3, None, 2]
    assert ev.recall_at(ranks, 1) == 0.25
    assert ev.recall_at(ranks, 3) == 0.75
    assert ev.mrr(ranks, 10) == pytest.approx((1 + 1 / 3 + 1 / 2) / 4)
    assert ev.mrr([11], 10) == 0.0
    assert ev.recall_at([], 5) is None


# -- answer metrics ---------------------------------------------------------------------


def test_token_f1_and_recall_squad_style():
    assert ev.squad_normalise("The U.S.-led  coalition’s “war”.¹⁴") == "us led coalitions war"
    assert ev.token_f1("The United States.", "United States") == 1.0
    assert ev.token_f1("Iran and the United States", "United States") == pytest.approx(2 * 0.5 * 1 / 1.5)
    assert ev.token_recall("Russia opposes the United States", "United States and Israel") == 0.5
    assert ev.token_f1("", "Turkey") == 0.0
    assert ev.token_f1("anything", "") == 0.0
    assert ev.contains_answer("It was first lit in 1821.", "1821")
    assert not ev.contains_answer("It was lit in 18210.", "1821")


def test_abstention_precision_and_recall():
    abstained = [True, True, False, False, True, False]
    answerable = [False, True, False, True, False, True]
    scores = ev.abstention_scores(abstained, answerable)
    assert scores["abstain_on_unanswerable"] == pytest.approx(2 / 3)
    assert scores["abstain_recall"] == pytest.approx(2 / 3)
    assert scores["abstain_precision"] == pytest.approx(2 / 3)
    assert scores["answered_on_answerable"] == pytest.approx(2 / 3)
    assert ev.abstention_scores([False, False], [True, False])["abstain_precision"] is None


def test_threshold_meets_the_abstention_floor_and_answers_the_most():
    p = np.array([0.1, 0.2, 0.3, 0.35, 0.6, 0.7, 0.8, 0.9])
    y = np.array([0, 0, 0, 1, 0, 1, 1, 1])
    t = ev.choose_threshold(p, y)
    assert t == pytest.approx(0.325)  # abstains on 3 of 4 unanswerable, answers 4 of 4 answerable
    assert ev.choose_threshold(p, y, min_abstain=1.0) == pytest.approx(0.65)


def test_stratified_folds_partition_and_balance():
    y = np.array([1] * 12 + [0] * 5)
    folds = ev.stratified_folds(y, 5, seed=0)
    assert sorted(np.concatenate(folds).tolist()) == list(range(17))
    assert all((y[f] == 0).sum() == 1 for f in folds)
    assert [f.tolist() for f in folds] == [f.tolist() for f in ev.stratified_folds(y, 5, seed=0)]


# -- gold files ---------------------------------------------------------------------------


def test_malformed_gold_names_the_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(GOLD[0]) + "\n\n" + '{"id": "x", "question": "q"}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"line 3: missing field answer, evidence, type"):
        ev.load_gold(path)
    path.write_text("{not json\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 1: not valid JSON"):
        ev.load_gold(path)


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
    for name in ev.SYSTEMS:
        for key, value in data["systems"][name]["overall"].items():
            if value is not None and not key.endswith("_ms") and key not in ("questions", "answerable",
                                                                            "unanswerable", "median_words"):
                assert 0.0 <= value <= 1.0, (name, key, value)


def test_cli_eval_table_and_compare(tiny_index, tiny_gold, tmp_path):
    out = tmp_path / "old.json"
    assert run_cli("eval", "--gold", str(tiny_gold), "--index-dir", str(tiny_index), "--out", str(out)).exit_code == 0
    old = json.loads(out.read_text())
    first = old["records"][0]["systems"]["hybrid"]["hits"]
    first["first_relevant_rank"] = None if first["first_relevant_rank"] else 1  # crafted: rank changes now
    out.write_text(json.dumps(old))
    result = run_cli("eval", "--gold", str(tiny_gold), "--index-dir", str(tiny_index), "--compare", str(out))
    assert result.exit_code == 0, result.stderr
    assert "Recall@1" in result.stdout and "by question type" in result.stdout
    assert "hybrid: " in result.stdout and "8 unchanged" in result.stdout
    assert "t1" in result.stdout and "first relevant rank" in result.stdout


def test_compare_two_crafted_result_files(tmp_path):
    def results(hits_by_id):
        records = [{"id": qid, "type": "factoid", "systems": {"hybrid": {"hits": hits}}} for qid, hits in hits_by_id.items()]
        return {"systems": {"hybrid": {"overall": {"evidence_hit": 0.5}}}, "records": records}

    base = {"first_relevant_rank": 2, "evidence_hit": False, "f1": 0.3, "recall": 0.5, "abstain_correct": True}
    old = results({"a": base, "b": base, "c": base, "d": base, "gone": base})
    new = results({
        "a": {**base, "evidence_hit": True, "first_relevant_rank": 1},
        "b": {**base, "abstain_correct": False},
        "c": {**base, "first_relevant_rank": None, "evidence_hit": True},
        "d": {**base, "f1": 0.35},
        "fresh": base,
    })
    old_path, new_path = tmp_path / "old.json", tmp_path / "new.json"
    old_path.write_text(json.dumps(old))
    new_path.write_text(json.dumps(new))
    comparison = ev.compare(ev.load_results(old_path), ev.load_results(new_path))
    verdicts = {c.id: c.verdict for c in comparison.changes}
    assert verdicts == {"a": "better", "b": "worse", "c": "mixed"}
    assert "evidence hit gained" in dict((c.id, c.notes) for c in comparison.changes)["a"]
    assert comparison.summary() == "hybrid: 1 better, 1 worse, 1 mixed, 1 unchanged (1 only in new, 1 only in old)"
    with pytest.raises(InputError, match="not an `assistant eval --out` results file"):
        ev.load_results(write_jsonl(tmp_path / "x.json", [{"id": 1}]))


def test_fit_abstention_writes_model_and_reports_cv(tiny_index, tiny_gold, tmp_path, monkeypatch, isolated_abstain):
    from assistant import abstain

    heldout = write_jsonl(tmp_path / "heldout.jsonl", [GOLD[0], GOLD[7]])
    monkeypatch.setattr(ev, "default_heldout", lambda: heldout)
    result = run_cli("eval", "--gold", str(tiny_gold), "--index-dir", str(tiny_index), "--fit-abstention", "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    saved = json.loads(isolated_abstain.read_text())
    assert set(saved["weights"]) == set(abstain.FEATURES)
    assert 0.0 <= saved["threshold"] <= 1.0
    assert saved["cv"]["folds"] == 3 and len(saved["cv"]["thresholds"]) == 3
    assert report["heldout"]["questions"] == 2
    assert saved["dev_in_sample"]["abstain_on_unanswerable"] >= 0.75
    model = abstain.load_model()  # the cache was cleared: the new weights are in use
    assert model.threshold == pytest.approx(saved["threshold"])
    assert model.weights == tuple(saved["weights"][f] for f in abstain.FEATURES)


# -- the real paper ------------------------------------------------------------------------


@pytest.mark.slow
def test_eval_on_the_real_paper_index(paper_index_dir):
    result = run_cli("eval", "--index-dir", str(paper_index_dir), "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["meta"]["questions"] == 141 and data["warnings"] == []
    for name in ev.SYSTEMS:
        overall = data["systems"][name]["overall"]
        assert overall["citation_exact"] == 1.0
        for key in ("recall@1", "recall@10", "mrr@10", "evidence_hit", "token_f1", "token_recall",
                    "answered_on_answerable", "abstain_on_unanswerable"):
            assert 0.0 <= overall[key] <= 1.0, (name, key)
        assert overall["recall@1"] <= overall["recall@5"] <= overall["recall@10"]
    assert data["systems"]["hybrid"]["overall"]["recall@10"] > 0.5
