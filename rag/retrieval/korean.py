"""Korean morpheme analysis for the sparse index: Kiwi, built once per process."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable

log = logging.getLogger(__name__)

# Content morphemes only: nouns, numerals, verb/adjective stems, roots, foreign words,
# hanja and numbers. Particles and endings carry no topic and would flood BM25.
CONTENT_TAGS = frozenset({"NNG", "NNP", "NR", "VV", "VA", "XR", "SL", "SH", "SN", "MAG"})
#: Verb and adjective stems: `tagged` gives them as dictionary forms ("재" → "재다").
STEM_TAGS = frozenset({"VV", "VA"})

_lock = threading.Lock()
_shared: "KoreanAnalyzer | None" = None


class KoreanAnalyzer:
    """Turns Korean text into content-morpheme terms. Building Kiwi costs about a second,
    so use `KoreanAnalyzer.shared()` rather than constructing one per call."""

    def __init__(self, num_workers: int = 1) -> None:
        try:
            from kiwipiepy import Kiwi
        except ImportError as exc:  # pragma: no cover - install hint
            raise ImportError("kiwipiepy가 필요합니다: pip install kiwipiepy") from exc
        self._kiwi = Kiwi(num_workers=num_workers)

    @classmethod
    def shared(cls) -> "KoreanAnalyzer":
        global _shared
        with _lock:
            if _shared is None:
                _shared = cls(num_workers=2)
            return _shared

    def terms(self, text: str) -> list[str]:
        return _content_terms(self._kiwi.tokenize(text))

    def terms_many(self, texts: Iterable[str]) -> list[list[str]]:
        return [_content_terms(tokens) for tokens in self._kiwi.tokenize(list(texts))]

    def morphemes(self, text: str) -> list[tuple[str, str, int, int]]:
        """Every morpheme with its tag, particles and endings included (phrase structure),
        and where it stands in ``text`` (start, end), so that a phrase found among them can
        be quoted as the user wrote it ("처우개선비", not "처우 개선 비")."""
        return [(t.form, t.tag, t.start, t.end) for t in self._kiwi.tokenize(text)]

    def tagged(self, text: str) -> list[tuple[str, str]]:
        """The same terms as `terms`, each with its base tag (NNG, VV, SN, …), for callers
        that treat nouns, stems, numbers and adverbs differently (answer checking)."""
        return list(_tagged_terms(self._kiwi.tokenize(text)))


def stem_root(term: str, tag: str) -> str:
    """A term of `tagged` as a text writes its start: a stem without the 다 that its
    dictionary form adds ("보관하다" → "보관하"); any other term as it is."""
    return term[:-1] if tag in STEM_TAGS else term


def _content_terms(tokens) -> list[str]:
    return [term for term, _ in _tagged_terms(tokens)]


def _tagged_terms(tokens):
    for token in tokens:
        tag = token.tag.split("-")[0]  # Kiwi marks irregular stems as VV-I / VA-R
        if tag not in CONTENT_TAGS:
            continue
        form = token.form.lower() if tag == "SL" else token.form
        if tag == "SN":  # Kiwi keeps a sentence-final period on numbers ("0123.")
            form = form.rstrip(".,")
        yield (f"{form}다" if tag in STEM_TAGS else form), tag
