"""Hostile input and faults: every case ends in one `error:` line and a non-zero exit, never a traceback.

One table of cases. Each case prepares files in its own workspace and runs the CLI (in-process
with CliRunner, or in a fresh process where a real file descriptor matters); the test asserts
the exit status, the one error line and that nothing the tool does not own changed. The
index is built once with the hashing encoder, so the module runs in seconds.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import random
import re
import socket
import stat
import subprocess
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest
from click.testing import CliRunner

from assistant import encoder as enc
from assistant.encoder import HashingEncoder
from assistant.errors import InputError
from assistant.progress import STAGES

DOC = """A Small Test Paper on Regional Policy

Introduction

Iran and Russia cooperated in Syria after 2015. Their goals were different in important ways.

Sanctions

The United States imposed sanctions on Iran in 2018. Russia opposed the sanctions at the United Nations.

Hidden text

The zanzibar memo hid \u202edetacilpmoc\u202c words with \u2066isolates\u2069 and a \x9b31m control sequence.
"""

GOLD = [
    {"id": "g1", "question": "What did Russia oppose at the United Nations?", "answer": "The sanctions.",
     "evidence": ["Russia opposed the sanctions at the United Nations."], "type": "factoid"},
    {"id": "g2", "question": "When did the United States impose sanctions on Iran?", "answer": "2018",
     "evidence": ["The United States imposed sanctions on Iran in 2018."], "type": "factoid"},
    {"id": "g3", "question": "Where did Iran and Russia cooperate after 2015?", "answer": "Syria",
     "evidence": ["Iran and Russia cooperated in Syria after 2015."], "type": "factoid"},
    {"id": "u1", "question": "How many soldiers did Iran send to Venezuela?", "answer": "", "evidence": [],
     "type": "unanswerable"},
    {"id": "u2", "question": "What is the population of Astana?", "answer": "", "evidence": [], "type": "unanswerable"},
]

# Characters `--json` must escape like C0 controls (C1, bidi controls, line separators).
UNESCAPED = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


# -- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fake_onnx(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("onnx") / "fake.onnx"
    path.write_bytes(b"a stand-in: the hashing encoder answers instead")
    return path


@pytest.fixture
def fake_models(monkeypatch, fake_onnx):
    """Every encoder is the hashing encoder; builds record the stand-in ONNX file."""
    monkeypatch.setattr(enc, "OnnxEncoder", lambda *a, **k: HashingEncoder())
    monkeypatch.setattr(enc, "SentenceTransformerEncoder", lambda *a, **k: HashingEncoder())
    monkeypatch.setattr(enc, "ensure_onnx", lambda: fake_onnx)


@pytest.fixture(scope="module")
def shared(tmp_path_factory, fake_onnx) -> Path:
    """A folder with a small index of DOC, a gold file and a results file, used read-only by every case."""
    from assistant.cli import cli

    root = tmp_path_factory.mktemp("shared")
    (root / "doc.txt").write_text(DOC, encoding="utf-8")
    (root / "gold.jsonl").write_text("".join(json.dumps(row) + "\n" for row in GOLD), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(enc, "OnnxEncoder", lambda *a, **k: HashingEncoder())
        patch.setattr(enc, "ensure_onnx", lambda: fake_onnx)
        patch.setenv("ASSISTANT_HOME", str(root / "home"))
        from assistant.index import build_index

        build_index(root / "doc.txt", root / "idx", encoder=HashingEncoder())
        result = CliRunner().invoke(cli, ["eval", "--gold", str(root / "gold.jsonl"), "--index-dir", str(root / "idx"),
                                          "--out", str(root / "results.json"), "--json"])
        assert result.exit_code == 0, result.output
    return root


# -- building blocks for the cases -------------------------------------------------------------


def small_pdf(text: bytes = b"(Iran and Russia met in Astana.) Tj 0 -14 Td (Both sides agreed on Syria.) Tj",
              drawn: bytes = b"", resources: bytes = b"", extra: tuple[bytes, ...] = ()) -> bytes:
    """A one-page PDF with a Flate-compressed text stream, written by hand (exact offsets); ``drawn`` goes
    before the text in the page's content, ``resources`` into its resources, ``extra`` objects after the font."""
    stream = zlib.compress(drawn + b"BT /F1 12 Tf 72 712 Td " + text + b" ET")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> " + resources + b">> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        *extra,
    ]
    from test_pdf_layout import pdf_file

    return pdf_file(objects)


def encrypted_pdf(user_password: str, algorithm: str) -> bytes:
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(small_pdf())))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm=algorithm)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pubsec_pdf() -> bytes:
    """A PDF whose /Encrypt dictionary names the public-key handler pypdf does not implement."""
    data = small_pdf()
    return data.replace(b"/Root 1 0 R >>", b"/Root 1 0 R /Encrypt << /Filter /Adobe.PubSec /V 4 /R 4 /Length 128"
                                             b" /SubFilter /adbe.pkcs7.s5 /Recipients [<00>] >> /ID [<01><01>] >>")


def flate_bomb() -> bytes:
    """80 MB of spaces in an 80 KB stream: more than pypdf's 75 MB decompression limit."""
    squeeze = zlib.compressobj(9)
    stream = b"".join(squeeze.compress(b" " * 1_000_000) for _ in range(80)) + squeeze.flush()
    data = small_pdf()
    start = data.index(b"stream\n") + len(b"stream\n")
    end = data.index(b"\nendstream")
    length = re.search(rb"/Length (\d+)", data)
    return (data[: length.start(1)] + str(len(stream)).encode() + data[length.end(1) : start] + stream + data[end:])


def image_heavy_pdf() -> bytes:
    """A page of text that also draws an 80 MB image (a 5000 x 5334 RGB scan, 80 KB compressed)."""
    squeeze = zlib.compressobj(9)
    pixels = b"".join(squeeze.compress(b"\0" * 1_000_000) for _ in range(80)) + squeeze.flush()
    image = (b"<< /Type /XObject /Subtype /Image /Width 5000 /Height 5334 /ColorSpace /DeviceRGB /BitsPerComponent 8"
             b" /Filter /FlateDecode /Length %d >>\nstream\n" % len(pixels) + pixels + b"\nendstream")
    return small_pdf(b"(Iran and Russia met in Astana.) Tj", drawn=b"q 100 0 0 100 300 300 cm /Im1 Do Q ",
                     resources=b"/XObject << /Im1 6 0 R >> ", extra=(image,))


def test_a_large_image_is_no_decompression_bomb(tmp_path):
    """Reading the text never inflates an image's pixels: a paper with a full-page scan (Elle's figure, 145 MB
    as pixels) is read, while a text stream that inflates as far is refused (the "flate bomb" case)."""
    from assistant.ingest import read_document

    path = tmp_path / "scan.pdf"
    path.write_bytes(image_heavy_pdf())
    assert "Iran and Russia met in Astana." in read_document(path).text


def blank_pdf() -> bytes:
    return small_pdf(b"")


def write(name: str, data: bytes | str | Callable[[], bytes]) -> Callable[[Path], Path]:
    """Write ``data`` (or what the function ``data`` returns, made only when the case runs)."""
    def make(ws: Path) -> Path:
        path = ws / name
        content = data() if callable(data) else data
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        return path

    return make


def link(name: str, target: str | Callable[[Path], Path]) -> Callable[[Path], Path]:
    def make(ws: Path) -> Path:
        path = ws / name
        path.symlink_to(target(ws) if callable(target) else target)
        return path

    return make


def fifo(name: str) -> Callable[[Path], Path]:
    def make(ws: Path) -> Path:
        os.mkfifo(ws / name)
        return ws / name

    return make


def sock(name: str) -> Callable[[Path], Path]:
    def make(ws: Path) -> Path:
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(ws / name))
        server.close()
        return ws / name

    return make


def device(name: str, minor: int) -> Callable[[Path], Path]:
    """A private copy of a memory device (3: null, 7: full), so that a regression harms no system file."""
    def make(ws: Path) -> Path:
        try:
            os.mknod(ws / name, stat.S_IFCHR | 0o600, os.makedev(1, minor))
        except PermissionError:
            pytest.skip("creating a device node needs root (CAP_MKNOD)")
        return ws / name

    return make


def folder(name: str) -> Callable[[Path], Path]:
    def make(ws: Path) -> Path:
        (ws / name).mkdir()
        return ws / name

    return make


def sparse(name: str, size: int) -> Callable[[Path], Path]:
    def make(ws: Path) -> Path:
        with open(ws / name, "wb") as handle:
            handle.truncate(size)
        return ws / name

    return make


def given(path: str) -> Callable[[Path], Path]:
    return lambda ws: Path(path)


def lines(*rows: str | bytes) -> bytes:
    return b"".join((row.encode() if isinstance(row, str) else row) + b"\n" for row in rows)


# -- the cases ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """``make`` prepares the workspace and returns the arguments after the command."""

    name: str
    command: tuple[str, ...]
    make: Callable[[Path, Path], list[str]]  # (workspace, shared folder) -> arguments
    code: int = 1
    message: str = ""  # a fragment of the one `error:` line (exit 1), or of stdout (exit 0)
    env: dict = field(default_factory=dict)
    stdin: bytes | None = None
    owned: tuple[str, ...] = ()  # workspace names the tool may create or change
    fault: Callable[[pytest.MonkeyPatch], None] | None = None
    check: Callable[[Path, Path, object], None] | None = None  # (workspace, shared, result)
    process: bool = False  # run in a fresh process (real file descriptors)


def index_case(name: str, make_file, message: str, code: int = 1, env: dict | None = None) -> Case:
    return Case(name, ("index",), lambda ws, sh: [str(make_file(ws)), "--index-dir", str(ws / "idx")], code, message,
                env=env or {}, owned=("idx", ".idx.lock"))


def batch_case(name: str, data: bytes, message: str, code: int = 1, *flags: str, check=None) -> Case:
    return Case(name, ("ask",), lambda ws, sh: [*flags, "--questions", "-", "--index-dir", str(sh / "idx")],
                code, message, stdin=data, check=check)


def questions_case(name: str, make_file, message: str, env: dict | None = None) -> Case:
    return Case(name, ("ask",), lambda ws, sh: ["--questions", str(make_file(ws)), "--index-dir", str(sh / "idx")],
                1, message, env=env or {})


def eval_case(name: str, extra, message: str, code: int = 1, owned: tuple[str, ...] = (), check=None) -> Case:
    def make(ws, sh):
        return ["--gold", str(sh / "gold.jsonl"), "--index-dir", str(sh / "idx"), *extra(ws, sh)]

    return Case(name, ("eval",), make, code, message, owned=owned, check=check)


def fault_case(name: str, fault, message: str, env: dict | None = None) -> Case:
    return Case(name, ("ask",), lambda ws, sh: ["What did Russia oppose?", "--index-dir", str(sh / "idx")],
                1, message, env=env or {}, fault=fault)


def raising(target: str, error: BaseException):
    def fault(patch: pytest.MonkeyPatch) -> None:
        def boom(*args, **kwargs):
            raise error

        patch.setattr(target, boom)

    return fault


def records(result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines()]


def answered(count: int):
    def check(ws, sh, result) -> None:
        answers = [r for r in records(result) if "answer" in r]
        assert len(answers) == count, result.stdout
        source = DOC
        for record in answers:
            assert all(p["text"] == source[p["start"] : p["end"]] for p in record["passages"])

    return check


def escaped_json(ws, sh, result) -> None:
    assert not UNESCAPED.search(result.stdout.rstrip("\n")), "a C1, bidi or line-separator character reached stdout raw"
    assert "\\u202e" in result.stdout and "\\u009b" in result.stdout and "\\u2066" in result.stdout
    record = json.loads(result.stdout)
    assert any("\u202e" in p["text"] for p in record["passages"])
    assert all(p["text"] == DOC[p["start"] : p["end"]] for p in record["passages"])


def out_written(name: str, mode: int | None = None):
    def check(ws, sh, result) -> None:
        data = json.loads((ws / name).read_text(encoding="utf-8"))
        assert data["records"] and "systems" in data
        assert not UNESCAPED.search((ws / name).read_text(encoding="utf-8").replace("\n", ""))
        if mode is not None:
            assert stat.S_IMODE((ws / name).stat().st_mode) == mode
        assert not [p for p in ws.iterdir() if p.name.endswith(".tmp")]

    return check


def preexisting(name: str, data: bytes, mode: int):
    def make(ws: Path) -> Path:
        (ws / name).write_bytes(data)
        os.chmod(ws / name, mode)
        return ws / name

    return make


def damaged_results(change):
    """A copy of the shared results file, changed by ``change`` (a function of the parsed dict)."""
    def make(ws: Path, sh: Path) -> Path:
        data = json.loads((sh / "results.json").read_text(encoding="utf-8"))
        change(data)
        (ws / "old.json").write_text(json.dumps(data), encoding="utf-8")
        return ws / "old.json"

    return make


def rank_becomes_text(data: dict) -> None:  # passes a self-comparison, fails against a new run
    data["records"][0]["systems"]["hybrid"]["hits"]["first_relevant_rank"] = "first"


def hits_become_number(data: dict) -> None:
    data["records"][0]["systems"]["hybrid"]["hits"] = 5


DEEP = "[" * 20_000 + "]" * 20_000  # 40 KB: under the line limit, far over the recursion limit
GOOD = '{"id": "ok", "question": "What did Russia oppose at the United Nations?"}'
SMALL_LIMIT = {"ASSISTANT_MAX_INPUT_MB": "0.001"}

CASES = [
    # documents that are not regular files, or too big
    index_case("txt linked to /dev/zero", link("doc.txt", "/dev/zero"), "is a character device, not a regular file"),
    index_case("txt linked to /dev/urandom", link("doc.txt", "/dev/urandom"), "is a character device"),
    index_case("md linked to /dev/null", link("doc.md", "/dev/null"), "is a character device"),
    index_case("pdf linked to /dev/zero", link("doc.pdf", "/dev/zero"), "is a character device"),
    index_case("txt that is a FIFO", fifo("doc.txt"), "is a FIFO (named pipe), not a regular file"),
    index_case("txt linked to a FIFO", link("doc.txt", fifo("pipe")), "is a FIFO"),
    index_case("txt that is a socket", sock("doc.txt"), "is a socket, not a regular file"),
    index_case("txt that is a directory", folder("doc.txt"), "is a directory, not a file"),
    index_case("dangling link", link("doc.txt", "nowhere.txt"), "no such file"),
    index_case("missing file", lambda ws: ws / "absent.txt", "absent.txt: no such file"),
    index_case("over the size limit", write("doc.txt", DOC * 20), "larger than the 0.001 MB input limit", env=SMALL_LIMIT),
    index_case("sparse 60 MB file", sparse("doc.txt", 60_000_000), "larger than the 50 MB input limit; set ASSISTANT_MAX_INPUT_MB"),
    index_case("limit not a number", write("doc.txt", DOC), "ASSISTANT_MAX_INPUT_MB='lots' is not a positive number",
               env={"ASSISTANT_MAX_INPUT_MB": "lots"}),
    index_case("limit negative", write("doc.txt", DOC), "is not a positive number", env={"ASSISTANT_MAX_INPUT_MB": "-5"}),
    index_case("limit nan", write("doc.txt", DOC), "is not a positive number", env={"ASSISTANT_MAX_INPUT_MB": "nan"}),
    index_case("not utf-8", write("doc.txt", "Caf\xe9 in Tehran.\n".encode("latin-1")), "not valid UTF-8 (byte 3)"),
    index_case("binary", write("doc.txt", bytes(range(256))), "looks like a binary file"),
    index_case("empty", write("doc.md", b""), "is empty"),
    index_case("word file", write("doc.docx", b"PK\x03\x04"), "unsupported file type '.docx'"),
    index_case("txt linked to a regular file", link("doc.txt", write("real.txt", DOC)), "indexed doc.txt", code=0),
    index_case("raised limit", write("doc.txt", DOC), "indexed doc.txt", code=0, env={"ASSISTANT_MAX_INPUT_MB": "0.01"}),
    # PDFs
    index_case("garbage pdf", write("doc.pdf", b"%PDF-1.4\nthis is not really a pdf\x00"), "doc.pdf: cannot read this PDF"),
    index_case("truncated pdf", write("doc.pdf", small_pdf()[:300]), "doc.pdf: cannot read this PDF"),
    index_case("pdf without text", write("doc.pdf", blank_pdf), "has no text layer"),
    # a text layer in fonts without a character map decodes to symbols (dvips' Type 3 fonts)
    index_case("pdf with unreadable text", write("doc.pdf", lambda: small_pdf(rb"(#%$'&\)\(+*-,/.102.43652& 78&:9;02.4<=3=9?>@*A5 ]\\PZXZ@^`_=ab^) Tj")),
               "its text layer cannot be read"),
    index_case("AES-256 pdf, password", write("doc.pdf", lambda: encrypted_pdf("secret", "AES-256")), "protected by a password"),
    index_case("AES-128 pdf, password", write("doc.pdf", lambda: encrypted_pdf("secret", "AES-128")), "protected by a password"),
    index_case("RC4 pdf, password", write("doc.pdf", lambda: encrypted_pdf("secret", "RC4-128")), "protected by a password"),
    index_case("Adobe.PubSec pdf", write("doc.pdf", pubsec_pdf), "doc.pdf: cannot read this PDF"),
    index_case("flate bomb", write("doc.pdf", flate_bomb), "doc.pdf: cannot read this PDF"),
    # PDFium skips a stream it cannot decode: the page then has no text
    index_case("unknown filter", write("doc.pdf", small_pdf().replace(b"/FlateDecode", b"/NoSuchDecode")), "has no text layer"),
    index_case("AES-256 pdf, empty password", write("doc.pdf", lambda: encrypted_pdf("", "AES-256")), "indexed doc.pdf", code=0),
    index_case("AES-128 pdf, empty password", write("doc.pdf", lambda: encrypted_pdf("", "AES-128")), "indexed doc.pdf", code=0),
    # --questions files
    questions_case("questions /dev/zero", given("/dev/zero"), "/dev/zero: is a character device"),
    questions_case("questions FIFO", fifo("q.jsonl"), "is a FIFO"),
    questions_case("questions linked to /dev/urandom", link("q.jsonl", "/dev/urandom"), "is a character device"),
    questions_case("questions directory", folder("q.jsonl"), "is a directory"),
    questions_case("questions missing", lambda ws: ws / "q.jsonl", "no such file"),
    questions_case("questions over the limit", write("q.jsonl", lines(GOOD) * 50), "larger than the 0.001 MB", SMALL_LIMIT),
    # batch lines: a bad line is an error record; the rest are answered; exit 1 at the end
    batch_case("nested JSON line", lines(DEEP, GOOD), "--questions line 1: the JSON is nested too deeply",
               1, "--json", check=answered(1)),
    batch_case("NaN id", lines('{"id": NaN, "question": "Why?"}'), "NaN is not a JSON value"),
    batch_case("Infinity id", lines('{"id": Infinity, "question": "Why?"}'), "Infinity is not a JSON value"),
    batch_case("-Infinity id", lines('{"id": -Infinity, "question": "Why?"}'), "-Infinity is not a JSON value"),
    batch_case("overflowing id", lines('{"id": 1e999, "question": "Why?"}'), '"id" must be a string or a finite number'),
    batch_case("boolean id", lines('{"id": true, "question": "Why?"}'), '"id" must be a string or a finite number'),
    batch_case("4,400-digit id", lines('{"id": %s, "question": "Why?"}' % ("9" * 4400)), "line 1: not valid JSON"),
    batch_case("line over 64 KB", lines('{"question": "%s"}' % ("why " * 20_000)), "line 1: line is 80,016 bytes; the limit is 65,536"),
    batch_case("line not utf-8", lines(b'{"question": "caf\xe9?"}'), "line 1: not valid UTF-8"),
    batch_case("line not JSON", lines("not json"), "line 1: not valid JSON"),
    batch_case("line a list", lines('["a list"]'), 'line 1: expected a JSON object with a "question" string'),
    batch_case("question a number", lines('{"question": 5}'), 'expected a JSON object with a "question" string'),
    batch_case("no question", lines('{"id": 1}'), 'expected a JSON object with a "question" string'),
    batch_case("bad line among good ones", lines(GOOD, "oops", GOOD.replace('"ok"', '"ok2"')), "--questions line 2",
               1, "--json", check=lambda ws, sh, r: (answered(2)(ws, sh, r), records(r)[1] == {"id": None, "line": 2, "error": records(r)[1]["error"]})),
    batch_case("BOM on the first line", b"\xef\xbb\xbf" + lines(GOOD), '"id": "ok"', 0, "--json", check=answered(1)),
    batch_case("duplicate ids warn", lines(GOOD, GOOD), "warning: --questions line 2: duplicate id \"ok\" (first on line 1)",
               0, "--json", check=answered(2)),
    # --json escapes C1 controls and bidi overrides like C0
    Case("json escapes C1 and bidi", ("ask",), lambda ws, sh: ["zanzibar memo hid words", "--json", "--index-dir", str(sh / "idx")],
         0, '"question"', check=escaped_json),
    # eval --out: only a new path or a regular file
    eval_case("out is a symlink", lambda ws, sh: ["--out", str(link("out.json", write("target.txt", "keep me"))(ws))],
              "out.json is a symbolic link; --out writes only a new file or over a regular file"),
    eval_case("out is a dangling symlink", lambda ws, sh: ["--out", str(link("out.json", "missing.json")(ws))], "is a symbolic link"),
    eval_case("out is a full device", lambda ws, sh: ["--out", str(device("full", 7)(ws))], "full is a special file"),
    eval_case("out is a null device", lambda ws, sh: ["--out", str(device("null", 3)(ws))], "null is a special file"),
    eval_case("out is a FIFO", lambda ws, sh: ["--out", str(fifo("out.json")(ws))], "is a special file"),
    eval_case("out is a directory", lambda ws, sh: ["--out", str(folder("out.json")(ws))], "is a directory"),
    eval_case("out in an unwritable folder", lambda ws, sh: ["--out", "/proc/hostile-results.json"], "cannot write here"),
    eval_case("out under a regular file", lambda ws, sh: ["--out", str(write("file.txt", "x")(ws) / "out.json")],
              "file.txt is not a folder; --out writes into an existing folder"),
    eval_case("out over earlier results keeps its mode",
              lambda ws, sh: ["--out", str(preexisting("out.json", (sh / "results.json").read_bytes(), 0o640)(ws))], "", 0,
              ("out.json",), out_written("out.json", 0o640)),
    # ...and never over a file eval did not write: the harness checks it is left byte for byte
    eval_case("out over a user's notes", lambda ws, sh: ["--out", str(preexisting("notes.txt", b"my notes", 0o644)(ws))],
              "notes.txt exists and is not an `assistant eval --out` results file"),
    eval_case("out over another JSON file", lambda ws, sh: ["--out", str(preexisting("config.json", b'{"records": []}', 0o644)(ws))],
              "config.json exists and is not an `assistant eval --out` results file"),
    eval_case("out to a new file", lambda ws, sh: ["--out", str(ws / "out.json")], "", 0, ("out.json",), out_written("out.json")),
    eval_case("out in a missing folder is not made", lambda ws, sh: ["--out", str(ws / "new" / "out.json")],
              "new does not exist; --out writes into an existing folder"),
    # eval --gold / --compare inputs
    eval_case("fit extra /dev/zero", lambda ws, sh: ["--fit-abstention", "--extra", "/dev/zero"], "/dev/zero: is a character device"),
    eval_case("fit unseen FIFO", lambda ws, sh: ["--fit-abstention", "--unseen", str(fifo("u.json")(ws))], "is a FIFO"),
    eval_case("fit extra nested JSON", lambda ws, sh: ["--fit-abstention", "--extra", str(write("x.json", DEEP)(ws))],
              "JSON nested too deeply"),
    eval_case("gold /dev/zero", lambda ws, sh: ["--gold", "/dev/zero"], "/dev/zero: is a character device"),
    eval_case("gold FIFO", lambda ws, sh: ["--gold", str(fifo("g.jsonl")(ws))], "is a FIFO"),
    eval_case("gold nested JSON", lambda ws, sh: ["--gold", str(write("g.jsonl", lines(DEEP))(ws))], "line 1: the JSON is nested too deeply"),
    eval_case("gold with a BOM", lambda ws, sh: ["--gold", str(write("g.jsonl", b"\xef\xbb\xbf" + (sh / "gold.jsonl").read_bytes())(ws))],
              "", 0),
    eval_case("gold missing", lambda ws, sh: ["--gold", str(ws / "absent.jsonl")], "absent.jsonl: no such file"),
    eval_case("compare missing", lambda ws, sh: ["--compare", str(ws / "absent.json")], "absent.json: no such file"),
    eval_case("compare not JSON", lambda ws, sh: ["--compare", str(write("old.json", "{oops")(ws))], "cannot read results file"),
    eval_case("compare not UTF-8", lambda ws, sh: ["--compare", str(write("old.json", b"\xd0\xff{}")(ws))],
              "old.json: not valid UTF-8 (byte 0); give the JSON file `assistant eval --out` wrote"),
    eval_case("compare /dev/zero", lambda ws, sh: ["--compare", "/dev/zero"], "is a character device"),
    eval_case("compare directory", lambda ws, sh: ["--compare", str(folder("old")(ws))], "is a directory"),
    eval_case("compare nested JSON", lambda ws, sh: ["--compare", str(write("old.json", DEEP)(ws))], "RecursionError"),
    eval_case("compare with damaged hits", lambda ws, sh: ["--compare", str(damaged_results(hits_become_number)(ws, sh))],
              "a damaged `assistant eval --out` results file"),
    eval_case("compare fails after the run: --out kept",
              lambda ws, sh: ["--compare", str(damaged_results(rank_becomes_text)(ws, sh)), "--out", str(ws / "new.json")],
              "cannot compare with this results file", 1, ("new.json",), out_written("new.json")),
    # faults that reach the top-level handler
    fault_case("MemoryError", raising("assistant.engine.Assistant.ask", MemoryError()), "out of memory"),
    fault_case("RecursionError", raising("assistant.engine.Assistant.ask", RecursionError()), "nested too deeply"),
    fault_case("disk full", raising("assistant.engine.Assistant.ask", OSError(errno.ENOSPC, "No space left on device")),
               "No space left on device"),
    fault_case("unreadable file", raising("assistant.index.load_index", PermissionError(errno.EACCES, "Permission denied", "x.faiss")),
               "Permission denied: x.faiss"),
    fault_case("a bug", raising("assistant.engine.Assistant.ask", ZeroDivisionError("division by zero")),
               "unexpected ZeroDivisionError: division by zero; run with --debug"),
    fault_case("message with line breaks and escapes",
               raising("assistant.engine.Assistant.ask", InputError("first line\n\x1b[31msecond line\r\nthird")),
               "error: first line second line third"),
    Case("stdout is a full device", ("ask",), lambda ws, sh: [str(device("full", 7)(ws)), "What did Russia oppose?", "--json",
                                                              "--index-dir", str(sh / "idx")],
         1, "cannot write the output (No space left on device)", owned=("full",), process=True),
    Case("stdin closed", ("ask",), lambda ws, sh: ["--questions", "-", "--index-dir", str(sh / "idx")],
         1, "--questions -: standard input is closed", process=True),
    Case("stdin is /dev/zero", ("ask",), lambda ws, sh: ["--questions", "-", "--index-dir", str(sh / "idx")],
         1, "--questions -: more than the 0.001 MB input limit", env=SMALL_LIMIT, process=True),
    # the chat UI needs a terminal; the top-level --index-dir is honoured
    Case("chat without a terminal", ("chat",), lambda ws, sh: ["--index-dir", str(sh / "idx")], 1, "the chat UI needs a terminal"),
    Case("bare command without a terminal", (), lambda ws, sh: [], 1, "the chat UI needs a terminal"),
    Case("top-level --index-dir missing", (), lambda ws, sh: ["--index-dir", str(ws / "nowhere"), "ask", "Why?"],
         1, "no such index directory"),
    Case("top-level --index-dir honoured", (), lambda ws, sh: ["--index-dir", str(sh / "idx"), "ask", "--json", "What did Russia oppose?"],
         0, "United Nations"),
    # already guaranteed elsewhere, cheap here
    Case("empty question", ("ask",), lambda ws, sh: ["  ", "--index-dir", str(sh / "idx")], 1, "the question is empty"),
    Case("huge question", ("ask",), lambda ws, sh: ["why " * 25_000, "--index-dir", str(sh / "idx")], 1, "characters long"),
    Case("extra without fit", ("eval",), lambda ws, sh: ["--extra", str(sh / "doc.txt")], 1, "only go with --fit-abstention"),
]


# -- running a case --------------------------------------------------------------------------


def snapshot(root: Path) -> dict[str, tuple]:
    """Every path under ``root`` with its type, mode, size, mtime and (small files) content hash."""
    found = {}
    for folder_path, folders, files in os.walk(root):
        for name in folders + files:
            path = Path(folder_path) / name
            info = os.lstat(path)
            digest = None
            if stat.S_ISREG(info.st_mode) and info.st_size < 1_000_000:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
            elif stat.S_ISLNK(info.st_mode):
                digest = os.readlink(path)
            found[str(path.relative_to(root))] = (stat.S_IFMT(info.st_mode), stat.S_IMODE(info.st_mode),
                                                  info.st_size, info.st_mtime_ns, digest)
    return found


RUNNER = r'''
import sys
from assistant import encoder
from assistant.encoder import HashingEncoder
encoder.OnnxEncoder = lambda *a, **k: HashingEncoder()
from assistant.cli import main
sys.argv[0] = "assistant"
main()
'''


def run_process(case: Case, argv: list[str], ws: Path) -> tuple[int, str, str]:
    env = {**os.environ, **case.env}
    err = ws.parent / "stderr.txt"
    with open(err, "wb") as stderr:
        if case.name == "stdout is a full device":
            command, full = argv[0], argv[1]  # the device made for this case comes right after the command
            with open(full, "wb") as stdout:
                done = subprocess.run([sys.executable, "-c", RUNNER, command, *argv[2:]], stdout=stdout, stderr=stderr,
                                      env=env, timeout=120)
            return done.returncode, "", err.read_text()
        if case.name == "stdin closed":
            command = f'exec "{sys.executable}" -c "$RUNNER" "$@" <&-'
            done = subprocess.run(["sh", "-c", command, "sh", *argv], stdout=subprocess.PIPE, stderr=stderr,
                                  env={**env, "RUNNER": RUNNER}, timeout=120)
            return done.returncode, done.stdout.decode(), err.read_text()
        with open("/dev/zero", "rb") as zero:
            done = subprocess.run([sys.executable, "-c", RUNNER, *argv], stdin=zero, stdout=subprocess.PIPE,
                                  stderr=stderr, env=env, timeout=120)
        return done.returncode, done.stdout.decode(), err.read_text()


# A job that outlives the progress printer's quiet second (a loaded machine) prints plain progress lines
# on stderr before it fails ("asking (hybrid): 3 of 10 (30%)"): they are allowed beside the one error.
PROGRESS_LINE = re.compile("|".join([
    r"[^:]+: [\d,]+ of [\d,]+ \(\d+%\)(, .+ left)?$",  # a counted stage: "asking (bm25): 6 of 15 (40%)"
    r".+ \(\d+ s so far\)$",  # a one-step stage taking a while
    *(re.escape(label) + "$" for label in STAGES.values()),  # a stage as it begins
]))


def test_the_progress_line_pattern_knows_the_printers_lines_and_nothing_else():
    from assistant.progress import Step, describe

    assert PROGRESS_LINE.match(describe(Step("asking (hybrid)", 3, 10, 4.0)))
    assert PROGRESS_LINE.match(describe(Step("loading model", 0, 1, None, 2.0)))
    assert PROGRESS_LINE.match(describe(Step("signals (cross-validation)", 5, 5)))
    assert PROGRESS_LINE.match(describe(Step("embedding", 120, 4800, 40.0)))
    assert not PROGRESS_LINE.match("Traceback (most recent call last):") and not PROGRESS_LINE.match("compare failed")
    assert not PROGRESS_LINE.match("ValueError: 3 of 5 rows")


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_case(case: Case, shared: Path, tmp_path: Path, monkeypatch, fake_models):
    from assistant.cli import cli

    ws = tmp_path / "ws"
    ws.mkdir()
    argv = [*case.command, *case.make(ws, shared)]
    for name, value in case.env.items():
        monkeypatch.setenv(name, value)
    if case.fault is not None:
        case.fault(monkeypatch)
    before, shared_before = snapshot(tmp_path), snapshot(shared)
    if case.process:
        code, stdout, stderr = run_process(case, argv, ws)
        result = None
        (tmp_path / "stderr.txt").unlink()
    else:
        result = CliRunner().invoke(cli, argv, input=case.stdin)
        code, stdout, stderr = result.exit_code, result.stdout, result.stderr
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in stdout + stderr
    assert code == case.code, (stdout, stderr)
    errors = [line for line in stderr.splitlines() if line.startswith("error: ")]
    if case.code:
        assert len(errors) == 1 and case.message in errors[0], stderr
        assert all(line.startswith(("error: ", "warning: ")) or PROGRESS_LINE.match(line)
                   for line in stderr.splitlines() if line.strip()), stderr
    else:
        assert errors == [] and case.message in stdout + stderr, (stdout, stderr)
    if case.check is not None:
        case.check(ws, shared, result)
    changed = {name for name in set(before) | set(snapshot(tmp_path)) if before.get(name) != snapshot(tmp_path).get(name)}
    allowed = {"ws"} | {f"ws/{name}" for name in case.owned}
    assert {name for name in changed if not any(name == a or name.startswith(a + "/") for a in allowed)} == set()
    assert snapshot(shared) == shared_before


def test_there_are_at_least_eighty_cases():
    assert len(CASES) >= 80 and len({case.name for case in CASES}) == len(CASES)


# -- debug mode shows the traceback ----------------------------------------------------------


@pytest.mark.parametrize("how", ["--debug", "ASSISTANT_DEBUG=1"])
def test_debug_shows_the_traceback(how, shared, monkeypatch, fake_models):
    from assistant.cli import cli

    raising("assistant.engine.Assistant.ask", ZeroDivisionError("division by zero"))(monkeypatch)
    argv = ["ask", "What did Russia oppose?", "--index-dir", str(shared / "idx")]
    if how == "--debug":
        argv.insert(0, "--debug")
    else:
        monkeypatch.setenv("ASSISTANT_DEBUG", "1")
    result = CliRunner().invoke(cli, argv)
    assert isinstance(result.exception, ZeroDivisionError)


# -- a seeded fuzz of byte-mutated PDFs --------------------------------------------------------


def mutate(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        roll, at = rng.random(), rng.randrange(len(out))
        if roll < 0.5:
            out[at] = rng.randrange(256)
        elif roll < 0.7:
            del out[at : at + rng.randint(1, 20)]
        elif roll < 0.85:
            out[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 10)))
        else:
            out[at:at] = rng.choice([b"<<", b">>", b"[", b"]", b"/Length 99999999", b" 0 R ", b"-1", b"1e308", b"(", b"stream"])
    return bytes(out)


def test_a_thousand_mutated_pdfs_raise_only_input_errors(tmp_path):
    from assistant.ingest import read_document

    rng, outcomes = random.Random(9), {"read": 0, "refused": 0}
    path = tmp_path / "fuzz.pdf"
    assert "Astana" in read_document(path if path.write_bytes(small_pdf()) else path).text
    for _ in range(1000):
        path.write_bytes(mutate(small_pdf(), rng))
        try:
            read_document(path)
            outcomes["read"] += 1
        except InputError as exc:
            message = str(exc)
            assert message.startswith(f"{path}: ") and "\n" not in message
            outcomes["refused"] += 1
    assert outcomes["read"] > 100 and outcomes["refused"] > 100, outcomes


# -- endings that are not errors: a reader that went away, Ctrl+C --------------------------------


def test_a_closed_pipe_ends_quietly(shared, tmp_path):
    """`assistant ask --json ... | head -c0`: exit 1, nothing on stderr (no traceback, no 'Exception ignored')."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run([sys.executable, "-c", RUNNER, "ask", "What did Russia oppose?", "--json",
                               "--index-dir", str(shared / "idx")], stdout=write_end, stderr=subprocess.PIPE,
                              env=dict(os.environ), timeout=120)
    finally:
        os.close(write_end)
    assert done.returncode == 1 and done.stderr.decode() == ""


def test_ctrl_c_is_one_word_and_status_130(shared, monkeypatch, fake_models):
    from assistant.cli import cli

    raising("assistant.engine.Assistant.ask", KeyboardInterrupt())(monkeypatch)
    result = CliRunner().invoke(cli, ["ask", "What did Russia oppose?", "--index-dir", str(shared / "idx")])
    assert result.exit_code == 130 and result.stderr == "interrupted\n"


def test_indexing_a_squad_file_never_replaces_a_text_file_it_did_not_write(tmp_path):
    from assistant.squad import index_squad

    squad = tmp_path / "article.json"
    squad.write_text(json.dumps({"data": [{"title": "T", "paragraphs": [{"context": "Iran and Russia met.", "qas": []}]}]}))
    work = tmp_path / "work"
    work.mkdir()
    mine = work / "article.txt"
    mine.write_text("my own notes\n")
    with pytest.raises(InputError, match="exists and is not article.json's text"):
        index_squad(squad, work, encoder=HashingEncoder())
    assert mine.read_text() == "my own notes\n" and not (work / "article").exists()


def test_eval_external_details_refuses_a_link_naming_its_own_flag(tmp_path):
    # --details of bench/eval_external.py is refused up front, and the message names --details
    target = tmp_path / "keep.txt"
    target.write_text("keep me")
    (tmp_path / "details.jsonl").symlink_to(target)
    script = Path(__file__).parent.parent / "bench" / "eval_external.py"
    run = subprocess.run([sys.executable, str(script), str(tmp_path), "--details", str(tmp_path / "details.jsonl")],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert "details.jsonl is a symbolic link; --details writes only a new file" in run.stderr
    assert "Traceback" not in run.stderr
    assert target.read_text() == "keep me"
