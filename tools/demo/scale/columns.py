"""Vectorised Arrow columns for the scaled demo: hex ids, numbered ids, timestamps, decimals, categories.

Nothing here loops over rows in Python: ids are formatted as fixed-width byte matrices in numpy and handed to
Arrow as string buffers, so a day of a few hundred thousand events is shaped in milliseconds.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def mix64(x: np.ndarray, salt: int) -> np.ndarray:
    """The demo's id scrambler (see `world.hex_keys`): bijective on uint64, so distinct inputs never collide."""
    y = (np.asarray(x).astype(np.uint64) + np.uint64(salt)) * _GOLDEN
    return y ^ (y >> np.uint64(29))


def _validity(valid: np.ndarray | None) -> tuple[pa.Buffer | None, int]:
    if valid is None:
        return None, 0
    valid = np.asarray(valid, dtype=bool)
    return pa.py_buffer(np.packbits(valid, bitorder="little")), int((~valid).sum())


def fixed_width_strings(chars: np.ndarray, valid: np.ndarray | None = None) -> pa.StringArray:
    """A (rows × width) uint8 matrix of ASCII characters as an Arrow string array (rows where `valid` is
    False are null)."""
    n, width = chars.shape
    offsets = np.arange(0, n * width + 1, width, dtype=np.int32)
    bitmap, nulls = _validity(valid)
    data = pa.py_buffer(np.ascontiguousarray(chars, dtype=np.uint8))
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), data, bitmap, nulls)


def hex16(keys: np.ndarray) -> pa.StringArray:
    """uint64 keys as 16 lowercase hex digits (the format of `world.hex_ids`)."""
    b = np.asarray(keys, dtype=np.uint64).astype(">u8").view(np.uint8).reshape(-1, 8)
    out = np.empty((len(b), 16), dtype=np.uint8)
    out[:, 0::2] = _HEX[b >> 4]
    out[:, 1::2] = _HEX[b & 15]
    return fixed_width_strings(out)


def numbered(prefix: str, values: np.ndarray, width: int, valid: np.ndarray | None = None) -> pa.StringArray:
    """`prefix` + `values` as zero-padded decimals of exactly `width` digits."""
    v = np.asarray(values, dtype=np.int64)
    if len(v) and (v.min() < 0 or v.max() >= 10**width):
        raise ValueError(f"values do not fit in {width} digits")
    head = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    out = np.empty((len(v), len(head) + width), dtype=np.uint8)
    out[:, : len(head)] = head
    out[:, len(head) :] = (v[:, None] // powers[None, :]) % 10 + ord("0")
    return fixed_width_strings(out, valid)


def timestamps(t: np.ndarray, valid: np.ndarray | None = None) -> pa.TimestampArray:
    """Integer UTC epoch seconds as a naive (UTC) microsecond timestamp column."""
    us = np.asarray(t, dtype=np.int64) * 1_000_000
    return pa.array(us, type=pa.timestamp("us"), mask=None if valid is None else ~np.asarray(valid, bool))


class Categories:
    """Integer codes → a dictionary-encoded string column over `labels` (code -1 or a None label → null).
    Labels may repeat (e.g. one utm_source per traffic source); the dictionary holds each string once."""

    def __init__(self, labels):
        labels = list(labels)
        self.values = sorted({x for x in labels if x is not None})
        pos = {x: i for i, x in enumerate(self.values)}
        self.remap = np.array([pos.get(x, -1) if x is not None else -1 for x in labels] + [-1], np.int32)
        self.dictionary = pa.array(self.values, type=pa.string())

    def __call__(self, codes: np.ndarray) -> pa.DictionaryArray:
        idx = self.remap[np.asarray(codes, dtype=np.int64)]  # code -1 hits the trailing sentinel
        return pa.DictionaryArray.from_arrays(pa.array(idx, type=pa.int32(), mask=idx < 0), self.dictionary)


def decimal_cents(cents: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """Integer cents as decimal(18, 2): the 128-bit little-endian two's complement words written directly."""
    lo = np.asarray(cents, dtype=np.int64)
    words = np.empty((len(lo), 2), dtype="<i8")
    words[:, 0] = lo
    words[:, 1] = np.where(lo < 0, -1, 0)
    bitmap, nulls = _validity(valid)
    return pa.Array.from_buffers(pa.decimal128(18, 2), len(lo), [bitmap, pa.py_buffer(words)], nulls)
