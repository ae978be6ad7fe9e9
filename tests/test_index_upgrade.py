"""An index of an older format that differs from this one only in its BM25 terms
(``index_files.LEXICAL_UPGRADES``) opens with this code, with no user action: only its BM25 is built
again, into a new version of the tool's own folder, the embedded vectors carried over.

Fast: tiny documents and the hashing encoder. The older index is this build with the previous format
number and another tokenizer (words not stemmed), listed as upgradable for these tests.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant import index_files, lexical, paths, storage
from assistant.checksum import sha256_file
from assistant.cli import cli
from assistant.errors import BrokenIndexError
from assistant.index import FORMAT_VERSION, MANIFEST, build_index, load_index, problems, upgrade
from assistant.lexical import terms
from conftest import use_small_paper
from test_app import SMALL

SANCTIONS = """# Sanctions

The U.S. imposed sanctions on Iran in 2018. Shi'a militias organised in Iraq.

Russia sold arms to Iran and favoured Assad. The Shiite crescent worried Jordan.
"""


OLDER = FORMAT_VERSION - 1


def older_terms(text: str) -> list[str]:
    """An older tokenizer's BM25 terms: the words, not stemmed."""
    return [w for w in lexical.words(text) if w not in lexical.stopwords()]


@pytest.fixture(autouse=True)
def upgradable_older_format(monkeypatch):
    monkeypatch.setattr(index_files, "LEXICAL_UPGRADES", index_files.LEXICAL_UPGRADES | {OLDER})


@contextlib.contextmanager
def older_format():
    """Within it, indexes are built as the older format built them."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(lexical, "terms", older_terms)
        mp.setattr(index_files, "FORMAT_VERSION", OLDER)
        yield


@pytest.fixture
def old_index(tmp_path, fake_encoder) -> Path:
    source = tmp_path / "sanctions.md"
    source.write_text(SANCTIONS, encoding="utf-8")
    with older_format():
        build_index(source, tmp_path / "idx", encoder=fake_encoder)
    return tmp_path / "idx"


def files_of(version: Path) -> dict[str, str]:
    return json.loads((version / MANIFEST).read_text(encoding="utf-8"))["files"]


def test_an_index_of_the_older_format_opens_and_only_its_bm25_is_rebuilt(old_index, tmp_path, fake_encoder):
    old = storage.current(old_index)
    assert json.loads((old / MANIFEST).read_text())["format_version"] == OLDER
    with pytest.raises(BrokenIndexError, match=f"format version {OLDER}"):
        index_files.load_index(old_index)  # what the code before the upgrade path said

    index = load_index(old_index)

    new = storage.current(old_index)
    assert new != old and index.manifest["format_version"] == FORMAT_VERSION
    assert [u["from_format"] for u in index.manifest["upgraded"]] == [OLDER]
    before, after = files_of(old), files_of(new)
    assert {n: d for n, d in after.items() if not n.startswith("bm25-")} == {n: d for n, d in before.items() if not n.startswith("bm25-")}
    assert all(os.path.samefile(old / n, new / n) for n in after if not n.startswith("bm25-"))  # carried over, not re-embedded
    assert {n for n in after if n.startswith("bm25-")} and all(after[n] != before.get(n) for n in after if n.endswith("vocab.index.json"))
    fresh = build_index(old_index.parent / "sanctions.md", tmp_path / "fresh", encoder=fake_encoder)
    assert {n: d for n, d in after.items() if n.startswith("bm25-")} == {n: d for n, d in fresh["files"].items() if n.startswith("bm25-")}
    scores = index.lexical["sentences"].scores(terms("What did the sanctions and the arms sales do?"))
    assert scores[0] > 0 and scores[2] > 0 and scores[1] == 0  # stemmed terms now: "sanction", "arm"
    assert problems(old_index) == [] and upgrade(old_index) is False  # once only


def test_the_paper_and_library_documents_keep_answering_after_an_upgrade(tmp_path, monkeypatch, fake_encoder):
    from assistant import encoder

    use_small_paper(tmp_path, monkeypatch, SMALL)
    monkeypatch.setattr(encoder, "OnnxEncoder", lambda *args, **kwargs: fake_encoder)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "sanctions.md").write_text(SANCTIONS, encoding="utf-8")
    runner = CliRunner()
    with older_format():
        assert runner.invoke(cli, ["add", str(mine / "sanctions.md")], catch_exceptions=False).exit_code == 0
        assert runner.invoke(cli, ["ask", "--doc", "paper", "What is the main finding?"], catch_exceptions=False).exit_code == 0
    folders = [paths.default_index_dir(), *(paths.library_dir() / "documents").iterdir()]
    assert [json.loads((storage.current(f) / MANIFEST).read_text())["format_version"] for f in folders] == [OLDER, OLDER]

    result = runner.invoke(cli, ["ask", "--json", "What sanctions were imposed on Iran?"], catch_exceptions=False)

    assert result.exit_code == 0 and "cannot be answered" not in result.output and "rebuild" not in result.output
    passages = json.loads(result.stdout)["passages"]
    assert passages[0]["document"] == "sanctions" and "The U.S. imposed sanctions" in passages[0]["text"]
    assert "paper" in {p["document"] for p in passages}  # both documents were asked
    for folder in folders:
        manifest = json.loads((storage.current(folder) / MANIFEST).read_text())
        assert manifest["format_version"] == FORMAT_VERSION and manifest["upgraded"][0]["from_format"] == OLDER
    listed = runner.invoke(cli, ["list", "--json"], catch_exceptions=False)
    assert [d["id"] for d in json.loads(listed.stdout)] == ["paper", "sanctions"]


def test_a_failed_upgrade_leaves_the_old_index_as_it_was(old_index, monkeypatch):
    old = storage.current(old_index)
    listing = sorted(p.name for p in old_index.iterdir())
    checksums = {n: sha256_file(old / n) for n in files_of(old)}

    def full_disk(self, directory):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as mp:
        mp.setattr(lexical.Bm25Index, "save", full_disk)
        assert upgrade(old_index) is False
        with pytest.raises(BrokenIndexError, match=f"format version {OLDER}"):
            load_index(old_index)  # as before the upgrade path: the old format, with the fix

    assert storage.current(old_index) == old and sorted(p.name for p in old_index.iterdir()) == listing
    assert {n: sha256_file(old / n) for n in files_of(old)} == checksums
    assert load_index(old_index).manifest["format_version"] == FORMAT_VERSION  # and it upgrades next time


KILLED_UPGRADE = """
import os, signal, sys
from assistant import index_files, lexical
from assistant.index import upgrade

index_files.LEXICAL_UPGRADES |= {index_files.FORMAT_VERSION - 1}

save = lexical.Bm25Index.save
def save_then_die(self, directory):
    save(self, directory)
    os.kill(os.getpid(), signal.SIGKILL)  # killed with one BM25 written
lexical.Bm25Index.save = save_then_die
upgrade(sys.argv[1])
"""


def test_a_killed_upgrade_leaves_the_old_index_current_and_its_leftover_is_removed(old_index):
    old = storage.current(old_index)
    killed = subprocess.run([sys.executable, "-c", KILLED_UPGRADE, str(old_index)], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])})
    assert killed.returncode == -9, killed.stderr
    leftovers = [p for p in old_index.iterdir() if p.name not in (storage.CURRENT, old.name)]
    assert len(leftovers) == 1 and (leftovers[0] / "bm25-chunks").is_dir() and not (leftovers[0] / MANIFEST).exists()
    assert storage.current(old_index) == old and index_files.upgradable(old_index) == old  # intact, checksums and all

    index = load_index(old_index)

    assert index.manifest["format_version"] == FORMAT_VERSION and not leftovers[0].exists()
    assert sorted(p.name for p in old_index.iterdir()) == sorted([storage.CURRENT, old.name, storage.current(old_index).name])


def test_an_upgrade_touches_nothing_the_tool_did_not_write(old_index):
    (old_index / "notes.txt").write_text("mine", encoding="utf-8")
    (old_index / "drafts").mkdir()
    (old_index / "drafts" / "draft.md").write_text("also mine", encoding="utf-8")

    load_index(old_index)

    assert (old_index / "notes.txt").read_text() == "mine" and (old_index / "drafts" / "draft.md").read_text() == "also mine"
    assert storage.remove_index(old_index) is False  # removing the index leaves them too
    assert sorted(p.name for p in old_index.iterdir()) == ["drafts", "notes.txt"]


def test_a_damaged_index_of_the_older_format_is_not_upgraded_but_reported(old_index):
    old = storage.current(old_index)
    victim = old / "sentences.faiss"
    victim.write_bytes(victim.read_bytes()[:-4] + b"0000")
    assert upgrade(old_index) is False and storage.current(old_index) == old
    with pytest.raises(BrokenIndexError, match="rebuild it with"):
        load_index(old_index)
    assert sorted(p.name for p in old_index.iterdir()) == sorted([storage.CURRENT, old.name])
