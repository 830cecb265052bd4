"""Query-side expansion of everyday words into the terms statutes and guides use
(차트 → 진료기록부, CCTV → 폐쇄회로 텔레비전). The thesaurus is a YAML file we keep;
an LLM can be plugged in later through the same `expand` signature."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

DEFAULT_THESAURUS = Path(__file__).with_name("thesaurus.yaml")


@dataclass(frozen=True)
class Expansion:
    terms: tuple[str, ...]  # statute wording to add to the query

    @property
    def text(self) -> str:
        return " ".join(self.terms)


class Thesaurus:
    def __init__(self, entries: dict[str, list[str]]) -> None:
        # Longest keys first so "개인 정보" wins over "정보".
        self._entries = sorted(((k.lower(), tuple(v)) for k, v in entries.items()), key=lambda kv: -len(kv[0]))

    @classmethod
    def load(cls, path: Path = DEFAULT_THESAURUS) -> "Thesaurus":
        return _load(str(path))

    def expand(self, query: str) -> Expansion:
        lowered = query.lower()
        added: list[str] = []
        for key, terms in self._entries:
            if key in lowered:
                added.extend(t for t in terms if t not in added and t.lower() not in lowered)
        return Expansion(tuple(added))


@lru_cache(maxsize=4)
def _load(path: str) -> Thesaurus:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    return Thesaurus({str(k): [str(t) for t in v] for k, v in data.items()})
