"""The library: ``assistant add/list/remove``, ``ask`` across documents or one (``--doc``), and
citations naming the document and, for PDFs, the page.

Fast: a small stand-in for the embedded paper and the hashing encoder for every build and question.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant import library, paths
from assistant.cli import cli
from conftest import use_small_paper
from test_app import SMALL
from test_other_document import LIGHTHOUSES, make_pdf

CANALS = """Canals of the English Midlands

Cora Lock¹ and Dev Barge, Waterways Institute

The Bridgewater Canal opened in 1761 to carry coal from the Worsley mines to Manchester.

Narrowboats on the canals were pulled by horses until diesel engines replaced them in the twentieth century.

The Birmingham Canal Navigations once had more than one hundred and sixty miles of waterway.
"""

MILL_PAGES = [
    ["Tidal mills of the Atlantic coast",
     "A tidal mill stores sea water in a pond at high tide.",
     "At low tide the water is released through a wheel that turns the millstones."],
    ["Eling",
     "The mill at Eling in Hampshire has ground flour since the eighteenth century."],
    ["Decline",
     "Steam power made most tidal mills unprofitable by 1900.",
     "Only a handful still work today, mostly as museums."],
]


@pytest.fixture
def home(tmp_path, monkeypatch, fake_encoder):
    """A data home whose embedded paper is a small one; builds and questions use the hashing encoder."""
    from assistant import encoder

    use_small_paper(tmp_path, monkeypatch, SMALL)
    monkeypatch.setattr(encoder, "OnnxEncoder", lambda *args, **kwargs: fake_encoder)
    return tmp_path


@pytest.fixture
def files(tmp_path):
    """Three documents of the user's: Markdown, text and a three-page PDF with an author."""
    from pypdf import PdfReader, PdfWriter

    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "lighthouses.md").write_text(LIGHTHOUSES, encoding="utf-8")
    (folder / "canals.txt").write_text(CANALS, encoding="utf-8")
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(MILL_PAGES))))
    writer.add_metadata({"/Author": "Ann Miller and Bo Wheel"})
    with open(folder / "tidal-mills.pdf", "wb") as handle:
        writer.write(handle)
    return folder


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def ok(*args: str):
    result = run(*args)
    assert result.exit_code == 0, result.output
    return result


def ask_json(question: str, *options: str) -> dict:
    return json.loads(ok("ask", question, "--json", *options).stdout)


def fails_with(args: tuple[str, ...], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 1, result.output
    assert result.stderr == f"error: {message}\n"


def sources() -> dict[str, str]:
    """Each library document's indexed source text, by id."""
    books = library.Library.open()
    return {entry.id: books.engine(entry.id).document.source for entry in books.documents()}


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


def assert_exact(record: dict, texts: dict[str, str]) -> None:
    for item in (*record["citations"], *record["passages"]):
        assert texts[item["document"]][item["start"] : item["end"]] == item["text"]


def test_the_sentences_shown_are_left_out_only_in_their_own_document(three, fake_encoder):
    from assistant.followup import contextualize
    from assistant.records import Shown

    books = library.Library.open(encoder=fake_encoder)
    question = "Where is the naval base of Russia?"
    first = books.ask(question, doc="paper")
    more = books.ask("Tell me more.", doc="paper", context=contextualize("Tell me more.", question),
                     shown=Shown("paper", first.sentence_ids))
    assert more.sentence_ids and not set(more.sentence_ids) & set(first.sentence_ids)
    elsewhere = books.ask(question, doc="paper", shown=Shown("canals", first.sentence_ids))  # another document's ids
    assert elsewhere.sentence_ids == first.sentence_ids


@pytest.fixture
def three(home, files):
    """The library with the paper and three added documents."""
    result = ok("add", str(files / "lighthouses.md"), str(files / "canals.txt"), str(files / "tidal-mills.pdf"))
    assert result.stdout.splitlines()[0].startswith("added lighthouses: Lighthouses of the Northern Isles")
    return files


# -- add, list, ask, remove ------------------------------------------------------------------


def test_list_shows_the_embedded_paper_first_without_any_add(home):
    documents = json.loads(ok("list", "--json").stdout)
    assert [d["id"] for d in documents] == ["paper"]
    assert documents[0]["title"] == "A Small Paper" and documents[0]["embedded"] is True
    assert documents[0]["authors"] == ["A. Tester"] and documents[0]["added"] is None
    assert "A Small Paper" in ok("list").stdout


def test_add_lists_each_document_with_its_facts(three):
    documents = json.loads(ok("list", "--json").stdout)
    assert [d["id"] for d in documents] == ["paper", "lighthouses", "canals", "tidal-mills"]
    by_id = {d["id"]: d for d in documents}
    assert by_id["lighthouses"]["title"] == "Lighthouses of the Northern Isles"
    assert by_id["canals"]["title"] == "Canals of the English Midlands"
    assert by_id["tidal-mills"]["authors"] == ["Ann Miller", "Bo Wheel"]  # the PDF's /Author: no byline in its text
    assert by_id["canals"]["authors"] == ["Cora Lock", "Dev Barge"]  # the byline under the title
    assert by_id["lighthouses"]["authors"] == []  # none printed, none made up
    assert [by_id[i]["format"] for i in ("lighthouses", "canals", "tidal-mills")] == ["md", "txt", "pdf"]
    assert by_id["canals"]["size"] == len(CANALS.encode()) and by_id["canals"]["file"] == "canals.txt"
    assert by_id["canals"]["added"].endswith("+00:00")
    table = ok("list").stdout
    for word in ("lighthouses", "canals", "tidal-mills", "Ann Miller"):
        assert word in table


ACROSS = (
    ("When was the first lighthouse on the islands lit?", "lighthouses", "lit in 1794 on North Ronaldsay"),
    ("Which canal carried coal from the Worsley mines to Manchester?", "canals", "The Bridgewater Canal opened in 1761"),
    ("What made tidal mills unprofitable?", "tidal-mills", "Steam power made most tidal mills unprofitable"),
    ("Which naval base does Russia want to keep in Syria?", "paper", "naval base at Tartus"),
)


def test_ask_searches_the_whole_library_with_exact_slices_per_document(three):
    texts = sources()
    for question, doc_id, expected in ACROSS:
        record = ask_json(question)
        assert not record["abstained"], question
        assert {c["document"] for c in record["citations"]} == {doc_id}
        assert expected in record["answer"]
        passages = record["passages"]
        assert [p["rank"] for p in passages] == list(range(1, len(passages) + 1))
        assert passages[0]["document"] == doc_id  # the answering document's best passage first,
        assert {p["document"] for p in passages[:4]} == set(texts)  # then every other document's best
        for document in texts:
            scores = [p["score"] for p in passages if p["document"] == document]
            assert scores == sorted(scores, reverse=True)
        assert_exact(record, texts)


def test_doc_asks_one_document_only(three):
    record = ask_json("Which canal carried coal from the Worsley mines to Manchester?", "--doc", "lighthouses", "--k", "20")
    assert record["passages"] and {p["document"] for p in record["passages"]} == {"lighthouses"}
    assert {c["document"] for c in record["citations"]} <= {"lighthouses"}
    assert_exact(record, sources())


def test_plain_output_names_the_document_when_the_library_has_several(three):
    question = "Which canal carried coal from the Worsley mines to Manchester?"
    out = " ".join(ok("ask", question).stdout.split())
    assert "[1] Canals of the English Midlands (Cora Lock and Dev Barge) · Canals of the English Midlands, paragraph 2, chars" in out
    alone = " ".join(ok("ask", question, "--doc", "canals").stdout.split())
    assert "[1] Canals of the English Midlands, paragraph 2, chars" in alone
    off_topic = "Who won the 2018 FIFA World Cup?"
    assert ok("ask", off_topic).stdout.startswith("None of the documents seems to answer this question.")
    assert ok("ask", off_topic, "--doc", "canals").stdout.startswith("The paper does not seem to answer this question.")


def test_with_one_document_the_answer_is_the_engines_own(home, fake_encoder):
    """The library of just the paper answers exactly as the paper's engine does, plus document and page."""
    from dataclasses import replace

    from assistant.engine import Assistant
    from assistant.paper import open_index

    books = library.Library.open(encoder=fake_encoder)
    engine = Assistant.open(open_index(None), encoder=fake_encoder)
    for question in ("Where is the naval base of Russia?", "What does Iran seek?", "Who won the World Cup?"):
        mine, theirs = books.ask(question), engine.ask(question)
        assert [replace(c, document="", page=None) for c in mine.citations] == list(theirs.citations)
        assert [replace(p, document="", page=None) for p in mine.passages] == list(theirs.passages)
        assert (mine.answer, mine.abstained, mine.confidence) == (theirs.answer, theirs.abstained, theirs.confidence)
        assert {c.document for c in mine.citations} <= {"paper"} and {c.page for c in mine.citations} <= {None}


def test_index_dir_keeps_working_and_names_its_folder(home, files, fake_encoder):
    from assistant.index import build_index

    build_index(files / "canals.txt", home / "canal-index", encoder=fake_encoder)
    record = ask_json("Which canal carried coal from the Worsley mines to Manchester?", "--index-dir", str(home / "canal-index"))
    assert {c["document"] for c in record["citations"]} == {"canal-index"}
    assert all(c["page"] is None for c in record["citations"])
    fails_with(("ask", "x", "--doc", "paper", "--index-dir", str(home / "canal-index")),
               "give either --doc ID (a library document) or --index-dir DIR, not both")


def test_batch_questions_search_the_library(three, tmp_path):
    batch = tmp_path / "q.jsonl"
    batch.write_text('{"id": 1, "question": "Which canal carried coal from the Worsley mines to Manchester?"}\n'
                     '{"id": 2, "question": "When was the first lighthouse on the islands lit?"}\n', encoding="utf-8")
    lines = [json.loads(line) for line in ok("ask", "--questions", str(batch), "--json").stdout.splitlines()]
    assert [{c["document"] for c in r["citations"]} for r in lines] == [{"canals"}, {"lighthouses"}]


def test_remove_deletes_only_the_tools_index_never_the_users_file(three):
    before = snapshot(three)
    index_folder = library.Library.open().document("canals").index
    assert (index_folder / "current" / "manifest.json").is_file()
    assert ok("remove", "canals").stdout == "removed canals: Canals of the English Midlands (the file canals.txt is untouched)\n"
    assert snapshot(three) == before
    assert not index_folder.exists()
    assert [d["id"] for d in json.loads(ok("list", "--json").stdout)] == ["paper", "lighthouses", "tidal-mills"]
    record = ask_json("Which canal carried coal from the Worsley mines to Manchester?")
    assert "canals" not in {p["document"] for p in record["passages"]}
    assert_exact(record, sources())
    ok("add", str(three / "canals.txt"))  # and it can come back
    assert "canals" in [d["id"] for d in json.loads(ok("list", "--json").stdout)]


def test_remove_keeps_a_file_someone_put_in_the_index_folder(three):
    folder = library.Library.open().document("lighthouses").index
    (folder / "my-notes.txt").write_text("mine", encoding="utf-8")
    ok("remove", "lighthouses")
    assert (folder / "my-notes.txt").read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in folder.iterdir()) == ["my-notes.txt"]
    ok("add", str(three / "lighthouses.md"))  # a new id: the folder with the user's file is left alone
    assert library.Library.open().document("lighthouses-2").index.is_dir()
    assert (folder / "my-notes.txt").read_text(encoding="utf-8") == "mine"


def test_an_index_folder_left_without_its_entry_is_removed_by_the_next_change(three, fake_encoder):
    """What a kill -9 between writing library.json and deleting the index folder leaves behind."""
    from assistant.index import build_index

    orphan = paths.library_dir() / "documents" / "orphan"
    build_index(three / "canals.txt", orphan, encoder=fake_encoder)
    ok("remove", "lighthouses")
    assert sorted(p.name for p in (paths.library_dir() / "documents").iterdir()) == ["canals", "tidal-mills"]


def test_folders_of_the_users_in_the_documents_folder_are_not_taken_for_orphans(three, tmp_path):
    """A folder with no entry is removed only when it holds what the tool writes, or nothing at all: a
    folder of drafts with its own "current" link and a flat-looking manifest whose files are reached through
    a link out of the data folder stay as they were; an empty folder goes (a build killed while embedding
    leaves one)."""
    import hashlib

    documents = paths.library_dir() / "documents"
    (documents / "empty-folder").mkdir()
    drafts = documents / "thesis" / "drafts" / "v3"
    drafts.mkdir(parents=True)
    (drafts / "ch1.txt").write_text("chapter one", encoding="utf-8")
    (documents / "thesis" / "current").symlink_to("drafts/v3")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.txt").write_text("precious", encoding="utf-8")
    notes = documents / "my-notes"
    notes.mkdir()
    (notes / "link").symlink_to(outside)
    digest = hashlib.sha256(b"precious").hexdigest()
    (notes / "manifest.json").write_text(json.dumps({"format_version": 1, "files": {"link/precious.txt": digest}}),
                                         encoding="utf-8")
    ok("remove", "lighthouses")  # both ``remove`` and ``add`` look for orphans
    ok("add", str(three / "lighthouses.md"))
    assert (drafts / "ch1.txt").read_text(encoding="utf-8") == "chapter one"
    assert os.readlink(documents / "thesis" / "current") == "drafts/v3"
    assert not (documents / "empty-folder").exists()
    assert (outside / "precious.txt").read_text(encoding="utf-8") == "precious"
    assert (notes / "manifest.json").is_file() and (notes / "link").is_symlink()


def test_a_damaged_document_is_skipped_when_asking_all_and_refused_alone(three):
    version = library.Library.open().document("canals").index / "current"
    (version / "chunks.faiss").write_bytes(b"damaged")
    question = "When was the first lighthouse on the islands lit?"
    result = ok("ask", question, "--json")
    assert {c["document"] for c in json.loads(result.stdout)["citations"]} == {"lighthouses"}
    notice = result.stderr.splitlines()[-1]
    assert notice.startswith("document canals (canals.txt) cannot be answered from: damaged file chunks.faiss")
    assert notice.endswith("add its file again to rebuild it: assistant add canals.txt; asking the other documents")
    fails_with(("ask", question, "--doc", "canals"), "document canals (canals.txt) cannot be answered from: damaged file "
               "chunks.faiss (checksum mismatch); add its file again to rebuild it: assistant add canals.txt")
    before = [d["id"] for d in json.loads(ok("list", "--json").stdout)]
    ok("add", str(three / "canals.txt"))  # built again in place: same id, same place in the list
    assert [d["id"] for d in json.loads(ok("list", "--json").stdout)] == before
    result = ok("ask", question, "--json")
    assert "canals" in {p["document"] for p in json.loads(result.stdout)["passages"]}
    assert "cannot be answered" not in result.stderr


def test_the_embedded_paper_cannot_be_removed(home):
    fails_with(("remove", "paper"), "paper is the embedded paper and cannot be removed; ask other documents with --doc ID")
    assert [d["id"] for d in json.loads(ok("list", "--json").stdout)] == ["paper"]


def test_format_forces_the_type(home, tmp_path):
    notes = tmp_path / "notes.data"
    notes.write_text("# Harbour notes\n\nThe harbour wall was rebuilt in 1882 after a storm.\n", encoding="utf-8")
    fails_with(("add", str(notes)), f"{notes}: unsupported file type '.data'; use .txt, .md or .pdf")
    ok("add", "--format", "md", str(notes))
    entry = library.Library.open().document("notes")
    assert (entry.format, entry.title) == ("md", "Harbour notes")


# -- pages -------------------------------------------------------------------------------------


def test_pdf_citations_and_passages_carry_the_page_they_are_on(three):
    from pypdf import PdfReader

    pages = [" ".join(page.extract_text().split()) for page in PdfReader(three / "tidal-mills.pdf").pages]
    for question, page in (("What does a tidal mill store at high tide?", 1),
                           ("Where is the mill that has ground flour since the eighteenth century?", 2),
                           ("What made tidal mills unprofitable?", 3)):
        record = ask_json(question, "--doc", "tidal-mills")
        assert record["citations"] and [c["page"] for c in record["citations"]] == [page] * len(record["citations"])
        for item in (*record["citations"], *record["passages"]):  # the page holds the text's first line
            first_line = " ".join(item["text"].splitlines()[0].split())
            assert first_line in pages[item["page"] - 1], (item["page"], first_line)
            assert [first_line in text for text in pages].count(True) == 1
        assert f"page {page}, chars" in " ".join(ok("ask", question, "--doc", "tidal-mills").stdout.split())


def test_ids_are_short_slugs_of_the_file_name():
    assert library.slug("Computational_complexity_theory") == "computational-complexity"
    assert library.slug("Überblick 2024 (draft)") == "uberblick-2024-draft"
    assert library.slug("***") == "document" and len(library.slug("x" * 80)) == 24
    assert library.unique_id("notes", {"paper", "notes", "notes-2"}) == "notes-3"


def test_page_at_counts_from_each_page_start():
    assert [library.page_at((0, 10, 25), offset) for offset in (0, 9, 10, 24, 25, 999)] == [1, 1, 2, 2, 3, 3]
    assert library.page_at((), 5) is None


# -- bad input: one line, exit 1, nothing written ---------------------------------------------


def test_bad_ids_and_files_give_one_line(home, files, tmp_path):
    ok("add", str(files / "canals.txt"))
    library_file = paths.library_dir() / "library.json"
    before = library_file.read_bytes()
    missing = tmp_path / "missing.txt"
    fails_with(("remove", "nosuch"), "no document 'nosuch' in the library; 'assistant list' shows the ids")
    fails_with(("ask", "Why?", "--doc", "nosuch"), "no document 'nosuch' in the library; 'assistant list' shows the ids")
    fails_with(("add", str(missing)), f"{missing}: no such file")
    fails_with(("add", str(files)), f"{files}: is a directory, not a file")
    fails_with(("add", str(files / "canals.txt")), f"{files / 'canals.txt'} is already in the library as canals")
    fails_with(("add", str(paths.default_source())), f"{paths.default_source()} is already in the library as paper")
    empty = write_bytes(tmp_path / "empty.txt", b"")
    fails_with(("add", str(empty)), f"{empty}: is empty")
    assert library_file.read_bytes() == before
    assert sorted(p.name for p in (paths.library_dir() / "documents").iterdir()) == ["canals"]


@pytest.mark.parametrize("damaged", [
    "{not json",
    '{"format": 1, "documents": [{"id": "a", "title": "t", "file": "a.txt", "format": "text", "size": 1e400, "added": "x"}]}',
    "[" * 100_000,
], ids=["not json", "a size too large", "nested too deep"])
def test_a_damaged_library_file_is_one_line_and_left_as_it_is(home, files, damaged):
    library_file = paths.library_dir() / "library.json"
    library_file.parent.mkdir(parents=True)
    library_file.write_text(damaged, encoding="utf-8")
    result = run("list")
    assert result.exit_code == 1 and result.stderr.startswith(f"error: {library_file} is not a library file")
    assert len(result.stderr.splitlines()) == 1
    assert run("add", str(files / "canals.txt")).exit_code == 1
    assert library_file.read_text(encoding="utf-8") == damaged


def test_an_entry_cannot_point_outside_the_library(home, tmp_path):
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("keep", encoding="utf-8")
    library_file = paths.library_dir() / "library.json"
    library_file.parent.mkdir(parents=True)
    row = {"id": "../../victim", "title": "t", "file": "f.txt", "format": "txt", "size": 1, "added": "x"}
    library_file.write_text(json.dumps({"format": 1, "documents": [row]}), encoding="utf-8")
    assert run("remove", "../../victim").exit_code == 1
    assert (victim / "keep.txt").read_text(encoding="utf-8") == "keep"


def write_bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# -- kill -9 during add -----------------------------------------------------------------------

ADDER = r'''
import os, sys, time
from dataclasses import replace
from pathlib import Path

from assistant import library
from assistant.encoder import HashingEncoder

folder, source, mode, marker = sys.argv[1:5]


def pause():
    Path(marker).touch()
    time.sleep(120)


class Encoder(HashingEncoder):
    def encode(self, texts, batch_size=32):
        if mode == "embedding":
            pause()
        return super().encode(texts, batch_size)


replace = os.replace


def paused_replace(a, b):
    if mode == "listing" and os.path.basename(b) == "library.json":
        pause()  # the index is published, its entry not yet written
    replace(a, b)
    if mode == "listed" and os.path.basename(b) == "library.json":
        pause()


os.replace = paused_replace
library.Library(Path(folder), encoder=Encoder()).add(Path(source))
'''


@pytest.mark.parametrize("mode", [pytest.param("embedding", marks=pytest.mark.slow), "listing",
                                  pytest.param("listed", marks=pytest.mark.slow)])
def test_kill_9_during_add_leaves_the_other_documents_answerable_and_no_half_entry(home, files, mode):
    ok("add", str(files / "lighthouses.md"), str(files / "tidal-mills.pdf"))
    script = home / "adder.py"
    script.write_text(ADDER, encoding="utf-8")
    marker = home / f"paused-{mode}"
    proc = subprocess.Popen([sys.executable, str(script), str(paths.library_dir()), str(files / "canals.txt"), mode,
                             str(marker)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ))
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
        assert time.monotonic() < deadline, "the adder never reached its pause"
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    listed = [d["id"] for d in json.loads(ok("list", "--json").stdout)]
    expected = ["paper", "lighthouses", "tidal-mills"] + (["canals"] if mode == "listed" else [])
    assert listed == expected
    for question, doc_id in (("When was the first lighthouse on the islands lit?", "lighthouses"),
                             ("What made tidal mills unprofitable?", "tidal-mills")):
        record = ask_json(question)
        assert {c["document"] for c in record["citations"]} == {doc_id}
        assert_exact(record, sources())
    if mode != "listed":  # the next add deletes the killed one's index folder and adds it whole
        ok("add", str(files / "canals.txt"))
    assert [d["id"] for d in json.loads(ok("list", "--json").stdout)][-1] == "canals"
    assert sorted(p.name for p in (paths.library_dir() / "documents").iterdir()) == ["canals", "lighthouses", "tidal-mills"]
    question = "Which canal carried coal from the Worsley mines to Manchester?"
    assert {c["document"] for c in ask_json(question)["citations"]} == {"canals"}


# -- the real model ---------------------------------------------------------------------------


@pytest.mark.slow
def test_real_model_library_of_three_answers_from_the_right_document_and_page(tmp_path, paper_index_dir, files):
    """The embedded paper (its real index copied into the data home) plus a Markdown file and a PDF."""
    import shutil

    shutil.copytree(paper_index_dir, paths.default_index_dir(), symlinks=True)
    ok("add", str(files / "lighthouses.md"), str(files / "tidal-mills.pdf"))
    texts = sources()
    for question, doc_id, expected, page in (
        ("When was the first lighthouse on the islands lit?", "lighthouses", "lit in 1794", None),
        ("What made tidal mills unprofitable?", "tidal-mills", "Steam power made most tidal mills unprofitable", 3),
        ("When did Russia launch its first airstrikes in Syria?", "paper", "2015", None),
    ):
        record = ask_json(question)
        assert not record["abstained"] and expected in record["answer"], (question, record["answer"])
        assert {(c["document"], c["page"]) for c in record["citations"]} == {(doc_id, page)}
        assert_exact(record, texts)
    off_topic = ask_json("Who won the 2018 FIFA World Cup?")
    assert off_topic["abstained"] and off_topic["citations"] == []


def test_a_citation_names_its_document_by_title_and_authors():
    entry = library.Entry("d", "Tides", (), "t.txt", "txt", 1, None, Path("x"))
    assert entry.label == "Tides"
    assert replace(entry, authors=("Ann Lee",)).label == "Tides (Ann Lee)"
    assert replace(entry, authors=("Ann Lee", "Bo Wu")).label == "Tides (Ann Lee and Bo Wu)"
    assert replace(entry, authors=("Ann Lee", "Bo Wu", "Cy Ng")).label == "Tides (Ann Lee et al.)"
