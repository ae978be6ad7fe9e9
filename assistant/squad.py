"""SQuAD-schema QA files as documents: the text to index and the questions to ask.

The schema is ``{"data": [{"title", "paragraphs": [{"context", "qas": [{"id", "question",
"answers": [{"text", "answer_start"}], "is_impossible"}]}]}]}``. A file becomes one
document: the title (underscores as spaces) first, then every paragraph's context,
joined with blank lines. Used by ``bench/eval_external.py`` and by abstention fitting
(``assistant eval --fit-abstention --extra FILE``).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import InputError
from assistant.progress import Progress, quiet

if TYPE_CHECKING:
    from assistant.encoder import Encoder


@dataclass(frozen=True)
class SquadQuestion:
    id: str
    question: str
    answers: tuple[str, ...]
    impossible: bool

    @property
    def answerable(self) -> bool:
        return not self.impossible


@dataclass(frozen=True)
class IndexedSquad:
    """A SQuAD file indexed as one document: where its index is, its text and its questions."""

    path: Path
    index_dir: Path
    text: str
    questions: tuple[SquadQuestion, ...]


def read_squad(path: Path) -> tuple[str, list[SquadQuestion]]:
    """The document text (title first, contexts joined by blank lines) and its questions."""
    from assistant.ingest import read_input_bytes  # regular files only, size-capped

    path = Path(path)
    try:
        data = json.loads(read_input_bytes(path).decode("utf-8"))
        return _document(data)
    except RecursionError:
        raise InputError(f"{path}: JSON nested too deeply") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read SQuAD file {path}: {exc.__class__.__name__}: {exc}") from None
    except ValueError as exc:
        raise InputError(f"{path}: not valid JSON ({exc})") from None
    except (KeyError, TypeError, AttributeError):
        raise InputError(f"{path}: not a SQuAD file (expected data[].paragraphs[].context/qas)") from None


def _document(data: dict) -> tuple[str, list[SquadQuestion]]:
    parts, questions = [], []
    for article in data["data"]:
        if article.get("title"):
            parts.append(article["title"].replace("_", " "))
        for paragraph in article["paragraphs"]:
            parts.append(paragraph["context"].strip())
            for qa in paragraph["qas"]:
                answers = tuple(a["text"] for a in qa.get("answers", []) if a.get("text"))
                questions.append(SquadQuestion(str(qa["id"]), qa["question"], answers, bool(qa.get("is_impossible"))))
    return "\n\n".join(parts) + "\n", questions


def index_squad(path: Path, workdir: Path, *, progress: Progress = quiet,
                encoder: Encoder | None = None) -> IndexedSquad:
    """Write the document text to ``workdir/<stem>.txt`` and index it into ``workdir/<stem>``."""
    from assistant.index import build_index

    path, workdir = Path(path), Path(workdir)
    text, questions = read_squad(path)
    source = workdir / f"{path.stem}.txt"
    if os.path.lexists(source):  # written by an earlier run: reused only if it is this text, never replaced
        if source.is_symlink() or not source.is_file() or source.read_bytes() != text.encode("utf-8"):
            raise InputError(f"{source} exists and is not {path.name}'s text; choose another folder")
    else:
        source.write_text(text, encoding="utf-8")
    build_index(source, workdir / path.stem, progress=progress, encoder=encoder)
    return IndexedSquad(path, workdir / path.stem, text, tuple(questions))
