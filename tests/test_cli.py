"""The command line: the --json contract, batch mode, and one-line errors with exit status 1."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import pytest
from click.testing import CliRunner

from assistant.cli import cli

JSON_KEYS = {"question", "read_as", "answer", "abstained", "confidence", "citations", "passages", "timings_ms"}
CITATION_KEYS = {"n", "chunk_id", "section", "paragraph", "start", "end", "text", "notes", "document", "page",
                 "cut_start", "cut_end"}
PASSAGE_KEYS = {"rank", "chunk_id", "section", "start", "end", "score", "text", "document", "page"}
LAVROV_QUESTION = "Which three goals did Lavrov name for the cooperation format?"


def run(*args, input=None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def assert_one_line_error(result, *fragments):
    assert result.exit_code == 1, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0]
    assert "Traceback" not in result.output
    assert result.stdout == ""


# -- bad input, fast -----------------------------------------------------------------------


@pytest.mark.parametrize("question", ["", "   ", "\t\n"])
def test_empty_question_fails_before_opening_any_index(question, tmp_path):
    result = run("ask", question)
    assert_one_line_error(result, "the question is empty")
    assert not (tmp_path / "home").exists(), "an empty question must not build the default index"


def test_missing_question():
    assert_one_line_error(run("ask"), "give a QUESTION")


def test_question_and_batch_together(tmp_path):
    batch = tmp_path / "q.jsonl"
    batch.write_text('{"question": "x"}\n')
    assert_one_line_error(run("ask", "why?", "--questions", str(batch)), "not both")


def test_missing_index_dir(tmp_path):
    result = run("ask", "What is realism?", "--index-dir", str(tmp_path / "nowhere"))
    assert_one_line_error(result, "no such index directory", "assistant index")


def test_directory_that_is_not_an_index(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert_one_line_error(run("ask", "What is realism?", "--index-dir", str(empty)), "no index here")


def test_damaged_index(tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "manifest.json").write_text("{not json")
    assert_one_line_error(run("ask", "What is realism?", "--index-dir", str(broken)), "manifest.json")


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("binary.txt", b"\x00\x01\x02\x89PNG\x00", "binary"),
        ("latin1.txt", "Café au lait, crème brûlée.".encode("latin-1"), "not valid UTF-8"),
        ("notes.docx", b"PK\x03\x04 a word file", "unsupported file type '.docx'"),
        ("README", b"no extension", "unsupported file type"),
        ("empty.md", b"", "is empty"),
        ("blank.txt", b"  \n\n\t\n", "is empty"),
        ("headings-only.md", b"# Title\n\n## Introduction\n\n## Method\n", "has no body text to answer from"),
        ("broken.pdf", b"%PDF-1.4\nthis is not really a pdf", "cannot read this PDF"),
        ("garbage.pdf", b"garbage", "cannot read this PDF"),
    ],
)
def test_index_refuses_unusable_files(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    result = run("index", str(path), "--index-dir", str(tmp_path / "idx"))
    assert_one_line_error(result, message, name)
    assert not (tmp_path / "idx").exists()


def test_index_missing_file(tmp_path):
    result = run("index", str(tmp_path / "absent.txt"), "--index-dir", str(tmp_path / "idx"))
    assert_one_line_error(result, "no such file")


def test_index_unreadable_file(tmp_path, monkeypatch):
    path = tmp_path / "secret.txt"
    path.write_text("Some text that cannot be read.")
    original = os.open

    def denied(name, *args, **kwargs):
        if pathlib.Path(name) == path:
            raise PermissionError(13, "Permission denied")
        return original(name, *args, **kwargs)

    monkeypatch.setattr(os, "open", denied)
    result = run("index", str(path), "--index-dir", str(tmp_path / "idx"))
    assert_one_line_error(result, "cannot read", "Permission denied")


def test_index_other_document_needs_index_dir(tmp_path):
    path = tmp_path / "doc.md"
    path.write_text("# A\n\nText.\n")
    assert_one_line_error(run("index", str(path)), "--index-dir")


def test_index_refuses_directory_of_other_files(tmp_path):
    path = tmp_path / "doc.md"
    path.write_text("# Otters\n\nOtters eat fish and shellfish.\n")
    target = tmp_path / "photos"
    target.mkdir()
    (target / "holiday.jpg").write_bytes(b"\xff\xd8")
    assert_one_line_error(run("index", str(path), "--index-dir", str(target)), "holds files that are not an index")
    assert (target / "holiday.jpg").exists()


def test_help_and_version():
    result = run("--help")
    assert result.exit_code == 0
    for command in ("ask", "index", "chat"):
        assert command in result.output
    assert run("ask", "--help").output.count("--json") >= 1
    version = run("--version")
    assert version.exit_code == 0 and "version" in version.output


# -- the JSON contract, on the real index ---------------------------------------------------


def check_record(record, source):
    assert set(record) == JSON_KEYS
    assert isinstance(record["abstained"], bool)
    assert 0.0 <= record["confidence"] <= 1.0
    assert isinstance(record["timings_ms"], dict)
    for citation in record["citations"]:
        assert set(citation) == CITATION_KEYS
        assert source[citation["start"] : citation["end"]] == citation["text"]
        for note in citation["notes"]:
            assert set(note) == {"number", "text"}
            assert note["text"] in source
    assert len(record["passages"]) >= 10
    for rank, passage in enumerate(record["passages"], start=1):
        assert set(passage) == PASSAGE_KEYS
        assert passage["rank"] == rank
        assert source[passage["start"] : passage["end"]] == passage["text"]
    if record["abstained"]:
        assert record["answer"] == "" and record["citations"] == []
    else:
        assert record["answer"] and record["citations"]


@pytest.fixture(scope="module")
def index_source(paper_index_dir):
    return (paper_index_dir / "current" / "source.txt").read_bytes().decode("utf-8")


@pytest.mark.slow
def test_ask_json_contract(paper_index_dir, index_source):
    result = run("ask", "--index-dir", str(paper_index_dir), LAVROV_QUESTION, "--json")
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    check_record(record, index_source)
    assert record["question"] == LAVROV_QUESTION
    last = record["citations"][-1]
    assert last["text"].startswith("3) Political dialogue")
    assert [n["number"] for n in last["notes"]] == [36]
    assert last["notes"][0]["text"].startswith("Sergy Lavrov. 2018. Astana format")


@pytest.mark.slow
def test_ask_json_abstained(paper_index_dir, index_source):
    result = run("ask", "--index-dir", str(paper_index_dir), "How tall is Mount Everest?", "--json")
    record = json.loads(result.stdout)
    check_record(record, index_source)
    assert record["abstained"] is True


@pytest.mark.parametrize("args, message", [
    (("ask", "x?", "--k", "0"), "error: Invalid value for '--k': 0 is not in the range 1<=x<=100. (see: assistant ask --help)"),
    (("eval", "--k", "5"), "error: No such option '--k'. (see: assistant eval --help)"),
    (("no-such-command",), "error: No such command 'no-such-command'. (see: assistant --help)"),
])
def test_a_usage_error_is_one_line_with_status_2(args, message):
    result = CliRunner().invoke(cli, list(args), prog_name="assistant")
    assert result.exit_code == 2 and result.stderr == message + "\n" and result.stdout == ""


def test_help_and_version_still_exit_0():
    for args in (("--help",), ("ask", "--help"), ("--version",)):
        result = CliRunner().invoke(cli, list(args), prog_name="assistant")
        assert result.exit_code == 0 and result.stdout and result.stderr == ""


@pytest.mark.slow
def test_ask_k(paper_index_dir, index_source):
    result = run("ask", "--index-dir", str(paper_index_dir), "What is realism?", "--json", "--k", "12")
    assert len(json.loads(result.stdout)["passages"]) == 12
    assert run("ask", "--index-dir", str(paper_index_dir), "x?", "--k", "0").exit_code == 2


@pytest.mark.slow
def test_ask_plain_output(paper_index_dir):
    result = run("ask", "--index-dir", str(paper_index_dir), "What makes Russia a valuable partner in regional conflicts?")
    assert result.exit_code == 0
    flat = " ".join(result.stdout.split())
    assert "valuable partner" in flat and "[1]" in flat
    assert "Christian Makarian" in flat  # the cited note is shown


BATCH = [
    {"id": "q-lavrov", "question": LAVROV_QUESTION},
    {"id": 7, "question": "How tall is Mount Everest?"},
    {"question": "What is the Al-Quds Force providing in Syria?"},
    {"id": "empty", "question": "  "},
]


def check_batch_output(stdout, source):
    lines = stdout.strip().splitlines()
    assert len(lines) == len(BATCH)
    records = [json.loads(line) for line in lines]
    assert [r["id"] for r in records] == ["q-lavrov", 7, 3, "empty"]
    for record in records[:3]:
        check_record({k: v for k, v in record.items() if k != "id"}, source)
    assert records[1]["abstained"] is True
    assert records[3]["error"].startswith("the question is empty") and "answer" not in records[3]
    assert records[3]["line"] == 4 and records[3]["question"] == "  "


def check_batch_errors(stderr):
    """The refused line is said on stderr with its number, as a malformed line is (exit status 1)."""
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and errors[0].startswith("error: --questions line 4: the question is empty")


@pytest.mark.slow
def test_batch_from_file(paper_index_dir, index_source, tmp_path):
    batch = tmp_path / "questions.jsonl"
    batch.write_text("\n".join(json.dumps(item) for item in BATCH) + "\n\n", encoding="utf-8")
    result = run("ask", "--index-dir", str(paper_index_dir), "--questions", str(batch), "--json")
    assert result.exit_code == 1, result.output  # the empty question is a bad line; the others are answered
    check_batch_output(result.stdout, index_source)
    check_batch_errors(result.stderr)


@pytest.mark.slow
def test_batch_from_stdin(paper_index_dir, index_source):
    text = "\n".join(json.dumps(item) for item in BATCH) + "\n"
    result = run("ask", "--index-dir", str(paper_index_dir), "--questions", "-", "--json", input=text)
    assert result.exit_code == 1, result.output
    check_batch_output(result.stdout, index_source)
    check_batch_errors(result.stderr)


@pytest.mark.slow
@pytest.mark.parametrize("line", ["not json", '["a list"]', '{"id": 1}', '{"question": 5}'])
def test_batch_bad_line(paper_index_dir, line):
    result = run("ask", "--index-dir", str(paper_index_dir), "--questions", "-", "--json", input=line + "\n")
    assert result.exit_code == 1 and "Traceback" not in result.output
    errors = result.stderr.splitlines()
    assert len(errors) == 1 and errors[0].startswith("error: --questions line 1: ")
    assert json.loads(result.stdout) == {"id": None, "line": 1, "error": errors[0].split(": ", 2)[2]}


@pytest.mark.parametrize("raw, context, error", [
    ('{"id": 2, "question": "Why?", "context": 1}', 1, ""),
    ('{"id": "b", "question": "And Russia?", "context": "a"}', "a", ""),
    ('{"id": 2, "question": "Why?", "context": true}', None, '"context" must be the id of an earlier line'),
    ('{"id": 2, "question": "Why?", "context": ["a"]}', None, '"context" must be the id of an earlier line'),
])
def test_a_batch_line_may_name_the_line_it_follows_up(raw, context, error):
    from assistant.batch import parse_line

    line = parse_line(3, raw.encode())
    assert line.context == context and line.error.startswith(error) and bool(line.error) == bool(error)


@pytest.mark.slow
def test_batch_follow_ups_are_asked_as_the_chat_asks_them(paper_index_dir, index_source):
    lines = [{"id": "goals", "question": "What are Iran's goals in the Middle East?"},
             {"id": "russia", "question": "And what about Russia?", "context": "goals"},
             {"id": "more", "question": "Tell me more.", "context": "russia"},
             {"id": "lost", "question": "Why?", "context": "nowhere"}]
    text = "\n".join(json.dumps(item) for item in lines) + "\n"
    result = run("ask", "--index-dir", str(paper_index_dir), "--questions", "-", "--json", input=text)
    assert result.exit_code == 1 and "Traceback" not in result.output  # the last line names no earlier line
    goals, russia, more, lost = (json.loads(line) for line in result.stdout.splitlines())
    assert "context" not in goals and russia["context"] == "What are Russia's goals in the Middle East?"
    assert "Russia" in russia["answer"]
    spans = lambda record: {(c["start"], c["end"]) for c in record["citations"]}
    assert more["citations"] and not spans(more) & spans(russia)  # more: what was not shown yet
    for record in (goals, russia, more):
        check_record({k: v for k, v in record.items() if k not in ("id", "context")}, index_source)
    assert lost == {"id": "lost", "line": 4, "question": "Why?",
                    "error": '"context" "nowhere" is not the id of an earlier answered line'}


# -- end to end, in a fresh process -----------------------------------------------------------


def subprocess_env(tmp_path):
    return {**os.environ, "ASSISTANT_HOME": str(tmp_path / "home"), "PYTHONIOENCODING": "utf-8"}


@pytest.mark.slow
def test_module_entry_point_end_to_end(paper_index_dir, index_source, tmp_path):
    command = [sys.executable, "-m", "assistant", "ask", "--index-dir", str(paper_index_dir), LAVROV_QUESTION, "--json"]
    done = subprocess.run(command, capture_output=True, text=True, env=subprocess_env(tmp_path), timeout=120)
    assert done.returncode == 0, done.stderr
    check_record(json.loads(done.stdout), index_source)
    assert "Traceback" not in done.stderr


@pytest.mark.slow
@pytest.mark.parametrize("lines", ["", "\n\n", '{"id": "a", "question": ""}\n{"id": "b", "question": "???"}\n', "\xff\xfe\n"],
                         ids=["empty", "blank lines", "refused questions", "not utf-8"])
def test_a_batch_with_nothing_to_ask_is_an_error_not_a_crash(paper_index_dir, tmp_path, lines):
    """Nothing to answer: one error line per bad line (or one for an empty file), exit status 1, and
    no index or model opened, so no background load can be cut short at exit (it aborted the
    process, exit 134, nine runs in ten)."""
    batch = tmp_path / "batch.jsonl"
    batch.write_bytes(lines.encode("latin-1"))
    command = [sys.executable, "-m", "assistant", "ask", "--index-dir", str(paper_index_dir), "--questions", str(batch), "--json"]
    for _ in range(3):
        done = subprocess.run(command, capture_output=True, text=True, env=subprocess_env(tmp_path), timeout=120)
        assert done.returncode == 1, done.stderr
        errors = done.stderr.splitlines()
        assert errors and all(line.startswith("error: --questions ") for line in errors), done.stderr
        assert "terminate called" not in done.stderr and "Traceback" not in done.stderr


@pytest.mark.slow
def test_console_script_errors_end_to_end(paper_index_dir, tmp_path):
    script = pathlib.Path(sys.executable).with_name("assistant")
    assert script.exists()
    env = subprocess_env(tmp_path)
    for args, fragment in [
        (["ask", ""], "the question is empty"),
        (["ask", "Why?", "--index-dir", str(tmp_path / "nowhere")], "no such index directory"),
    ]:
        done = subprocess.run([str(script), *args], capture_output=True, text=True, env=env, timeout=120)
        assert done.returncode == 1
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("error: ") and fragment in lines[0], done.stderr
        assert done.stdout == ""


@pytest.mark.slow
def test_answering_never_imports_torch(paper_index_dir, tmp_path):
    code = (
        "import sys\n"
        "from assistant.cli import cli\n"
        f"cli.main(['ask', '--index-dir', {str(paper_index_dir)!r}, 'What is realism?', '--json'], standalone_mode=False)\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
        "assert 'sentence_transformers' not in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=subprocess_env(tmp_path),
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["passages"]
