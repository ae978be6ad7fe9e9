"""Batch questions (``ask --questions``): JSONL lines of ``{"id", "question"}`` read into records.

A line may also name, as ``"context"``, the id of an earlier line it follows up (the gold files'
schema): it is then asked as the chat UI asks a follow-up. A line that is not a usable record
becomes a ``BatchLine`` with an ``error``; the other lines are still answered.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

MAX_LINE_BYTES = 65_536
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class BatchLine:
    line: int
    id: str | int | float | None
    question: str = ""
    error: str = ""
    context: str | int | float | None = None  # the id of the earlier line this one follows up


def usable_id(value) -> bool:
    """A line's id (or the id its "context" names): a string or a finite number, not a boolean."""
    return not isinstance(value, bool) and isinstance(value, (str, int, float)) and not (
        isinstance(value, float) and not math.isfinite(value))


def read_batch(data: bytes) -> tuple[list[BatchLine], list[str]]:
    """The non-blank lines of ``data`` as records, and warnings (duplicate ids)."""
    records, warnings = [], []
    first_line: dict[str, int] = {}
    for number, raw in enumerate(data.removeprefix(_BOM).split(b"\n"), start=1):
        if not raw.strip():
            continue
        record = parse_line(number, raw)
        records.append(record)
        if record.error:
            continue
        key = json.dumps(record.id)
        if key in first_line:
            warnings.append(f"--questions line {number}: duplicate id {key} (first on line {first_line[key]})")
        first_line.setdefault(key, number)
    return records, warnings


def parse_line(number: int, raw: bytes) -> BatchLine:
    """One JSONL line as a record; the record carries an error when the line is not usable."""
    if len(raw) > MAX_LINE_BYTES:
        return BatchLine(number, None, error=f"line is {len(raw):,} bytes; the limit is {MAX_LINE_BYTES:,}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return BatchLine(number, None, error=f"not valid UTF-8 (byte {exc.start}); re-save it as UTF-8")
    try:
        item = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        return BatchLine(number, None, error="the JSON is nested too deeply")
    except ValueError as exc:
        return BatchLine(number, None, error=f"not valid JSON ({exc.args[0] if exc.args else exc})")
    if not isinstance(item, dict) or not isinstance(item.get("question"), str):
        return BatchLine(number, None, error='expected a JSON object with a "question" string')
    qid = item.get("id", number)
    if not usable_id(qid):
        return BatchLine(number, None, error='"id" must be a string or a finite number')
    context = item.get("context")
    if context is not None and not usable_id(context):
        return BatchLine(number, qid, error='"context" must be the id of an earlier line (a string or a finite number)')
    return BatchLine(number, qid, item["question"], context=context)


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON value")
