"""Reading a fitted model's JSON file (ranker, joining, confidence, abstention): one way to fail; and the
standardized logistic regression three of them are (ranker, confidence, paper-level confidence).

Each model ships as plain JSON beside its module and is parsed by that module's own
``model_from_json``; a file that is missing, unreadable or of another shape is an installation
or refit problem, reported as one line naming the file and the fix, never a traceback and never a
silent fallback to hand-set numbers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable, TypeVar

import numpy as np

from assistant.errors import AssistantError

T = TypeVar("T")
MALFORMED = (OSError, ValueError, KeyError, TypeError, AttributeError)


def read_model(path: Path, what: str, fix: str, parse: Callable[[dict], T]) -> T:
    """``parse`` of the JSON at ``path``; any failure becomes "cannot read the WHAT PATH (why); FIX".
    An ``AssistantError`` raised by ``parse`` (a model fitted on other features) passes through."""
    try:
        return parse(json.loads(Path(path).read_text(encoding="utf-8")))
    except AssistantError:
        raise
    except MALFORMED as exc:
        raise AssistantError(f"cannot read the {what} {path} ({exc.__class__.__name__}: {exc}); {fix}") from None


def standardized(data: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """The ``mean``, ``scale``, ``coef`` and ``intercept`` of a logistic regression fitted on standardized
    features, as its JSON holds them."""
    return (np.asarray(data["mean"], float), np.asarray(data["scale"], float), np.asarray(data["coef"], float),
            float(data["intercept"]))


def standardized_logit(x: np.ndarray, mean: np.ndarray, scale: np.ndarray, coef: np.ndarray, intercept: float) -> np.ndarray:
    """The logit of feature rows ``x`` under such a regression."""
    return ((np.asarray(x, dtype=np.float64) - mean) / scale) @ coef + intercept
