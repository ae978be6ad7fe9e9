"""Progress of long jobs (building an index, evaluating): stage names people can read, and the
time left in the current stage, for the CLI's bar or plain lines and the chat UI's build panel.

Library code reports ``progress(stage, done, total)``; this module only turns those calls into
text. ``StageClock`` is fed the calls and a clock, so it can be tested without waiting.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

Progress = Callable[[str, int, int], None]  # progress(stage, done, total), called by library code


def quiet(stage: str, done: int, total: int) -> None:
    """The default ``progress``: report nothing."""
    return None


STAGES = {
    "reading": "reading the document",
    "sentences": "splitting sentences",
    "structure": "finding sections and paragraphs",
    "loading model": "loading the embedding model",
    "exporting model": "exporting the question encoder (first run only)",
    "quantizing model": "making the int8 model for long documents (first long document only)",
    "embedding": "embedding passages",
    "embedding sentences": "embedding sentences for questions (e5)",
    "writing": "writing the index",
    "done": "done",
}


def stage_label(stage: str) -> str:
    """A stage as a person reads it: ``"embedding"`` -> ``"embedding passages"``; unknown ones unchanged."""
    return STAGES.get(stage, stage)


@dataclass(frozen=True)
class Step:
    """One progress report, with the time left in its stage when it can be estimated."""

    stage: str
    done: int
    total: int
    seconds_left: float | None = None
    elapsed: float = 0.0  # seconds since the stage began

    @property
    def counted(self) -> bool:
        """A stage with real steps (``embed 120 of 4,800``), not a one-step phase."""
        return self.total > 1


def duration(seconds: float) -> str:
    """``"about 40 s"``, ``"about 2 min 10 s"``; ``"under a second"`` for less than 1 s."""
    if seconds < 1:
        return "under a second"
    seconds = round(seconds)
    if seconds < 60:
        return f"about {seconds} s"
    minutes, rest = divmod(seconds, 60)
    return f"about {minutes} min" + (f" {rest} s" if rest else "")


def describe(step: Step) -> str:
    """One line: ``"embedding passages: 1,200 of 4,800 (25%), about 40 s left"``."""
    text = stage_label(step.stage)
    if step.counted:
        text += f": {step.done:,} of {step.total:,} ({100 * step.done // max(step.total, 1)}%)"
    if step.seconds_left is not None and step.done < step.total:
        text += f", {duration(step.seconds_left)} left"
    elif not step.counted and step.stage != "done" and step.elapsed >= 1:
        text += f" ({round(step.elapsed)} s so far)"
    return text


class StageClock:
    """Fed ``(stage, done, total)`` calls; ``step()`` says where a job is now, with the time left.

    The estimate is the stage's average rate from its first report until now: it holds still
    between reports only as long as the work does, and grows while a slow step reports nothing
    (never counting down to zero while stuck). ``None`` until a stage has progressed (and for
    one-step phases, whose length nothing predicts: those show the time spent so far instead).
    """

    def __init__(self, clock: Callable[[], float] | None = None) -> None:
        self._clock = clock or _now
        self._stage: str | None = None
        self._started = 0.0
        self._first = self._done = self._total = 0

    def report(self, stage: str, done: int, total: int) -> Step:
        now = self._clock()
        if stage != self._stage or done < self._first:
            self._stage, self._started, self._first = stage, now, done
        self._done, self._total = done, total
        return self._at(stage, now)

    __call__ = report

    def step(self) -> Step | None:
        """The last report as of now (``None`` before the first one)."""
        return None if self._stage is None else self._at(self._stage, self._clock())

    def _at(self, stage: str, now: float) -> Step:
        elapsed = now - self._started
        left = _estimate(self._done - self._first, elapsed, self._total - self._done) if self._total > 1 else None
        return Step(stage, self._done, self._total, left, elapsed)


def _now() -> float:
    return time.monotonic()


def _estimate(progressed: int, elapsed: float, remaining: int) -> float | None:
    if progressed <= 0 or elapsed <= 0:
        return None
    return remaining * elapsed / progressed
