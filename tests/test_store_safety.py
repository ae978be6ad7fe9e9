"""The index store is safe: it never deletes or changes what it did not write, and every fault
of the disk, the model cache, permissions or memory ends in one `error:` line, never a traceback.

One table of cases (issue 9, items 1, 6, 7 and 9). Each case arranges files in a fresh folder
(the "world"), runs the CLI (in-process, or in a subprocess when it needs resource limits or
dropped privileges), and asserts the exit status, the one-line message, and that nothing in the
world changed except the paths the case lets the tool write (snapshots of types, modes, contents
and link targets). Builds use the hashing encoder; cases that need the real model are slow.
"""

from __future__ import annotations

import fnmatch
import functools
import hashlib
import json
import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest
from click.testing import CliRunner

from assistant import encoder as enc
from assistant import index as store
from assistant import paths, storage
from assistant.encoder import HashingEncoder
from assistant.errors import InputError
from test_hardening import DOC, DOC_V2  # the small two-section paper those tests build

INDEX_ERROR = "holds files that are not an index; choose an empty or new folder"
IS_ROOT = os.geteuid() == 0


# -- the world: files a user owns, snapshotted before and after -------------------------------


def put(path: Path, data: str | bytes = "precious\n", mode: int | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    if mode is not None:
        path.chmod(mode)
    return path


def built(folder: Path, text: str = DOC) -> Path:
    """A real index of ``text`` in ``folder``, built with the hashing encoder."""
    source = put(folder.parent / f".{folder.name}-source.txt", text)
    store.build_index(source, folder, encoder=HashingEncoder())
    source.unlink()
    return folder


def flat_index(folder: Path, extra: dict[str, str] | None = None) -> Path:
    """An index in the flat layout of format 5 and older releases: files directly in the folder."""
    files = {"source.txt": DOC, "document.json": "{}", "chunks.faiss": "x", "bm25-chunks/params.index.json": "{}"}
    for name, text in files.items():
        put(folder / name, text)
    listing = {name: hashlib.sha256(text.encode()).hexdigest() for name, text in files.items()}
    put(folder / store.MANIFEST, json.dumps({  # as the releases of that layout wrote it (storage._flat_files)
        "format_version": 5, "model": {"name": enc.MODEL_NAME, "weights_sha256": enc.WEIGHTS_SHA256},
        "source": {"file": "paper.txt", "sha256": listing["source.txt"], "chars": len(DOC)}, "files": listing}))
    for name, text in (extra or {}).items():
        put(folder / name, text)
    return folder


def foreign_manifest(folder: Path, files: dict[str, str]) -> Path:
    """A folder of the user's files with another program's manifest.json: a format number and the
    files' checksums, as data-pipeline tools write them."""
    for name, text in files.items():
        put(folder / name, text)
    listing = {name: hashlib.sha256(text.encode()).hexdigest() for name, text in files.items()}
    put(folder / store.MANIFEST, json.dumps({"format_version": 3, "files": listing}))
    return folder


def _relist(folder: Path, name: str, text: str) -> None:
    """Add ``name`` (with ``text``'s checksum) to the files a flat index's manifest lists."""
    manifest = json.loads((folder / store.MANIFEST).read_text(encoding="utf-8"))
    manifest["files"][name] = hashlib.sha256(text.encode()).hexdigest()
    (folder / store.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")


def snapshot(root: Path) -> dict[str, tuple]:
    """Every path under ``root`` (and ``root`` itself) with its type, mode and contents or target."""
    seen = {".": ("dir", stat.S_IMODE(root.lstat().st_mode))} if root.exists() else {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder) / name
            info = path.lstat()
            relative = str(path.relative_to(root))
            if stat.S_ISLNK(info.st_mode):
                seen[relative] = ("link", os.readlink(path))
            elif stat.S_ISDIR(info.st_mode):
                seen[relative] = ("dir", stat.S_IMODE(info.st_mode))
            else:
                seen[relative] = ("file", stat.S_IMODE(info.st_mode), _digest(path))
    return seen


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except PermissionError:
        return None


def root_entries() -> list[str]:
    return sorted(os.listdir("/"))


# -- the cases ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One run of the CLI. ``arrange(world)`` makes the files and returns the arguments;
    ``message`` is a fragment of the single `error:` line ("" for a run that must succeed);
    ``changes`` are glob patterns (relative to the world) the run may create, change or remove;
    ``check(world)`` asserts anything else; ``run`` is "cli" (in-process) or "subprocess";
    ``fsize``/``memory`` are resource limits in bytes; ``unprivileged`` drops root's override of
    file modes; ``real_model`` builds with the real model, ``onnx`` answers with the real ONNX
    encoder (exported into the case's model cache); otherwise both are the hashing encoder."""

    arrange: Callable[[Path], list[str]]
    message: str = ""
    changes: tuple[str, ...] = ()
    check: Callable[[Path], None] | None = None
    run: str = "cli"
    env: dict[str, str] = field(default_factory=dict)
    fsize: int | None = None
    memory: int | None = None
    unprivileged: bool = False
    real_model: bool = False
    onnx: bool = False
    slow: bool = False


def index_args(*documents: str, into: str = "idx") -> Callable[[Path], list[str]]:
    """Arguments of `assistant index DOC... --index-dir WORLD/into` (documents written by the case)."""

    def arrange(world: Path) -> list[str]:
        return ["index", *(str(world / d) for d in documents), "--index-dir", str(world / into)]

    return arrange


def with_files(setup: Callable[[Path], object], then: Callable[[Path], list[str]]) -> Callable[[Path], list[str]]:
    def arrange(world: Path) -> list[str]:
        setup(world)
        return then(world)

    return arrange


def doc_and(setup: Callable[[Path], object], *, into: str = "idx", text: str = DOC) -> Callable[[Path], list[str]]:
    """A document `doc.txt`, whatever ``setup`` makes, and `assistant index doc.txt --index-dir into`."""
    return with_files(lambda w: (put(w / "doc.txt", text), setup(w)), index_args("doc.txt", into=into))


def ask(into: str = "idx") -> Callable[[Path], list[str]]:
    return lambda world: ["ask", "What did Russia oppose?", "--index-dir", str(world / into)]


NEW_VERSION = ("idx", "idx/current", "idx/v-*")  # what a successful build of WORLD/idx may write


def sound(folder: str, text: str = DOC) -> Callable[[Path], None]:
    def check(world: Path) -> None:
        assert store.problems(world / folder) == []
        assert store.load_index(world / folder).document.source == text

    return check


def mode_is(folder: str, mode: int) -> Callable[[Path], None]:
    def check(world: Path) -> None:
        assert stat.S_IMODE((world / folder).stat().st_mode) == mode
        sound(folder, DOC_V2)(world)

    return check


def absent(*names: str) -> Callable[[Path], None]:
    def check(world: Path) -> None:
        assert not [n for n in names if (world / n).exists() or (world / n).is_symlink()]

    return check


def kept(name: str, text: str | None = None) -> Callable[[Path], None]:
    def check(world: Path) -> None:
        assert (world / name).is_file()
        assert text is None or (world / name).read_text(encoding="utf-8") == text

    return check


def both(*checks: Callable[[Path], None]) -> Callable[[Path], None]:
    def check(world: Path) -> None:
        for one in checks:
            one(world)

    return check


def chmod(path: str, mode: int) -> Callable[[Path], object]:
    return lambda world: (world / path).chmod(mode)


def current_file(name: str) -> str:
    return f"idx/current/{name}"


CASES: dict[str, Case] = {
    # item 1: a folder that is not the tool's is never replaced, whatever its files are called
    "dataset files": Case(doc_and(lambda w: (put(w / "idx/train.jsonl"), put(w / "idx/dev.jsonl"))), INDEX_ERROR),
    "experiments sub-folder": Case(doc_and(lambda w: put(w / "idx/bm25-experiments/run1.npy")), INDEX_ERROR),
    "a user's file named like an index file": Case(doc_and(lambda w: put(w / "idx/chunks.faiss")), INDEX_ERROR),
    "a manifest without a format field": Case(
        doc_and(lambda w: (put(w / "idx/manifest.json", '{"files": {}}'), put(w / "idx/data.jsonl"))), INDEX_ERROR),
    "a manifest that is not JSON": Case(doc_and(lambda w: put(w / "idx/manifest.json", "{not json")), INDEX_ERROR),
    "a user's file beside an index": Case(doc_and(lambda w: (built(w / "idx"), put(w / "idx/notes.txt"))), INDEX_ERROR),
    "a user's file inside the current version": Case(
        doc_and(lambda w: (built(w / "idx"), put(w / current_file("mine.txt")))), INDEX_ERROR),
    "a user's file inside a BM25 folder": Case(
        doc_and(lambda w: (built(w / "idx"), put(w / current_file("bm25-chunks/mine.npy")))), INDEX_ERROR),
    "a user's folder named like a version": Case(
        doc_and(lambda w: (built(w / "idx"), put(w / "idx/v-20260101T000000-abcdef/thesis.txt"))), INDEX_ERROR),
    "a user's link named current": Case(
        doc_and(lambda w: (put(w / "elsewhere/thesis.txt"), (w / "idx").mkdir(), (w / "idx/current").symlink_to(w / "elsewhere"))),
        INDEX_ERROR),
    "a symlink in a flat index's folder": Case(
        doc_and(lambda w: (flat_index(w / "idx"), (w / "idx/chunks.jsonl").symlink_to(put(w / "mine.jsonl")))), INDEX_ERROR),
    "a user's file beside a flat index": Case(doc_and(lambda w: flat_index(w / "idx", {"train.jsonl": "precious"})), INDEX_ERROR),
    "the home folder": Case(doc_and(lambda w: (put(w / "home/.bashrc"), put(w / "home/Documents/thesis.txt")), into="home"),
                            INDEX_ERROR),
    "a folder linked to a user's folder": Case(
        doc_and(lambda w: (put(w / "real/thesis.txt"), (w / "idx").symlink_to(w / "real"))), INDEX_ERROR),
    "a path through a file": Case(doc_and(lambda w: put(w / "notes.txt"), into="notes.txt/idx"),
                                  "cannot create the index folder (Not a directory)"),
    "the filesystem root": Case(
        with_files(lambda w: put(w / "doc.txt", DOC), lambda w: ["index", str(w / "doc.txt"), "--index-dir", "/"]),
        "/ is a filesystem root, not a place for an index; choose an empty or new folder"),
    # item 1: what the tool replaces, it replaces in place; only its own leftovers are removed
    "an empty folder keeps its mode": Case(
        doc_and(lambda w: (w / "idx").mkdir(mode=0o750), text=DOC_V2), changes=NEW_VERSION, check=mode_is("idx", 0o750)),
    "a rebuilt index keeps its folder's mode": Case(
        doc_and(lambda w: (built(w / "idx"), (w / "idx").chmod(0o755)), text=DOC_V2), changes=NEW_VERSION,
        check=mode_is("idx", 0o755)),
    "a user's folder named like a leftover": Case(
        doc_and(lambda w: (put(w / ".idx.old-mine/thesis.txt"), put(w / ".idx.tmp-x/draft.txt"))), changes=NEW_VERSION,
        check=sound("idx")),
    "an index of the flat layout is replaced": Case(
        doc_and(lambda w: flat_index(w / "idx")), changes=(*NEW_VERSION, "idx/*"),
        check=both(sound("idx"), absent("idx/source.txt", "idx/manifest.json", "idx/bm25-chunks"))),
    "a changed file of a flat index is kept, with its manifest": Case(
        doc_and(lambda w: (flat_index(w / "idx"), put(w / "idx/source.txt", "my own edits"))), changes=(*NEW_VERSION, "idx/*"),
        check=both(sound("idx"), absent("idx/document.json", "idx/bm25-chunks"), kept("idx/source.txt", "my own edits"),
                   kept("idx/manifest.json"))),
    "a flat index beside the target is never touched": Case(  # a name does not show who made a folder
        doc_and(lambda w: flat_index(w / ".idx.old-abc123")), changes=NEW_VERSION,
        check=both(sound("idx"), kept(".idx.old-abc123/source.txt", DOC))),
    "another program's manifest listing the user's files": Case(
        doc_and(lambda w: foreign_manifest(w / "idx", {"data.csv": "1,2\n", "sub/notes.txt": "n\n"})), INDEX_ERROR),
    "another program's manifest beside the target": Case(
        doc_and(lambda w: foreign_manifest(w / ".idx.old-2023", {"data.csv": "backup\n"})), changes=NEW_VERSION,
        check=both(sound("idx"), kept(".idx.old-2023/data.csv", "backup\n"), kept(".idx.old-2023/manifest.json"))),
    "a flat manifest that lists a file through a link out of the folder": Case(
        doc_and(lambda w: (flat_index(w / "idx"), put(w / "elsewhere/chunks.faiss", "x"),
                           _relist(w / "idx", "bm25-out/chunks.faiss", "x"), (w / "idx/bm25-out").symlink_to(w / "elsewhere"))),
        INDEX_ERROR),
    "a killed build's folder is removed by the next build": Case(
        doc_and(lambda w: (built(w / "idx"), put(w / "idx/v-20260101T000000-abcdef" / storage.MARKER),
                           put(w / "idx/v-20260101T000000-abcdef/chunks.faiss", b"\x00half"))), changes=NEW_VERSION,
        check=both(sound("idx"), absent("idx/v-20260101T000000-abcdef"))),
    # item 9: two documents never share a folder
    "two documents with one name": Case(
        with_files(lambda w: (put(w / "a/doc.txt", DOC), put(w / "b/doc.txt", DOC_V2)), index_args("a/doc.txt", "b/doc.txt")),
        "would both be indexed into"),
    "two documents with one stem": Case(
        with_files(lambda w: (put(w / "doc.txt", DOC), put(w / "doc.md", DOC_V2)), index_args("doc.txt", "doc.md")),
        "would both be indexed into"),
    "a document named only dots": Case(
        with_files(lambda w: (put(w / "...txt", DOC), put(w / "b.txt", DOC_V2)), index_args("...txt", "b.txt", into="parent/idx")),
        "...txt: its name gives no folder name to index it into"),
    "a document named with one dot": Case(
        with_files(lambda w: (put(w / "..txt", DOC), put(w / "b.txt", DOC_V2)), index_args("..txt", "b.txt")),
        "..txt: its name gives no folder name to index it into"),
    "two documents with different stems": Case(
        with_files(lambda w: (put(w / "doc.txt", DOC), put(w / "other.md", DOC_V2)), index_args("doc.txt", "other.md")),
        changes=("idx", "idx/doc", "idx/doc/*", "idx/other", "idx/other/*"),
        check=both(sound("idx/doc"), sound("idx/other", DOC_V2))),
    # bad input writes nothing at all: no folder, no lock file
    "a binary document into a new folder": Case(
        with_files(lambda w: put(w / "doc.txt", bytes(range(256)) * 4), index_args("doc.txt", into="new/idx")),
        "looks like a binary file", check=absent("new")),
    "a bad document keeps the index": Case(
        with_files(lambda w: (built(w / "idx"), put(w / "doc.txt", b"")), index_args("doc.txt")), "is empty",
        check=sound("idx")),
    # item 7: faults of the disk, permissions, the model cache and memory
    "disk full inside the FAISS write": Case(
        doc_and(lambda w: built(w / "idx"), text=DOC_V2 * 3), "cannot write the index (File too large)", run="subprocess", fsize=12_000,
        check=sound("idx")),
    "disk full inside the JSON writes": Case(
        doc_and(lambda w: built(w / "idx"), text=DOC_V2 * 3), "cannot write the index (File too large)", run="subprocess", fsize=600,
        check=sound("idx")),
    "an unreadable index file": Case(
        with_files(lambda w: (built(w / "idx"), chmod(current_file("chunks.faiss"), 0)(w)), ask()),
        "unreadable file chunks.faiss (Permission denied)", run="subprocess", unprivileged=True),
    "an unreadable manifest": Case(
        with_files(lambda w: (built(w / "idx"), chmod(current_file("manifest.json"), 0)(w)), ask()),
        "unreadable manifest.json (Permission denied)", run="subprocess", unprivileged=True),
    "a read-only index folder": Case(
        doc_and(lambda w: (built(w / "idx"), (w / "idx").chmod(0o555)), text=DOC_V2), "cannot write the index (Permission denied)",
        run="subprocess", unprivileged=True, check=sound("idx")),
    "a new index in a read-only folder": Case(
        doc_and(lambda w: (w / "ro").mkdir(mode=0o555), into="ro/idx"), "cannot create the index folder (Permission denied)",
        run="subprocess", unprivileged=True),
    "the model cache is a file": Case(
        with_files(lambda w: (built(w / "idx"), put(w / "cache")), ask()), "is a file, not a folder; set ASSISTANT_MODEL_CACHE",
        env={"ASSISTANT_MODEL_CACHE": "{world}/cache"}, onnx=True),
    "the model cache is read-only": Case(
        with_files(lambda w: (built(w / "idx"), (w / "cache").mkdir(mode=0o555)), ask()),
        "cannot write the model export to", run="subprocess", unprivileged=True, env={"ASSISTANT_MODEL_CACHE": "{world}/cache"},
        onnx=True),
    "the model cache's disk is full": Case(
        with_files(lambda w: built(w / "idx"), ask()), "cannot write the model export to", run="subprocess", fsize=5_000_000,
        env={"ASSISTANT_MODEL_CACHE": "{world}/cache"}, onnx=True, changes=("cache",), slow=True),
    "a build under ulimit -v 1000000": Case(
        # a first build (no model export yet, so torch loads to make it): under 1 GB it cannot finish
        doc_and(lambda w: None, into="new/idx"), "not enough memory to index doc.txt", run="subprocess", memory=1_000_000 * 1024,
        env={"ASSISTANT_MODEL_CACHE": "{world}/cache"}, real_model=True, changes=("cache", "cache/*"),
        check=absent("new"), slow=True),
}


# -- running a case -----------------------------------------------------------------------

FAKE_BUILD = """
import functools
from assistant import encoder, index
index.build_index = functools.partial(index.build_index, encoder=encoder.HashingEncoder())
"""
FAKE_QUERIES = """
from assistant import encoder
encoder.OnnxEncoder = lambda *a, **k: encoder.HashingEncoder()
"""

CLI_MAIN = "from assistant.cli import main\nmain()\n"


def run_in_process(case: Case, args: list[str], monkeypatch) -> tuple[int, str, str, BaseException | None]:
    from assistant.cli import cli

    fake = HashingEncoder()
    if not case.onnx:
        monkeypatch.setattr(enc, "OnnxEncoder", lambda *a, **k: fake)
    if not case.real_model:
        monkeypatch.setattr(store, "build_index", functools.partial(store.build_index, encoder=fake))
    result = CliRunner().invoke(cli, args, catch_exceptions=True)
    exception = None if isinstance(result.exception, SystemExit) or result.exception is None else result.exception
    return result.exit_code, result.stdout, result.stderr, exception


def run_in_subprocess(case: Case, args: list[str], world: Path) -> tuple[int, str, str, BaseException | None]:
    script = ("" if case.real_model else FAKE_BUILD) + ("" if case.onnx else FAKE_QUERIES) + CLI_MAIN
    command = [sys.executable, "-c", script, *args]
    if case.unprivileged and IS_ROOT:  # root reads and writes regardless of modes: drop that power
        command = [shutil.which("setpriv") or "setpriv", "--bounding-set=-dac_override,-dac_read_search", *command]

    def limits() -> None:
        if case.fsize is not None:  # a write past the limit fails with EFBIG, as on a full disk
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (case.fsize, case.fsize))
        if case.memory is not None:
            resource.setrlimit(resource.RLIMIT_AS, (case.memory, case.memory))

    done = subprocess.run(command, capture_output=True, text=True, timeout=300, preexec_fn=limits, env=dict(os.environ))
    return done.returncode, done.stdout, done.stderr, None


def assert_outcome(case: Case, code: int, stderr: str, exception: BaseException | None) -> None:
    assert exception is None, f"uncaught {type(exception).__name__}: {exception}"
    assert "Traceback" not in stderr, stderr[-3000:]
    errors = [line for line in stderr.splitlines() if line.startswith("error: ")]
    if case.message:
        assert code == 1, stderr[-3000:]
        assert len(errors) == 1, stderr[-3000:]
        assert case.message in errors[0], errors[0]
    else:
        assert code == 0 and errors == [], stderr[-3000:]


def changed(before: dict, after: dict, allowed: tuple[str, ...]) -> list[str]:
    return sorted(
        path for path in before.keys() | after.keys()
        if before.get(path) != after.get(path) and not any(fnmatch.fnmatch(path, pattern) for pattern in allowed)
    )


def cases() -> list:
    return [pytest.param(name, marks=[pytest.mark.slow] if case.slow else []) for name, case in CASES.items()]


@pytest.mark.parametrize("name", cases())
def test_store_case(name, tmp_path, monkeypatch):
    case = CASES[name]
    if case.unprivileged and IS_ROOT and shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: file modes cannot be enforced")
    world = tmp_path / "world"
    world.mkdir()
    for key, value in case.env.items():
        monkeypatch.setenv(key, value.format(world=world))
    args = case.arrange(world)
    before, root_before = snapshot(world), root_entries()
    if case.run == "cli":
        code, _, stderr, exception = run_in_process(case, args, monkeypatch)
    else:
        code, _, stderr, exception = run_in_subprocess(case, args, world)
    after = snapshot(world)
    assert_outcome(case, code, stderr, exception)
    assert changed(before, after, case.changes) == []
    assert root_entries() == root_before  # e.g. no /..lock
    assert not list(world.rglob(f"*{storage.PENDING_LINK}"))
    if case.check is not None:
        case.check(world)


def test_a_file_is_never_taken_for_an_index_folder(tmp_path):
    thesis = put(tmp_path / "thesis.txt")
    with pytest.raises(InputError, match="is a file, not a folder; choose an empty or new folder"):
        store.build_index(put(tmp_path / "doc.txt", DOC), thesis, encoder=HashingEncoder())
    assert thesis.read_text() == "precious\n"


def test_a_version_a_concurrent_build_is_making_is_judged_again_after_that_build(tmp_path, monkeypatch):
    """A version folder looks foreign for a moment while another build makes or prunes it: the check
    made before taking the build lock judges it again once that build is done, instead of refusing."""
    folder = tmp_path / "index"
    store.build_index(put(tmp_path / "doc.txt", DOC), folder, encoder=HashingEncoder())
    real = storage.stranger
    seen: list[str | None] = []

    def mid_build(path):  # the first look catches a version half made; later looks see it done
        seen.append(found := "v-20261203T000000-abcdef/chunks.faiss" if not seen else real(path))
        return found

    monkeypatch.setattr(storage, "stranger", mid_build)
    store.build_index(tmp_path / "doc.txt", folder, encoder=HashingEncoder())
    assert len(seen) >= 2 and seen[1] is None and store.problems(folder) == []
    monkeypatch.setattr(storage, "stranger", lambda path: "notes.txt")  # foreign whenever it is looked at
    with pytest.raises(InputError, match="holds files that are not an index"):
        store.build_index(tmp_path / "doc.txt", folder, encoder=HashingEncoder())


def test_the_table_is_large_enough():
    assert len(CASES) >= 30


# -- item 6: readers always see one complete index while a builder rebuilds it ---------------

BUILD_LOOP = """
import sys
from pathlib import Path
from assistant import index
from assistant.encoder import HashingEncoder

sources, target, stop = [Path(p) for p in sys.argv[1:3]], Path(sys.argv[3]), Path(sys.argv[4])
encoder, builds = HashingEncoder(), 0
while not stop.exists():
    index.build_index(sources[builds % 2], target, encoder=encoder)
    builds += 1
print(builds)
"""


def exact(loaded, texts: tuple[str, ...]) -> bool:
    """Every record of a loaded index is an exact slice of its source, and the source is one we built."""
    doc = loaded.document
    source = doc.source
    records = [*doc.sentences, *loaded.chunks, *doc.notes]
    return (
        source in texts
        and all(source[r.start : r.end] == r.text for r in records)
        and all(0 <= p.start <= p.end <= len(source) for p in doc.paragraphs)
        and loaded.unit_count("sentences") == len(doc.sentences)
    )


@pytest.mark.slow
def test_loads_during_a_builder_loop_always_see_one_complete_index(tmp_path):
    texts = (DOC, DOC_V2)
    sources = [put(tmp_path / f"v{i}.txt", text) for i, text in enumerate(texts)]
    target, stop = built(tmp_path / "idx"), tmp_path / "stop"
    builder = subprocess.Popen([sys.executable, "-c", BUILD_LOOP, *map(str, sources), str(target), str(stop)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    errors, inexact, seen = [], 0, set()
    try:
        for attempt in range(2000):
            try:
                loaded = store.load_index(target, verify=attempt % 2 == 0)
            except Exception as exc:  # noqa: BLE001 - any failure counts
                errors.append(f"{type(exc).__name__}: {exc}")
                continue
            inexact += not exact(loaded, texts)
            seen.add(loaded.document.source)
    finally:
        stop.touch()
        out, err = builder.communicate(timeout=120)
    assert builder.returncode == 0, err[-2000:]
    builds = int(out)
    assert errors == [] and inexact == 0
    assert builds >= 20 and seen == set(texts)  # the loads really raced many rebuilds of both texts
    assert store.problems(target) == []
    assert len([p for p in target.iterdir() if storage.is_version(p)]) <= 2


# -- item 9: packaging and data locations ----------------------------------------------------


@pytest.mark.skipif(sys.platform != "linux", reason="XDG_DATA_HOME is the user data folder on Linux")
def test_generated_data_goes_to_the_user_data_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("ASSISTANT_HOME")
    monkeypatch.delenv("ASSISTANT_MODEL_CACHE")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    data = tmp_path / "xdg" / "paper-assistant"
    assert (paths.default_index_dir(), paths.model_cache_dir()) == (data / "index" / "paper", data / "models")
    monkeypatch.setenv("ASSISTANT_HOME", str(tmp_path / "home"))
    assert (paths.default_index_dir(), paths.model_cache_dir()) == (tmp_path / "home/index/paper", tmp_path / "home/models")
    assert paths.default_source().is_file() and paths.default_gold().is_file()


WHERE_FROM = "import assistant, sys; print(assistant.__file__)"


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="XDG_DATA_HOME is the user data folder on Linux")
def test_a_wheel_install_ships_the_paper_and_writes_nothing_into_the_package(tmp_path):
    project = tmp_path / "project"  # a copy: building a wheel writes build/ and .egg-info beside the sources
    shutil.copytree(Path(__file__).resolve().parents[1], project,
                    ignore=shutil.ignore_patterns(".*", "build", "*.egg-info", "__pycache__", "index", "tests", "bench"))
    pip = [sys.executable, "-m", "pip", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp_path / "wheel"), str(project)],
                   check=True, capture_output=True, cwd=tmp_path)
    wheel = next((tmp_path / "wheel").glob("*.whl"))
    site = tmp_path / "site"
    subprocess.run([*pip, "install", "--no-deps", "--target", str(site), str(wheel)], check=True, capture_output=True)
    env = {k: v for k, v in os.environ.items() if k != "ASSISTANT_HOME"}
    env.update(PYTHONPATH=str(site), XDG_DATA_HOME=str(tmp_path / "xdg"))
    where = subprocess.run([sys.executable, "-c", WHERE_FROM], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert where.stdout.strip() == str(site / "assistant" / "__init__.py")
    before = snapshot(site)
    script = FAKE_BUILD + FAKE_QUERIES + CLI_MAIN
    answer = subprocess.run([sys.executable, "-c", script, "ask", "--json", "When did Russia launch its first airstrikes in Syria?"],
                            env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert answer.returncode == 0, answer.stderr[-3000:]
    record = json.loads(answer.stdout)
    shipped = (site / "assistant" / "source" / paths.DEFAULT_PAPER).read_text(encoding="utf-8")
    assert all(shipped[c["start"] : c["end"]] == c["text"] for c in record["passages"])
    assert (tmp_path / "xdg" / "paper-assistant" / "index" / "paper" / "current" / "manifest.json").is_file()
    assert changed(before, snapshot(site), ("*__pycache__*",)) == []
