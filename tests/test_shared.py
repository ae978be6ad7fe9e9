"""The helpers with one home: a file's sha256, the logistic function, the quiet progress callback."""

from __future__ import annotations

import hashlib

import numpy as np

from assistant.abstain import sigmoid
from assistant.checksum import sha256_file
from assistant.progress import quiet


def test_sha256_file_reads_across_block_boundaries(tmp_path):
    data = bytes(range(256)) * 8193  # a little over 2 MiB: three blocks, the last one partial
    path = tmp_path / "blob.bin"
    path.write_bytes(data)
    assert sha256_file(path) == hashlib.sha256(data).hexdigest()
    (tmp_path / "empty").write_bytes(b"")
    assert sha256_file(tmp_path / "empty") == hashlib.sha256(b"").hexdigest()


def test_sigmoid_of_numbers_and_arrays():
    assert sigmoid(0.0) == 0.5
    assert float(sigmoid(np.log(3.0))) == 0.75
    values = sigmoid(np.array([-50.0, -2.0, 2.0, 50.0]))
    assert 0.0 < values[0] < 1e-20 and values[-1] == 1.0
    assert np.allclose(values[1] + values[2], 1.0)


def test_quiet_reports_nothing():
    assert quiet("embedding", 3, 10) is None
