"""Results files of ``assistant eval --out``: refuse unsafe output paths, write atomically, read back."""

from __future__ import annotations

import json
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from assistant.comparison import compare
from assistant.errors import InputError


@dataclass(frozen=True)
class Output:
    """What a command writes, so that it replaces only a file it could have written itself.

    An existing file is replaced only when it is a JSON object (a JSON-lines file: its first line is
    one) holding every key of one of ``shapes``: the previous output of the same command. Anything
    else (a user's notes, another tool's JSON) is refused, never overwritten.
    """

    what: str  # named in the refusal, e.g. "an `assistant eval --out` results file"
    shapes: tuple[frozenset[str], ...]
    lines: bool = False

    def written_by_us(self, path: Path) -> bool:
        """Whether the regular file ``path`` holds this kind of output (read at most MAX_OWN_BYTES)."""
        try:
            with open(path, "rb") as handle:
                data = handle.readline(MAX_OWN_BYTES + 1) if self.lines else handle.read(MAX_OWN_BYTES + 1)
        except OSError:
            return False
        if len(data) > MAX_OWN_BYTES:
            return False
        try:
            value = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            return False
        return isinstance(value, dict) and any(shape <= value.keys() for shape in self.shapes)


MAX_OWN_BYTES = 256 * 2**20  # a bigger file is nothing this project writes: never read further, never replaced

EVAL_RESULTS = Output("an `assistant eval --out` results file",
                      (frozenset({"meta", "systems", "records"}), frozenset({"model", "fitted_on", "cv"})))


def check_output_path(path: Path, kind: Output, option: str = "--out") -> None:
    """Refuse an output path that is anything but a new path or a regular file holding ``kind`` (never
    follow a link, never replace a file the command did not write); ``option`` names the flag the path
    came from in the message."""
    path = Path(path)
    if not path.parent.is_dir():  # never made: a mistyped folder is said, not created
        what = "is not a folder" if path.parent.exists() else "does not exist"
        raise InputError(f"{path}: {path.parent} {what}; {option} writes into an existing folder")
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise InputError(f"{path}: cannot write here ({exc.strerror or exc})") from None
    if not stat.S_ISREG(info.st_mode):
        what = "a symbolic link" if stat.S_ISLNK(info.st_mode) else "a directory" if stat.S_ISDIR(info.st_mode) else "a special file"
        raise InputError(f"{path} is {what}; {option} writes only a new file or over a regular file")
    if not kind.written_by_us(path):
        raise InputError(f"{path} exists and is not {kind.what}; {option} replaces only such a file "
                         "(choose a new path, or move that file away)")


def write_json_atomic(path: Path, data, kind: Output, option: str = "--out") -> None:
    """Write JSON to ``path`` as ``write_text_atomic`` does."""
    from assistant.render import json_text

    write_text_atomic(path, json_text(data, indent=1) + "\n", kind, option)


def write_text_atomic(path: Path, text: str, kind: Output, option: str = "--out") -> None:
    """Write ``text`` to ``path`` through a temporary file in the same directory and a rename.

    Only a new path or a regular file holding ``kind`` is written (its permission bits kept);
    InputError otherwise.
    """
    path = Path(path)
    check_output_path(path, kind, option)
    write_bytes_atomic(path, text.encode("utf-8"), lambda: check_output_path(path, kind, option))


def write_bytes_atomic(path: Path, data: bytes, recheck: Callable[[], None] = lambda: None) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same directory and a rename, keeping the
    permission bits of the file it replaces (a new one: the umask's), in a folder that exists. ``recheck`` runs just before the rename
    (write_text_atomic: the path still holds a new path or its own kind of file); what it raises stops it.
    The caller decides beforehand whether ``path`` may be replaced. InputError when it cannot be written."""
    try:
        handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise InputError(f"{path}: cannot write here ({exc.strerror or exc})") from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(tmp, _mode_for(path))
        recheck()
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise InputError(f"{path}: cannot write ({exc.strerror or exc})") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _mode_for(path: Path) -> int:
    """The permission bits of the file being replaced, or those a new file gets under the umask."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def load_results(path: Path) -> dict:
    """A previous ``--out`` file; InputError when it is not one (or cannot be compared)."""
    from assistant.ingest import read_input_bytes

    try:
        data = json.loads(read_input_bytes(Path(path)).decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError(f"cannot read results file {path}: not valid UTF-8 (byte {exc.start}); "
                         "give the JSON file `assistant eval --out` wrote") from None
    except (ValueError, RecursionError) as exc:
        raise InputError(f"cannot read results file {path}: {exc.__class__.__name__}: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("records"), list) or "systems" not in data:
        raise InputError(f"{path}: not an `assistant eval --out` results file (no \"records\"/\"systems\")")
    try:
        compare(data, data)  # walks every field a comparison reads
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise InputError(f"{path}: a damaged `assistant eval --out` results file ({exc.__class__.__name__}: {exc})") from None
    return data
