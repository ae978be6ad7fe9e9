"""Copying text to the system clipboard through the platform's own tool, when one is installed.

Terminals may ignore the OSC 52 escape Textual copies with (tmux, many SSH setups), and it
cannot say whether it worked; a clipboard tool can. ``copy`` reports the tool that copied, or
``None`` so the caller can save the text somewhere and say where.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Callable, Mapping

# (argv, the environment variable its display server needs, or "" for none)
TOOLS = (
    (("wl-copy",), "WAYLAND_DISPLAY"),
    (("xclip", "-selection", "clipboard"), "DISPLAY"),
    (("xsel", "--clipboard", "--input"), "DISPLAY"),
    (("pbcopy",), ""),
)


def clipboard_command(env: Mapping[str, str] | None = None,
                      which: Callable[[str], str | None] = shutil.which) -> list[str] | None:
    """The first clipboard tool installed whose display server is there, as an argv; else None."""
    env = os.environ if env is None else env
    for argv, display in TOOLS:
        path = which(argv[0]) if not display or env.get(display) else None
        if path:
            return [path, *argv[1:]]
    return None


def copy(text: str, timeout: float = 3.0) -> str | None:
    """Copy ``text`` with the clipboard tool; its name when it succeeded, else None."""
    command = clipboard_command()
    if command is None:
        return None
    try:  # xclip keeps serving the selection in a child: never wait on its output
        subprocess.run(command, input=text.encode("utf-8"), stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=timeout, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return Path(command[0]).name
