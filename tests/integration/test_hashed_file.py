"""Audit output files hashed while written, large ones through O_DIRECT (pipeline.outputs.hashed_file)."""

import hashlib
import os
from pathlib import Path

import pytest

from pipeline.outputs import hashed_file
from pipeline.outputs.hashed_file import ALIGN, BUFFER, write_hashed

SIZES = [0, 1, ALIGN - 1, ALIGN, ALIGN + 1, BUFFER - 1, BUFFER, BUFFER + 1, 3 * BUFFER + ALIGN + 7]


def _payload(size: int) -> bytes:
    return (b"E0000001,2026-10,worker_onss,worker,due,015,3282.97,0.13070000,429.08\n" * (size // 70 + 1))[:size]


def _write_in_pieces(data: bytes, piece: int):
    def write(fh):
        for start in range(0, len(data), piece):
            assert fh.write(data[start : start + piece]) == len(data[start : start + piece])
        fh.flush()

    return write


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("direct", [True, False])
def test_bytes_and_digest_are_those_of_a_plain_write(tmp_path, size, direct):
    data = _payload(size)
    path = tmp_path / "out.csv"
    digest = write_hashed(path, _write_in_pieces(data, 1_000_003), direct=direct)
    assert path.read_bytes() == data
    assert digest == hashlib.sha256(data).hexdigest()


def test_many_small_writes_cross_buffer_boundaries(tmp_path):
    data = _payload(2 * BUFFER + 12345)
    path = tmp_path / "out.csv"
    assert write_hashed(path, _write_in_pieces(data, 4099), direct=True) == hashlib.sha256(data).hexdigest()
    assert path.read_bytes() == data


def test_tmpfs_which_may_refuse_direct_io_gets_the_same_bytes(tmp_path):
    folder = Path("/dev/shm") if Path("/dev/shm").is_dir() else tmp_path
    path = folder / f"hashed-file-test-{os.getpid()}.csv"
    try:
        data = _payload(BUFFER + 99)
        assert write_hashed(path, _write_in_pieces(data, 65536), direct=True) == hashlib.sha256(data).hexdigest()
        assert path.read_bytes() == data
    finally:
        path.unlink(missing_ok=True)


def test_a_write_error_is_raised_not_swallowed(tmp_path, monkeypatch):
    if not hashed_file.O_DIRECT:
        pytest.skip("no O_DIRECT on this platform: writes are ordinary and raise directly")

    def disk_full(fd, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(hashed_file.os, "write", disk_full)
    with pytest.raises(OSError, match="No space left"):
        write_hashed(tmp_path / "out.csv", _write_in_pieces(_payload(BUFFER + 1), BUFFER), direct=True)
