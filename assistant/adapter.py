"""A learned linear map on the question's dense embedding (the documents' vectors are not changed).

``q' = normalize(q + (q U) Vᵀ)``: a low-rank correction ``U Vᵀ`` (``DIMENSION x rank``) that moves a
question's embedding toward the sentences that answer questions worded like it, fitted by
``python -m assistant.fit_adapter`` (softmax over each document's sentences; see that module).
The index is untouched: it is one small matmul per question, numpy only, on the one place the
question is embedded (``Assistant.query``). The model ships as plain JSON, ``adapter.json``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from assistant import fitted
from assistant.errors import AssistantError

FORMAT = 1


@dataclass(frozen=True)
class Adapter:
    """The two factors of the correction: ``q' = normalize(q + (q @ u) @ v.T)``."""

    u: np.ndarray  # (DIMENSION, rank)
    v: np.ndarray  # (DIMENSION, rank)

    def apply(self, vectors: np.ndarray) -> np.ndarray:
        return adapt(vectors, self.u, self.v)


def adapt(vectors: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``vectors`` (n, d) or (d,) moved by the low-rank map and renormalised to unit length, float32;
    a row the map sends to zero (never seen in practice) keeps its own direction."""
    q = np.asarray(vectors, dtype=np.float32)
    moved = q + (q @ u) @ v.T
    norm = np.linalg.norm(moved, axis=-1, keepdims=True)
    out = np.where(norm > 1e-6, moved / np.maximum(norm, 1e-6), q)
    return out.astype(np.float32)


def model_path() -> Path:
    return Path(__file__).resolve().parent / "adapter.json"


@lru_cache(maxsize=4)
def load_model(path: Path | None = None) -> Adapter:
    """The fitted adapter; a missing or malformed file is an error naming the fix."""
    path = Path(path or model_path())
    return fitted.read_model(path, "adapter model", f"refit it with `python -m assistant.fit_adapter --out {path}`",
                             lambda data: adapter_from_json(data, path))


def adapter_from_json(data: dict, where: Path | str = "adapter.json") -> Adapter:
    from assistant.encoder import DIMENSION

    if data.get("format") != FORMAT:
        raise AssistantError(f"{where} has format {data.get('format')!r}, not {FORMAT}; refit it with "
                             "`python -m assistant.fit_adapter`")
    u = np.asarray(data["u"], dtype=np.float32)
    v = np.asarray(data["v"], dtype=np.float32)
    if u.ndim != 2 or u.shape != v.shape or u.shape[0] != DIMENSION or not np.isfinite(u).all() or not np.isfinite(v).all():
        raise ValueError(f"u and v must be finite ({DIMENSION}, rank) arrays, got {u.shape} and {v.shape}")
    return Adapter(u, v)


def adapter_to_json(adapter: Adapter, **extra) -> dict:
    """The JSON object ``adapter_from_json`` reads, with ``extra`` keys (settings, fitted files, report)."""
    return {"format": FORMAT, "rank": int(adapter.u.shape[1]), **extra,
            "u": [[round(float(x), 6) for x in row] for row in adapter.u],
            "v": [[round(float(x), 6) for x in row] for row in adapter.v]}
