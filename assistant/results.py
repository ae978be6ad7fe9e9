"""Results files of ``assistant eval --out``: refuse unsafe output paths, write atomically, read back."""

from __future__ import annotations

import json
import os
import stat
import tempfile
from pathlib import Path

from assistant.comparison import compare
from assistant.errors import InputError


def check_output_path(path: Path, option: str = "--out") -> None:
    """Refuse an output path that is anything but a new path or a regular file (never follow a link);
    ``option`` names the flag the path came from in the message."""
    path = Path(path)
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise InputError(f"{path}: cannot write here ({exc.strerror or exc})") from None
    if not stat.S_ISREG(info.st_mode):
        kind = "a symbolic link" if stat.S_ISLNK(info.st_mode) else "a directory" if stat.S_ISDIR(info.st_mode) else "a special file"
        raise InputError(f"{path} is {kind}; {option} writes only a new file or over a regular file")


def write_json_atomic(path: Path, data) -> None:
    """Write JSON to ``path`` as ``write_text_atomic`` does."""
    from assistant.render import json_text

    write_text_atomic(path, json_text(data, indent=1) + "\n")


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same directory and a rename.

    Only a new path or a regular file is written (its permission bits kept); InputError otherwise.
    """
    path = Path(path)
    check_output_path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise InputError(f"{path}: cannot write here ({exc.strerror or exc})") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(tmp, _mode_for(path))
        check_output_path(path)  # still a new path or a regular file just before the rename
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
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise InputError(f"cannot read results file {path}: {exc.__class__.__name__}: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("records"), list) or "systems" not in data:
        raise InputError(f"{path}: not an `assistant eval --out` results file (no \"records\"/\"systems\")")
    try:
        compare(data, data)  # walks every field a comparison reads
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise InputError(f"{path}: a damaged `assistant eval --out` results file ({exc.__class__.__name__}: {exc})") from None
    return data
