"""Answer metrics that need no language model: surface similarity of an answer to its
reference answer, whether the numbers of the answer occur in the retrieved passages, and
similarity of the retrieved passages to the reference passages.

They say how much of the reference's wording an answer shares, not whether it is right:
a correct paraphrase scores low and a wrong number in a copied sentence scores high.
Every key is namespaced by where it comes from (`offline.` our own code, always there;
`ragas.` the ragas library of the `eval` extra, None without it) and OFFLINE_LABELS says
in Korean what each one measures.

ragas 0.4.3 notes (why the ragas part looks the way it does):
- `import ragas` needs `langchain-community<0.4` (the `eval` extra pins it);
- its scoring posts usage events to a telemetry host unless RAGAS_DO_NOT_TRACK=true,
  which this module sets before the first import: nothing may leave the machine;
- `RougeScore` tokenizes with a regex that drops Hangul (Korean scores 0), so it is not
  used; chrF (character n-grams) and Levenshtein work on any script;
- `CHRFScore` lives in `ragas.metrics.collections` (async `ascore`), while the non-LLM
  context metrics exist only as the legacy `SingleTurnMetric`s, scored here with
  `single_turn_ascore` inside one `asyncio.run` (the synchronous `single_turn_score`
  patches the event loop with nest_asyncio and writes a user id for telemetry);
- the non-LLM context metrics compare whole strings with Levenshtein and a 0.5
  threshold: a short evidence quote inside a long retrieved chunk does not count as
  found. They only mean something when reference and retrieved contexts are passages
  of similar length (see hits.py for the quote-in-passage check the harness uses)."""

from __future__ import annotations

import asyncio
import logging
import math
import os
import re
from collections import Counter
from collections.abc import Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import Any, TypeVar

from .answer_metrics import TermAnalyzer, token_f1

log = logging.getLogger(__name__)
T = TypeVar("T")

CHRF_CHAR_ORDER = 6
CHRF_BETA = 2.0

OFFLINE_LABELS: dict[str, str] = {
    "offline.chrf": "오프라인 지표: 정답과의 문자 n-그램 F점수(chrF, 1~6자, β=2) — 표면 유사도이며 의미 정확도가 아님",
    "offline.levenshtein": "오프라인 지표: 정답과의 편집 거리 유사도(1 − 정규화 레벤슈타인 거리) — 표면 유사도이며 의미 정확도가 아님",
    "offline.token_f1": "오프라인 지표: 정답과의 Kiwi 형태소 F1 — 내용어 겹침이며 의미 정확도가 아님",
    "offline.numbers_in_context": ("오프라인 지표: 답변의 숫자(기간·금액·기준·조문 번호) 중 검색 문맥에도 나오는 "
                                   "숫자의 비율 — 충실도의 근사치; 숫자 없는 답변은 None, 문맥의 다른 자리에 나온 "
                                   "같은 숫자도 근거로 셈"),
    "ragas.chrf": "ragas 비LLM 지표: CHRFScore(sacrebleu chrF) — 표면 유사도이며 의미 정확도가 아님",
    "ragas.context_precision_nonllm": ("ragas 비LLM 지표: NonLLMContextPrecisionWithReference — 검색 문맥 중 "
                                       "참조 문맥과 레벤슈타인 유사도 0.5 이상인 것의 평균 정밀도(순위 반영); "
                                       "긴 청크와 짧은 근거 인용은 일치로 보지 않음"),
    "ragas.context_recall_nonllm": ("ragas 비LLM 지표: NonLLMContextRecall — 참조 문맥 중 검색 문맥과 "
                                    "레벤슈타인 유사도 0.5 초과인 것의 비율; 긴 청크와 짧은 근거 인용은 "
                                    "일치로 보지 않음"),
}

_SPACES = re.compile(r"\s+")
_CITATION = re.compile(r"\[\d+\]")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def offline_scores(answer: str, reference: str, contexts: Sequence[str], reference_contexts: Sequence[str], *,
                   analyzer: TermAnalyzer | None = None) -> dict[str, float | None]:
    """Scores in [0, 1] keyed as in OFFLINE_LABELS. An empty reference gives None for
    the answer metrics and empty context lists None for the context metrics ("nothing
    to compare", not "bad"); the `ragas.` keys are None when ragas is not installed.
    `offline.token_f1` is there only when a Kiwi analyzer is given (building one costs
    a second, so the caller shares its own)."""
    has_reference = bool(reference.strip())
    scores: dict[str, float | None] = {
        "offline.chrf": chrf(answer, reference) if has_reference else None,
        "offline.levenshtein": levenshtein_similarity(answer, reference) if has_reference else None,
    }
    scores["offline.numbers_in_context"] = numbers_in_context(answer, contexts) if contexts else None
    if analyzer is not None:
        scores["offline.token_f1"] = round(token_f1(answer, reference, analyzer), 4) if has_reference else None
    scores.update(ragas_offline_scores(answer, reference, contexts, reference_contexts))
    return scores


# --- our own ------------------------------------------------------------------------------

def chrf(hypothesis: str, reference: str, *, char_order: int = CHRF_CHAR_ORDER, beta: float = CHRF_BETA) -> float:
    """Sentence chrF in [0, 1], the same computation as sacrebleu's CHRF defaults
    (whitespace removed, no word n-grams, effective-order averaging), so it needs no
    package and agrees with `ragas.chrf`. Characters, not words: Korean endings change
    the word but keep most of its characters."""
    hyp_ngrams = _char_ngrams(hypothesis, char_order)
    ref_ngrams = _char_ngrams(reference, char_order)
    factor = beta ** 2
    total_precision = total_recall = 0.0
    effective_order = 0
    for hyp, ref in zip(hyp_ngrams, ref_ngrams):
        n_hyp, n_ref = sum(hyp.values()), sum(ref.values())
        if n_hyp and n_ref:
            matched = sum((hyp & ref).values())
            total_precision += matched / n_hyp
            total_recall += matched / n_ref
            effective_order += 1
    if not effective_order:
        return 0.0
    precision, recall = total_precision / effective_order, total_recall / effective_order
    if not precision + recall:
        return 0.0
    return round((1 + factor) * precision * recall / (factor * precision + recall), 4)


def levenshtein_similarity(a: str, b: str) -> float:
    """1 − edit distance / length of the longer string, after collapsing whitespace
    (line breaks in an answer are formatting, not content). rapidfuzz when installed,
    else the same number in pure Python."""
    a, b = _SPACES.sub(" ", a).strip(), _SPACES.sub(" ", b).strip()
    if not a and not b:
        return 1.0
    try:
        from rapidfuzz.distance import Levenshtein
    except ImportError:
        distance = _levenshtein_distance(a, b)
    else:
        distance = Levenshtein.distance(a, b)
    return round(1 - distance / max(len(a), len(b)), 4)


def numbers_in_context(answer: str, contexts: Sequence[str]) -> float | None:
    """Share of the numbers in `answer` (citation markers aside) that also occur in the
    passages. In statutes and guides the facts that go wrong are numbers: a period, an
    amount, a threshold, an article. None when the answer has no number."""
    numbers = [_plain(n) for n in _NUMBER.findall(_CITATION.sub(" ", answer))]
    if not numbers:
        return None
    known = {_plain(n) for n in _NUMBER.findall(" ".join(contexts))}
    return round(sum(n in known for n in numbers) / len(numbers), 4)


def _plain(number: str) -> str:
    return number.replace(",", "")


def _char_ngrams(text: str, order: int) -> list[Counter[str]]:
    text = "".join(text.split())
    return [Counter(text[i:i + n] for i in range(len(text) - n + 1)) for n in range(1, order + 1)]


def _levenshtein_distance(a: str, b: str) -> int:
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


# --- ragas ---------------------------------------------------------------------------------

RAGAS_KEYS = ("ragas.chrf", "ragas.context_precision_nonllm", "ragas.context_recall_nonllm")


def ragas_available() -> bool:
    return _ragas_metrics() is not None


def ragas_offline_scores(answer: str, reference: str, contexts: Sequence[str],
                         reference_contexts: Sequence[str]) -> dict[str, float | None]:
    """ragas' non-LLM metrics (all None without ragas). One event loop per call: the
    metrics are async, and the harness scores one case at a time."""
    metrics = _ragas_metrics()
    scores: dict[str, float | None] = dict.fromkeys(RAGAS_KEYS)
    if metrics is None:
        return scores
    scores.update(run_sync(_ragas_scores(metrics, answer, reference, list(contexts), list(reference_contexts))))
    return scores


def run_sync(coroutine: Coroutine[Any, Any, T]) -> T:
    """Await `coroutine` from synchronous code, also when the caller already runs an
    event loop (an async web handler): then on a thread with a loop of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def _ragas_scores(metrics: dict[str, Any], answer: str, reference: str, contexts: list[str],
                        reference_contexts: list[str]) -> dict[str, float | None]:
    from ragas.dataset_schema import SingleTurnSample

    scores: dict[str, float | None] = {}
    if reference.strip():
        result = await metrics["chrf"].ascore(reference=reference, response=answer)
        scores["ragas.chrf"] = _finite(result.value)
    if contexts and reference_contexts:
        sample = SingleTurnSample(retrieved_contexts=contexts, reference_contexts=reference_contexts)
        scores["ragas.context_precision_nonllm"] = _finite(
            await metrics["context_precision"].single_turn_ascore(sample))
        scores["ragas.context_recall_nonllm"] = _finite(await metrics["context_recall"].single_turn_ascore(sample))
    return scores


@lru_cache(maxsize=1)
def _ragas_metrics() -> dict[str, Any] | None:
    disable_ragas_telemetry()
    try:
        from ragas.metrics._context_precision import NonLLMContextPrecisionWithReference
        from ragas.metrics._context_recall import NonLLMContextRecall
        from ragas.metrics.collections import CHRFScore
    except ImportError:
        return None
    except Exception as exc:  # a broken install must not stop the harness's own metrics
        log.warning("ragas를 불러올 수 없어 ragas 지표를 건너뜁니다: %s", exc)
        return None
    return {"chrf": CHRFScore(), "context_precision": NonLLMContextPrecisionWithReference(),
            "context_recall": NonLLMContextRecall()}


def disable_ragas_telemetry() -> None:
    """Before ragas is first imported: it reads the variable once and caches it."""
    os.environ["RAGAS_DO_NOT_TRACK"] = "true"


def _finite(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return round(number, 4) if math.isfinite(number) else None
