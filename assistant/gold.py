"""Gold Q&A files: JSONL, one ``{id, question, answer, evidence: [quotes], type}`` per line.

``type == "unanswerable"`` marks questions the document does not answer; an optional
``context`` names the id of an earlier question this one follows up.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import InputError

UNANSWERABLE = "unanswerable"
GOLD_FIELDS = ("id", "question", "answer", "evidence", "type")


@dataclass(frozen=True)
class GoldItem:
    id: str
    question: str
    answer: str
    evidence: tuple[str, ...]
    type: str
    context: str | None = None  # id of the earlier question this one follows up

    @property
    def answerable(self) -> bool:
        return self.type != UNANSWERABLE


# Gold files that are reported on and never fitted or tuned on: every fit command and tuning bench
# refuses them (tests/test_gold.py checks that each file under source/ is classed here or in FITTED_ON
# / VALIDATION, so a new file cannot slip into a fit unclassed).
REPORT_ONLY = ("gold_heldout.jsonl", "gold_reader.jsonl", "gold_reader_blind.jsonl", "gold_reader_blind2.jsonl",
               "gold_reader_blind3.jsonl")
VALIDATION = ("gold_reader_val.jsonl",)  # checks that a dev-tuned change carries over; never fitted on
FITTED_ON = ("gold.jsonl", "gold_reader_dev.jsonl", "gold_abstain_fit.jsonl", "gold_reader_blind_dev.jsonl")


def report_only(path: Path | str) -> bool:
    """Whether ``path`` is one of the report-only gold files (``REPORT_ONLY``), by name."""
    return Path(path).resolve().name in REPORT_ONLY


def default_heldout() -> Path:
    from assistant import paths

    return paths.source_dir() / "gold_heldout.jsonl"


def _no_constant(name: str):
    raise json.JSONDecodeError(f"{name} is not a JSON value", name, 0)


def load_gold(path: Path) -> tuple[GoldItem, ...]:
    """Read a gold JSONL file; InputError naming the file and line when it is malformed."""
    from assistant.ingest import read_input_bytes

    path = Path(path)
    try:
        lines = read_input_bytes(path).decode("utf-8").removeprefix("\ufeff").splitlines()
    except UnicodeDecodeError as exc:
        raise InputError(f"cannot read gold file {path}: not valid UTF-8 (byte {exc.start})") from None
    items, seen = [], set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = _gold_item(line, f"{path}, line {number}")
        except RecursionError:
            raise InputError(f"{path}, line {number}: the JSON is nested too deeply") from None
        if item.id in seen:
            raise InputError(f"{path}, line {number}: duplicate id {item.id!r}")
        if item.context is not None and item.context not in seen:
            raise InputError(f"{path}, line {number}: context {item.context!r} is not the id of an earlier question")
        seen.add(item.id)
        items.append(item)
    if not items:
        raise InputError(f"{path}: no questions in the gold file")
    return tuple(items)


def _gold_item(line: str, where: str) -> GoldItem:
    from assistant.engine import clean_question

    try:
        row = json.loads(line, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}: not valid JSON ({exc.msg})") from None
    if not isinstance(row, dict):
        raise InputError(f"{where}: expected a JSON object with {', '.join(GOLD_FIELDS)}")
    missing = [name for name in GOLD_FIELDS if name not in row]
    if missing:
        raise InputError(f"{where}: missing field {', '.join(missing)}")
    evidence = row["evidence"]
    if not isinstance(evidence, list) or not all(isinstance(q, str) for q in evidence):
        raise InputError(f"{where}: \"evidence\" must be a list of strings")
    if not all(isinstance(row[name], str) for name in ("question", "answer", "type")):
        raise InputError(f"{where}: \"question\", \"answer\" and \"type\" must be strings")
    qid = row["id"]
    if isinstance(qid, bool) or not isinstance(qid, (str, int)) or (isinstance(qid, str) and not qid.strip()):
        raise InputError(f"{where}: \"id\" must be a string or a whole number")
    try:
        clean_question(row["question"])
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None
    context = row.get("context")
    if context is not None and not isinstance(context, str):
        raise InputError(f"{where}: \"context\" must be the id of an earlier question")
    return GoldItem(str(row["id"]), row["question"], row["answer"], tuple(evidence), row["type"], context)
