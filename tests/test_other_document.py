"""Documents other than the paper: a Markdown file and a PDF, indexed and asked through the CLI."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from assistant.cli import cli

pytestmark = pytest.mark.slow

LIGHTHOUSES = """\
# Lighthouses of the Northern Isles

Lighthouses guide ships past dangerous rocks and headlands. The first lighthouse on the islands was lit in 1794 on North Ronaldsay.

Most towers were designed by the Stevenson family of engineers. Robert Stevenson alone built fifteen lighthouses in Scotland.

## Keepers

Keepers lived in small cottages beside the tower. They trimmed the wicks every four hours through the night.

A keeper's duties were:

- cleaning the lens every morning
- winding the clockwork that turned the light
- recording the weather in the station log

## Automation

The last manned lighthouse in Scotland, at Fair Isle South, was automated in 1998. Today the lights are monitored remotely from Edinburgh.
"""


def run(*args):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def ask(index_dir, question):
    result = run("ask", "--index-dir", str(index_dir), question, "--json")
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def markdown_index(tmp_path_factory, model_cache):
    root = tmp_path_factory.mktemp("markdown")
    doc = root / "lighthouses.md"
    doc.write_text(LIGHTHOUSES, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ASSISTANT_HOME", str(root / "home"))
        mp.setenv("ASSISTANT_MODEL_CACHE", str(model_cache))
        result = run("index", str(doc), "--index-dir", str(root / "idx"))
    assert "indexed lighthouses.md" in result.stderr and "3 sections" in result.stderr
    return root / "idx"


@pytest.mark.parametrize(
    "question, expected",
    [
        ("When was the first lighthouse on the islands lit?", "The first lighthouse on the islands was lit in 1794"),
        ("How often did keepers trim the wicks?", "They trimmed the wicks every four hours"),
        ("Which family designed most of the towers?", "designed by the Stevenson family"),
        ("When was the last manned lighthouse automated?", "was automated in 1998"),
    ],
)
def test_markdown_answers(markdown_index, question, expected):
    record = ask(markdown_index, question)
    assert not record["abstained"], record
    assert any(expected in c["text"] for c in record["citations"]), record["answer"]
    source = (markdown_index / "current" / "source.txt").read_text(encoding="utf-8")
    assert source == LIGHTHOUSES
    for item in (*record["citations"], *record["passages"]):
        assert source[item["start"] : item["end"]] == item["text"]


def test_markdown_sections_are_cited(markdown_index):
    record = ask(markdown_index, "How often did keepers trim the wicks?")
    assert record["citations"][0]["section"] == "Keepers"
    assert record["citations"][0]["notes"] == []


def test_markdown_enumeration(markdown_index):
    record = ask(markdown_index, "What were a keeper's duties?")
    texts = [c["text"] for c in record["citations"]]
    assert texts == [
        "A keeper's duties were:",
        "cleaning the lens every morning",
        "winding the clockwork that turned the light",
        "recording the weather in the station log",
    ]


def test_markdown_off_topic_abstains(markdown_index):
    record = ask(markdown_index, "Who won the 2018 FIFA World Cup?")
    assert record["abstained"] is True and record["citations"] == []


# -- a PDF written by hand (no PDF generator needed) ----------------------------------------------


def make_pdf(pages: list[list[str]]) -> bytes:
    """A minimal valid PDF with one Helvetica text line per entry of each page."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", "", "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for lines in pages:
        ops = ["BT", "/F1 11 Tf", "14 TL", "72 760 Td"]
        ops += ["({}) Tj T*".format(line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")) for line in lines]
        stream = "\n".join([*ops, "ET"])
        objects.append(f"<< /Length {len(stream.encode('latin-1'))} >>\nstream\n{stream}\nendstream")
        objects.append(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {len(objects)} 0 R >>"
        )
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


PDF_PAGES = [
    [
        "Tidal mills of the Atlantic coast",
        "A tidal mill stores sea water in a pond at high tide.",
        "At low tide the water is released through a wheel that turns the millstones.",
        "The mill at Eling in Hampshire has ground flour since the eighteenth century.",
    ],
    [
        "Decline",
        "Steam power made most tidal mills unprofitable by 1900.",
        "Only a handful still work today, mostly as museums.",
    ],
]


@pytest.fixture(scope="module")
def pdf_index(tmp_path_factory, model_cache):
    root = tmp_path_factory.mktemp("pdf")
    doc = root / "tidal-mills.pdf"
    doc.write_bytes(make_pdf(PDF_PAGES))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ASSISTANT_HOME", str(root / "home"))
        mp.setenv("ASSISTANT_MODEL_CACHE", str(model_cache))
        run("index", str(doc), "--index-dir", str(root / "idx"))
    return root / "idx"


def test_pdf_pages_and_offsets(pdf_index):
    from assistant.index import load_index

    index = load_index(pdf_index)
    doc = index.document
    assert len(doc.pages) == 2 and doc.pages[0] == 0
    assert doc.source[doc.pages[1] :].startswith("Decline")
    for s in doc.sentences:
        assert doc.source[s.start : s.end] == s.text


@pytest.mark.parametrize(
    "question, expected",
    [
        ("What made tidal mills unprofitable?", "Steam power made most tidal mills unprofitable by 1900."),
        ("Where is the mill that has ground flour since the eighteenth century?", "The mill at Eling in Hampshire"),
    ],
)
def test_pdf_answers(pdf_index, question, expected):
    record = ask(pdf_index, question)
    assert not record["abstained"], record
    assert any(expected in c["text"] for c in record["citations"]), record["answer"]
    source = (pdf_index / "current" / "source.txt").read_text(encoding="utf-8")
    for item in (*record["citations"], *record["passages"]):
        assert source[item["start"] : item["end"]] == item["text"]
