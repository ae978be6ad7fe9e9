"""The CLI as a newcomer meets it: --passages, honest help texts, the question limit, eval's legend.

A small document indexed with the hashing encoder keeps these fast.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from assistant.cli import EVAL_LEGEND, cli
from test_app import SMALL



@pytest.fixture
def small_index(tmp_path, monkeypatch, fake_encoder):
    from assistant import encoder
    from assistant.index import build_index

    source = tmp_path / "small.txt"
    source.write_text(SMALL, encoding="utf-8")
    build_index(source, tmp_path / "idx", encoder=fake_encoder)
    monkeypatch.setattr(encoder, "OnnxEncoder", lambda: fake_encoder)
    return tmp_path / "idx"


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def one_line(text: str) -> str:
    return " ".join(text.split())


def test_passages_shows_the_top_k_in_plain_output(small_index):
    question = "Where is the naval base of Russia?"
    plain = run("ask", question, "--index-dir", str(small_index), "--k", "2")
    assert plain.exit_code == 0 and "Top " not in plain.stdout
    listed = run("ask", question, "--index-dir", str(small_index), "--k", "2", "--passages")
    assert listed.exit_code == 0, listed.output
    assert "Top 2 passages:" in listed.stdout and "#1 · score" in listed.stdout and "#2 · score" in listed.stdout
    assert "#3 · score" not in listed.stdout
    record = json.loads(run("ask", question, "--index-dir", str(small_index), "--k", "2", "--json").stdout)
    for passage in record["passages"]:
        assert f"chars {passage['start']}-{passage['end']}" in listed.stdout


def test_a_question_of_exactly_the_limit_is_asked(small_index):
    from assistant.engine import MAX_QUESTION_CHARS

    longest = ("Where is the naval base of Russia? " * 100)[:MAX_QUESTION_CHARS]
    assert run("ask", longest, "--index-dir", str(small_index), "--json").exit_code == 0
    result = run("ask", longest + "x", "--index-dir", str(small_index))
    assert result.exit_code == 1
    assert result.stderr == "error: the question is 2,001 characters long; the limit is 2,000\n"


def test_help_texts_say_only_what_is_true():
    index_help = one_line(run("index", "--help").stdout)
    assert "built on first use" not in index_help and "required with a PATH" in index_help
    ask_help = one_line(run("ask", "--help").stdout)
    assert "--passages" in ask_help and "listed under the answer with --passages" in ask_help
    eval_help = one_line(run("eval", "--help").stdout)
    assert "Normans" not in eval_help and "squad/" not in eval_help
    assert "to --out (never into the package" in eval_help


def write_gold(tmp_path):
    gold = tmp_path / "gold.jsonl"
    items = [
        {"id": "a1", "question": "Where does Russia keep a naval base?", "answer": "Tartus",
         "evidence": ["Russia wants to keep its naval base at Tartus in Syria."], "type": "factoid"},
        {"id": "a2", "question": "Whom does Iran support?", "answer": "Syria's government",
         "evidence": ["Iran supports the government of Syria."], "type": "factoid"},
        {"id": "u1", "question": "How many tanks does Egypt have?", "answer": "", "evidence": [], "type": "unanswerable"},
    ]
    gold.write_text("".join(json.dumps(item) + "\n" for item in items), encoding="utf-8")
    return gold


def test_eval_prints_a_legend_of_its_terms(small_index, tmp_path):
    result = run("eval", "--gold", str(write_gold(tmp_path)), "--index-dir", str(small_index))
    assert result.exit_code == 0, result.output
    assert one_line(EVAL_LEGEND) in one_line(result.stdout)
    for term in ("hybrid", "MRR@10", "evidence hit"):
        assert term in EVAL_LEGEND


def test_eval_from_a_pipe_says_how_far_it_is(small_index, tmp_path, monkeypatch):
    from assistant.cli import _progress

    monkeypatch.setattr(_progress, "quiet", 0.0)  # these three questions take less than the silent first second
    result = run("eval", "--gold", str(write_gold(tmp_path)), "--index-dir", str(small_index))
    assert result.exit_code == 0, result.output
    for system in ("hybrid", "bm25", "dense"):
        assert f"asking ({system}): " in result.stderr, system
