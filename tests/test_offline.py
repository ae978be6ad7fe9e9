"""Offline: indexing and answering open no network connection, with HF_HUB_OFFLINE unset.

The subprocess test is the honest one: a fresh process whose sitecustomize blocks (and logs)
every socket connection and DNS lookup, with empty model, Hugging Face and data caches, runs
the first-run paths a user runs: export the model, index a file, ask it, and ask the embedded
paper (which builds its index). The in-process test does the same through click's CliRunner.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

BLOCKER = '''
import os
import socket

_LOG = os.environ["NET_BLOCK_LOG"]


def _blocked(what):
    with open(_LOG, "a", encoding="utf-8") as handle:
        handle.write(repr(what) + "\\n")
    raise OSError(101, "network is blocked in this test")


class _Socket(socket.socket):
    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            _blocked(("connect", address))
        return super().connect(address)

    def connect_ex(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            _blocked(("connect_ex", address))
        return super().connect_ex(address)


socket.socket = _Socket
socket.create_connection = lambda address, *a, **k: _blocked(("create_connection", address))
socket.getaddrinfo = lambda host, *a, **k: _blocked(("getaddrinfo", host))
'''

DOC = """Offline Test Document

Introduction

Iran and Russia cooperated in Syria after 2015. Russia opposed new sanctions at the United Nations in 2018.
"""

NETWORK_VARIABLES = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE", "HF_HUB_DISABLE_TELEMETRY")


@pytest.fixture
def offline_env(tmp_path) -> dict:
    blocker = tmp_path / "blocker"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text(BLOCKER, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in NETWORK_VARIABLES}
    env.update(
        PYTHONPATH=str(blocker),
        NET_BLOCK_LOG=str(tmp_path / "connections.log"),
        ASSISTANT_HOME=str(tmp_path / "home"),
        ASSISTANT_MODEL_CACHE=str(tmp_path / "models"),  # empty: the ONNX export happens offline too
        HF_HOME=str(tmp_path / "hf"),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        TORCH_HOME=str(tmp_path / "torch"),
    )
    return env


def run(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, timeout=600)


def connections(env: dict) -> list[str]:
    log = Path(env["NET_BLOCK_LOG"])
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []


def test_the_blocker_really_blocks(offline_env):
    result = run(offline_env, "-c", "import socket; socket.create_connection(('127.0.0.1', 9))")
    assert result.returncode != 0 and "network is blocked" in result.stderr
    assert connections(offline_env) == ["('create_connection', ('127.0.0.1', 9))"]


@pytest.mark.slow
def test_first_run_index_and_ask_open_no_connection(offline_env, tmp_path, paper_index_dir):
    """The first export and a build happen offline; the paper's own build is the session's (built once per run)."""
    doc = tmp_path / "doc.txt"
    doc.write_text(DOC, encoding="utf-8")
    target = tmp_path / "idx"

    built = run(offline_env, "-m", "assistant", "index", str(doc), "--index-dir", str(target))
    assert built.returncode == 0, built.stderr[-3000:]
    assert "indexed doc.txt" in built.stderr

    asked = run(offline_env, "-m", "assistant", "ask", "What did Russia oppose?", "--index-dir", str(target), "--json")
    assert asked.returncode == 0, asked.stderr[-3000:]
    record = json.loads(asked.stdout)
    assert record["passages"] and all(p["text"] == DOC[p["start"] : p["end"]] for p in record["passages"])

    shutil.copytree(paper_index_dir, Path(offline_env["ASSISTANT_HOME"]) / "index" / "paper")
    paper = run(offline_env, "-m", "assistant", "ask", "What are Russia's goals in Syria?", "--json")
    assert paper.returncode == 0, paper.stderr[-3000:]
    assert "the paper's index" not in paper.stderr, "the copied paper index is current: nothing is rebuilt"
    assert json.loads(paper.stdout)["passages"]

    assert connections(offline_env) == []
    assert not any(Path(offline_env["HF_HOME"]).rglob("*")), "nothing may be fetched into the Hugging Face cache"


@pytest.fixture
def no_network(monkeypatch):
    attempts: list = []

    def blocked(*args, **kwargs):
        attempts.append(args)
        raise OSError(101, "network is blocked in this test")

    monkeypatch.setattr(socket.socket, "connect", blocked)
    monkeypatch.setattr(socket.socket, "connect_ex", blocked)
    monkeypatch.setattr(socket, "create_connection", blocked)
    monkeypatch.setattr(socket, "getaddrinfo", blocked)
    for name in NETWORK_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return attempts


@pytest.mark.slow
def test_index_and_ask_in_process_with_sockets_blocked(no_network, paper_index_dir, tmp_path):
    from assistant.cli import cli

    runner = CliRunner()
    asked = runner.invoke(cli, ["ask", "What are Russia's goals in Syria?", "--index-dir", str(paper_index_dir), "--json"])
    assert asked.exit_code == 0, asked.output
    source = (paper_index_dir / "current" / "source.txt").read_bytes().decode("utf-8")
    record = json.loads(asked.stdout)
    assert all(c["text"] == source[c["start"] : c["end"]] for c in record["citations"] + record["passages"])

    doc = tmp_path / "doc.txt"
    doc.write_text(DOC, encoding="utf-8")
    built = runner.invoke(cli, ["index", str(doc), "--index-dir", str(tmp_path / "idx")])
    assert built.exit_code == 0, built.output
    assert no_network == []
