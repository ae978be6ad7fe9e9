"""Output files: a command replaces only a file it wrote itself, never a user's file (results.Output)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant import abstain_fit, fit_confidence, fit_joining, fit_ranker, results
from assistant.errors import InputError
from assistant.results import EVAL_RESULTS, Output, check_output_path, write_json_atomic, write_text_atomic

PACKAGE = Path(results.__file__).parent
MODEL = Output("a test model", (frozenset({"format", "coef"}), frozenset({"variants"})))
LINES = Output("test lines", (frozenset({"id", "x"}),), lines=True)


@pytest.mark.parametrize("content", [
    b"my notes\n",                         # not JSON
    b"[1, 2, 3]",                          # JSON, not an object
    b'{"format": 1}',                      # an object without every key of a shape
    b'{"coef": [1], "other": 2}',
    b"\xff\xfe{}",                         # not UTF-8
    b"",                                   # empty
])
def test_a_file_the_command_did_not_write_is_refused_and_kept(tmp_path, content):
    target = tmp_path / "out.json"
    target.write_bytes(content)
    with pytest.raises(InputError, match="exists and is not a test model; --out replaces only such a file"):
        write_json_atomic(target, {"format": 2, "coef": [0.5]}, MODEL)
    assert target.read_bytes() == content
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]  # no temporary file left


@pytest.mark.parametrize("earlier", [{"format": 1, "coef": [1.0], "extra": True}, {"variants": {}}])
def test_the_commands_own_earlier_output_is_replaced(tmp_path, earlier):
    target = tmp_path / "out.json"
    target.write_text(json.dumps(earlier), encoding="utf-8")
    write_json_atomic(target, {"format": 2, "coef": [0.5]}, MODEL)
    assert json.loads(target.read_text(encoding="utf-8")) == {"format": 2, "coef": [0.5]}


def test_a_new_path_is_written(tmp_path):
    write_json_atomic(tmp_path / "out.json", {"format": 2, "coef": []}, MODEL)
    assert json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))["format"] == 2


def test_a_missing_folder_is_refused_not_created(tmp_path):
    target = tmp_path / "no-such-folder" / "deeper" / "out.json"
    with pytest.raises(InputError, match="deeper does not exist; --out writes into an existing folder"):
        write_json_atomic(target, {"format": 2, "coef": [0.5]}, MODEL)
    assert list(tmp_path.iterdir()) == []


def test_json_lines_are_recognised_by_their_first_line(tmp_path):
    ours, theirs = tmp_path / "ours.jsonl", tmp_path / "theirs.jsonl"
    ours.write_text('{"id": 1, "x": 2}\nnot json at all\n', encoding="utf-8")
    theirs.write_text('{"id": 1}\n{"id": 2, "x": 3}\n', encoding="utf-8")
    write_text_atomic(ours, '{"id": 9, "x": 9}\n', LINES, "--details")
    assert ours.read_text(encoding="utf-8") == '{"id": 9, "x": 9}\n'
    with pytest.raises(InputError, match=r"theirs.jsonl exists and is not test lines; --details replaces"):
        write_text_atomic(theirs, "", LINES, "--details")
    assert theirs.read_text(encoding="utf-8") == '{"id": 1}\n{"id": 2, "x": 3}\n'


def test_a_file_too_big_to_be_ours_is_refused_unread(tmp_path, monkeypatch):
    monkeypatch.setattr(results, "MAX_OWN_BYTES", 64)
    target = tmp_path / "big.json"
    target.write_text(json.dumps({"format": 1, "coef": [0.0] * 100}), encoding="utf-8")
    with pytest.raises(InputError, match="exists and is not a test model"):
        check_output_path(target, MODEL)


def test_the_shipped_models_are_what_their_fit_commands_replace():
    # the documented refits (CONTRIBUTING) write over these files: each must be recognised as its command's own
    assert fit_ranker.RANKER_OUTPUT.written_by_us(PACKAGE / "ranker.json")
    assert fit_joining.JOINING_OUTPUT.written_by_us(PACKAGE / "joining.json")
    assert fit_confidence.CONFIDENCE_OUTPUT.written_by_us(PACKAGE / "confidence.json")
    # ...and none of them is taken for another command's output
    assert not fit_ranker.RANKER_OUTPUT.written_by_us(PACKAGE / "confidence.json")
    assert not fit_confidence.CONFIDENCE_OUTPUT.written_by_us(PACKAGE / "ranker.json")
    assert not EVAL_RESULTS.written_by_us(PACKAGE / "abstain.json")


@pytest.mark.parametrize("command, argv", [
    (fit_ranker.main, ["--out", "{user}"]),
    (fit_ranker.main, ["--out", "{new}", "--save-examples", "{user}"]),
    (fit_joining.main, ["--out", "{user}"]),
    (fit_confidence.main, ["--out", "{user}"]),
    (fit_confidence.main, ["--out", "{new}", "--report", "{user}"]),
    (abstain_fit.main, ["--report", "{user}"]),
])
def test_fit_commands_refuse_a_users_file_before_fitting(tmp_path, capsys, command, argv):
    user = tmp_path / "notes.txt"
    user.write_text("my notes\n", encoding="utf-8")
    argv = [a.format(user=user, new=tmp_path / "new.json") for a in argv]
    assert command([*argv, "--cache", str(tmp_path / "no-cache")]) == 1
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and error[0].startswith(f"error: {user} exists and is not "), error
    assert user.read_text(encoding="utf-8") == "my notes\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]  # nothing fitted, nothing written


@pytest.mark.parametrize("name", ["notes.npz", "notes"])  # np.savez adds ".npz": the file it would write
def test_the_passage_dump_bench_never_replaces_a_file(tmp_path, name):
    import os
    import subprocess
    import sys

    root = PACKAGE.parent
    target = tmp_path / "notes.npz"
    target.write_bytes(b"my notes\n")
    run = subprocess.run([sys.executable, str(root / "bench" / "passage_features.py"), "--out", str(tmp_path / name)],
                         capture_output=True, text=True, cwd=root, timeout=60, env={**os.environ, "PYTHONPATH": str(root)})
    assert run.returncode != 0 and "exists; choose a new --out" in run.stderr
    assert target.read_bytes() == b"my notes\n" and sorted(p.name for p in tmp_path.iterdir()) == ["notes.npz"]


def test_the_pdf_sentences_bench_never_saves_over_a_users_file(tmp_path):
    import os
    import subprocess
    import sys

    root = PACKAGE.parent
    mine = tmp_path / "figures.json"
    mine.write_text('{"mine": 1}\n')
    run = subprocess.run([sys.executable, str(root / "bench" / "pdf_sentences.py"), "--save", str(mine)],
                         capture_output=True, text=True, cwd=root, timeout=60, env={**os.environ, "PYTHONPATH": str(root)})
    assert run.returncode != 0 and run.stderr.strip().startswith("error:") and len(run.stderr.strip().splitlines()) == 1
    assert mine.read_text() == '{"mine": 1}\n' and sorted(p.name for p in tmp_path.iterdir()) == ["figures.json"]
