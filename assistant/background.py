"""Background threads the process waits for before it exits.

The query encoder's ONNX session and the e5 model are loaded in daemon threads so the first
question does not wait for them. A process that ends while such a thread is still inside native
code (a batch whose lines are all refused, a one-line error) can be aborted by the C++ runtime
("terminate called without an active exception", exit 134): every thread started here is joined at
exit, for at most ``EXIT_WAIT_S`` seconds each.
"""

from __future__ import annotations

import atexit
import threading
from typing import Callable

EXIT_WAIT_S = 60.0
_started: list[threading.Thread] = []
_lock = threading.Lock()


def start(target: Callable[[], object], name: str) -> threading.Thread:
    """Run ``target`` in a daemon thread that the process joins before it exits."""
    thread = threading.Thread(target=target, name=name, daemon=True)
    with _lock:
        if not _started:
            atexit.register(_join_all)
        _started.append(thread)
    thread.start()
    return thread


def _join_all() -> None:
    with _lock:
        threads = list(_started)
    for thread in threads:
        if thread is not threading.current_thread():
            thread.join(EXIT_WAIT_S)
