"""The index folder on disk: immutable version folders behind one atomically replaced link.

    DIR/current -> v-20261203T011502-3f9a1c      a relative symlink, replaced with one rename
    DIR/v-20261203T011502-3f9a1c/                one complete index, never changed once published
        .paper-assistant-index                   the tool's marker, written before anything else
        manifest.json, source.txt, ...

A reader resolves ``current`` once and reads only that version, so it always sees one
complete index, even while a builder writes the next one; the version a build replaces is
kept until the following build, for readers that started on it. Builds of one folder are
serialised by an flock on the folder itself: no lock file anywhere. The tool deletes only
what it can show it wrote: marked version folders, and the files listed by the manifest of
an index written in the older flat layout (every file directly in DIR).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import secrets
import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from assistant.checksum import sha256_file
from assistant.errors import InputError

CURRENT = "current"
MANIFEST = "manifest.json"
MARKER = ".paper-assistant-index"
PENDING_LINK = ".current"  # the next ``current`` link, made inside its version folder, then renamed
VERSION = re.compile(r"v-\d{8}T\d{6}-[0-9a-f]{6}")


def reason(exc: BaseException) -> str:
    """The operating system's words for a failed read or write ('No space left on device'),
    also from libraries that wrap them in their own message (faiss ends it with '(reason)')."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    found = re.search(r"\(([^()]+)\)\s*$", str(exc))
    return found.group(1) if found else " ".join(str(exc).split())[:120]


# -- which files are the tool's ------------------------------------------------------------


def check_target(index_dir: Path, settle: bool = False) -> Path:
    """The resolved folder to build into; refuse anything but a new, empty or index folder.

    ``settle`` (a check made before taking the build lock): a folder that looks foreign is judged
    again once any build of it has finished, since a concurrent build's version folder can look
    foreign for a moment while it is being made or pruned. Never pass it while holding the lock."""
    resolved = Path(index_dir).resolve()
    if resolved == resolved.parent:
        raise InputError(f"{index_dir} is a filesystem root, not a place for an index; choose an empty or new folder")
    if resolved.exists() and not resolved.is_dir():
        raise InputError(f"{index_dir} is a file, not a folder; choose an empty or new folder")
    try:
        foreign = stranger(resolved) if resolved.is_dir() else None
    except OSError as exc:
        raise InputError(f"{index_dir}: cannot read this folder ({reason(exc)})") from None
    if foreign is not None and settle:
        with locked(resolved):
            foreign = stranger(resolved)
    if foreign is not None:
        raise InputError(f"{index_dir} holds files that are not an index; choose an empty or new folder")
    return resolved


def stranger(folder: Path) -> str | None:
    """The first entry of ``folder`` (relative path) that the tool did not write, or None."""
    flat = flat_listing(folder)
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        if entry.name == CURRENT and entry.is_symlink() and VERSION.fullmatch(os.readlink(entry.path)):
            continue
        if _own_folder(Path(entry.path)):
            inner = _version_stranger(Path(entry.path))
            if inner is None:
                continue
            return f"{entry.name}/{inner}"
        inner = _unlisted(Path(entry.path), entry.name, flat)
        if inner is not None:
            return inner
    return None


def is_version(path: Path) -> bool:
    """A version folder: its name has the tool's pattern and it holds the tool's marker."""
    return VERSION.fullmatch(path.name) is not None and not path.is_symlink() and (path / MARKER).is_file()


def _empty_version(path: Path) -> bool:
    """A version folder made by a build killed before it wrote the marker."""
    return VERSION.fullmatch(path.name) is not None and not path.is_symlink() and path.is_dir() and not any(path.iterdir())


def _own_folder(path: Path) -> bool:
    """A version folder, or ``current`` as a real folder: a copy of the index that followed the link."""
    copied = path.name == CURRENT and not path.is_symlink() and (path / MARKER).is_file()
    # empty before marked: a version folder is made empty and its marker is the first file written,
    # so asking in this order never misses one that a concurrent build is making
    return copied or _empty_version(path) or is_version(path)


def _version_stranger(version: Path) -> str | None:
    listed = _listed(version)
    if listed is None:  # a build that never finished: everything in it is the tool's
        return None
    allowed = listed | {MARKER, MANIFEST}
    for entry in sorted(os.scandir(version), key=lambda e: e.name):
        if entry.name == PENDING_LINK and entry.is_symlink():
            continue
        inner = _unlisted(Path(entry.path), entry.name, allowed)
        if inner is not None:
            return inner
    return None


def _unlisted(path: Path, relative: str, listed: set[str]) -> str | None:
    """``relative`` itself, or the first thing under it, when ``listed`` does not name it."""
    if relative not in listed or path.is_symlink():
        return relative
    if not path.is_dir():
        return None
    for child in sorted(os.scandir(path), key=lambda e: e.name):
        inner = _unlisted(Path(child.path), f"{relative}/{child.name}", listed)
        if inner is not None:
            return inner
    return None


def flat_listing(folder: Path) -> set[str]:
    """An older flat-layout index in ``folder``: its manifest and every file it lists, with their
    folders; empty unless ``folder`` holds a manifest this tool wrote in that layout (``_flat_files``)."""
    listed = _listing(_flat_files(folder))
    return set() if listed is None else listed | {MANIFEST}


def _listed(folder: Path) -> set[str] | None:
    """The files (and their folders) the manifest in ``folder`` lists; None without a manifest
    that has a format field and a valid list of files."""
    return _listing(_manifest_files(folder))


def _listing(files: dict[str, str] | None) -> set[str] | None:
    if files is None:
        return None
    listed: set[str] = set()
    for name in files:
        parts = Path(name).parts
        listed.update("/".join(parts[: i + 1]) for i in range(len(parts)))
    return listed


def _read_manifest(folder: Path) -> dict | None:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    return manifest if isinstance(manifest, dict) else None


def _manifest_files(folder: Path) -> dict[str, str] | None:
    """The manifest's ``files`` (relative path -> sha256); None without a manifest that has a
    format field and a list of files inside ``folder``."""
    manifest = _read_manifest(folder)
    return None if manifest is None else _files_of(manifest)


def _files_of(manifest: dict) -> dict[str, str] | None:
    files = manifest.get("files")
    if not isinstance(files, dict) or "format_version" not in manifest:
        return None
    if any(not isinstance(name, str) or not name or Path(name).is_absolute() or ".." in Path(name).parts
           or not isinstance(digest, str) for name, digest in files.items()):
        return None
    return files


# The flat layout (every file directly in the index folder) was written by index formats 1-6; version
# folders came with format 7. Its manifest named the model and the source, listed source.txt with the
# source's checksum, and every file it listed was one of these.
FLAT_FORMATS = range(1, 7)
FLAT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"


def _flat_file(name: str) -> bool:
    top = Path(name).parts[0]
    return top in (MANIFEST, "source.txt", "document.json") or top.endswith((".jsonl", ".faiss")) or top.startswith("bm25-")


def _flat_files(folder: Path) -> dict[str, str] | None:
    """The files a flat-layout index of an older release in ``folder`` lists (relative path ->
    sha256), or None unless its manifest is one this tool wrote: a flat-layout format, the tool's
    model, the source's checksum on source.txt, and only the file names that layout used. Another
    program's manifest.json listing checksums of the user's files is never taken for an index."""
    manifest = _read_manifest(folder)
    files = None if manifest is None else _files_of(manifest)
    if manifest is None or files is None:
        return None
    version, model, source = manifest.get("format_version"), manifest.get("model"), manifest.get("source")
    if (type(version) is not int or version not in FLAT_FORMATS or not isinstance(model, dict)
            or model.get("name") != FLAT_MODEL or not isinstance(source, dict)
            or not source.get("sha256") or files.get("source.txt") != source.get("sha256")
            or not all(_flat_file(name) for name in files)):
        return None
    return files


# -- reading ------------------------------------------------------------------------------


def current(index_dir: Path) -> Path:
    """The folder holding the index's files now: the version ``current`` names, else ``index_dir``
    itself (an index in the older flat layout, or none: the reader reports what is missing)."""
    link = Path(index_dir) / CURRENT
    try:
        name = os.readlink(link)
    except OSError:  # no link; or a real folder, in a copy of the index that followed the link
        return link if link.is_dir() else Path(index_dir)
    return Path(index_dir) / name if VERSION.fullmatch(name) else Path(index_dir)


# -- writing ------------------------------------------------------------------------------


@contextlib.contextmanager
def locked(index_dir: Path) -> Iterator[None]:
    """Hold the build lock of ``index_dir`` (an flock on the folder), creating the folder if needed.

    When the body fails, folders this call created are removed again if still empty.
    """
    created = _make_folders(index_dir)
    try:
        handle = _lock(index_dir)
    except BaseException:
        _remove_empty(created)
        raise
    try:
        yield
    except BaseException:
        _remove_empty(created)
        raise
    finally:
        os.close(handle)


def _make_folders(index_dir: Path) -> list[Path]:
    missing = [p for p in (index_dir, *index_dir.parents) if not p.exists()]
    created: list[Path] = []
    for folder in reversed(missing):
        try:
            folder.mkdir()
        except FileExistsError:
            continue  # another build made it meanwhile
        except OSError as exc:
            _remove_empty(created)
            raise InputError(f"{index_dir}: cannot create the index folder ({reason(exc)})") from None
        created.append(folder)
    return created


def _lock(index_dir: Path) -> int:
    """An exclusive flock on the folder; again if the folder was removed while we waited."""
    while True:
        try:
            handle = os.open(index_dir, os.O_RDONLY | os.O_DIRECTORY)
        except OSError as exc:
            raise InputError(f"{index_dir}: cannot open the index folder ({reason(exc)})") from None
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            if os.stat(index_dir).st_ino == os.fstat(handle).st_ino:
                return handle
        except FileNotFoundError:
            index_dir.mkdir(parents=True, exist_ok=True)
        os.close(handle)


def _remove_empty(folders: list[Path]) -> None:
    for folder in reversed(folders):
        with contextlib.suppress(OSError):
            folder.rmdir()  # only ever removes an empty folder


@contextlib.contextmanager
def new_version(index_dir: Path) -> Iterator[Path]:
    """A new, marked version folder; removed again when the body fails."""
    while True:
        version = index_dir / _version_name()
        try:
            version.mkdir()
            break
        except FileExistsError:
            continue
    try:
        (version / MARKER).write_text("paper-assistant index version\n", encoding="utf-8")
        yield version
    except BaseException:
        shutil.rmtree(version, ignore_errors=True)
        raise


def _version_name() -> str:
    return f"v-{datetime.now(timezone.utc):%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"


def publish(index_dir: Path, version: Path) -> str | None:
    """Point ``current`` at ``version`` in one rename; return the version it pointed at before."""
    before = current(index_dir)
    if before.name == CURRENT:  # a real folder (a copy followed the link): make it a version first
        before = before.rename(index_dir / _version_name())
    link = version / PENDING_LINK
    os.symlink(version.name, link)
    os.replace(link, index_dir / CURRENT)
    return before.name if before != index_dir else None


def prune(index_dir: Path, keep: set[str]) -> None:
    """Remove the tool's own leftovers in ``index_dir``: version folders not in ``keep`` and a
    flat-layout index replaced by the versioned one. Nothing outside ``index_dir`` is touched: the
    build folders older releases left beside an index (".NAME.tmp-*", ".NAME.old-*") stay, for a
    name alone does not show who made a folder."""
    for entry in index_dir.iterdir():
        if entry.name in keep:
            continue
        if is_version(entry):
            shutil.rmtree(entry, ignore_errors=True)
        elif _empty_version(entry):
            with contextlib.suppress(OSError):
                entry.rmdir()
    _remove_flat(index_dir)


def _remove_flat(index_dir: Path) -> None:
    """Delete the files a flat-layout manifest of this tool in ``index_dir`` lists (``_flat_files``)
    and that still hold what the tool wrote (their sha256 matches the manifest's), then their
    emptied folders, then the manifest. Nothing is reached through a symbolic link.

    A listed file whose contents changed since the build is not provably the tool's: it stays,
    and so does the manifest (the next build then refuses the folder instead of guessing).
    """
    files = _flat_files(index_dir) or {}
    kept = False
    for relative, digest in files.items():
        path = index_dir / relative
        if _through_link(index_dir, relative) or not path.is_file() or _sha256(path) != digest:
            kept = kept or path.exists() or path.is_symlink()
            continue
        with contextlib.suppress(OSError):
            path.unlink()
    for relative in sorted(_listing(files) or (), key=lambda r: -r.count("/")):
        if not _through_link(index_dir, relative):
            with contextlib.suppress(OSError):
                (index_dir / relative).rmdir()  # only if empty: never anything the manifest does not list
    if files and not kept:
        with contextlib.suppress(OSError):
            (index_dir / MANIFEST).unlink()


def _through_link(folder: Path, relative: str) -> bool:
    """Whether ``folder/relative`` or a folder on the way to it is a symbolic link."""
    parts = Path(relative).parts
    return any((folder.joinpath(*parts[: i + 1])).is_symlink() for i in range(len(parts)))


def _sha256(path: Path) -> str | None:
    try:
        return sha256_file(path)
    except OSError:
        return None


# -- removing -----------------------------------------------------------------------------


def holds_index(folder: Path) -> bool:
    """Whether ``folder`` (not a link) holds something only this tool writes: a ``current`` link to a
    version folder, a version folder (marked, or empty as a killed build leaves it) or a flat-layout
    index of an older release. A folder of the user's, empty or not, does not."""
    if folder.is_symlink() or not folder.is_dir():
        return False
    try:
        for entry in os.scandir(folder):
            if entry.name == CURRENT and entry.is_symlink() and VERSION.fullmatch(os.readlink(entry.path)):
                return True
            if _own_folder(Path(entry.path)):
                return True
    except OSError:
        return False
    return _flat_files(folder) is not None


def remove_index(index_dir: Path) -> bool:
    """Delete an index folder the tool wrote: its ``current`` link, its marked version folders and
    an older flat-layout index, then the folder itself once that leaves it empty.

    Anything else in the folder stays, and so does the folder: False then. Waits for a build
    of the folder to finish first.
    """
    index_dir = Path(index_dir)
    if index_dir.is_symlink() or not index_dir.is_dir():
        return not os.path.lexists(index_dir)
    with locked(index_dir):
        for entry in os.scandir(index_dir):
            path = Path(entry.path)
            if entry.name == CURRENT and entry.is_symlink() and VERSION.fullmatch(os.readlink(entry.path)):
                path.unlink()
            elif _own_folder(path) and _version_stranger(path) is None:
                shutil.rmtree(path)
        _remove_flat(index_dir)
    try:
        index_dir.rmdir()
    except OSError:
        return False
    return True
