"""ragas' own LLM-judged metrics (FactualCorrectness, Faithfulness) through an
OpenAI-compatible endpoint: the `eval` extra (ragas, openai) and a configured server
(vLLM in production) are needed; without them `ragas_judge_available()` is False.

This is a second opinion beside eval/judge.py, not a replacement: ragas' prompts are
English with English examples and split answers into claims over several calls
(FactualCorrectness in f1 mode: 4 calls, Faithfulness: 2), which a small model follows
poorly and the embedded model (no HTTP endpoint of its own to point ragas at) cannot
serve at all. `correctness` here is ragas' claim-level F1 against the reference (0-1,
continuous), not eval/judge.py's 0 / 0.5 / 1 grade.

`RagasJudge` puts these metrics behind eval.judge.Judge's interface (score, info, name),
so `seoul-assist eval run --judge --judge-engine ragas` records them in the same judge
block and metric keys; the run names the engine so that nobody reads an F1 as a grade.

It runs offline: `llm_factory(model, client=AsyncOpenAI(base_url=...))` wraps the
client with instructor in JSON mode (`response_format: json_object`, non-streaming
requests), so any OpenAI-compatible server works; telemetry is switched off before
ragas is imported. ragas still writes a random user id under the user's data directory
(~/.local/share/ragas) when it builds its (unsent) usage events."""

from __future__ import annotations

import hashlib
import json
import logging
import math
from collections.abc import Sequence
from typing import Any

from .judge import JudgeScores
from .offline_metrics import disable_ragas_telemetry, run_sync

log = logging.getLogger(__name__)


def ragas_judge_available() -> bool:
    disable_ragas_telemetry()
    try:
        import openai  # noqa: F401
        from ragas.llms import llm_factory  # noqa: F401
        from ragas.metrics.collections import FactualCorrectness, Faithfulness  # noqa: F401
    except ImportError:
        return False
    return True


def ragas_judge_info(model: str) -> dict[str, Any]:
    """What a run records about this judge: its model and ragas' prompt instructions."""
    disable_ragas_telemetry()
    import ragas
    from ragas.metrics.collections.factual_correctness.util import ClaimDecompositionPrompt
    from ragas.metrics.collections.faithfulness.util import NLIStatementPrompt, StatementGeneratorPrompt

    return {"model": model, "ragas_version": ragas.__version__,
            "prompts": {"claim_decomposition": ClaimDecompositionPrompt.instruction,
                        "statement_generator": StatementGeneratorPrompt.instruction,
                        "nli_statement": NLIStatementPrompt.instruction}}


class RagasJudge:
    """ragas as the judge of `eval run`: one server model (`model` at `base_url`), the
    same score() and info() as eval.judge.Judge. Each score() is its own event loop and
    HTTP client, so answer workers may call it side by side."""

    engine = "ragas"

    def __init__(self, base_url: str, model: str, *, api_key: str | None = None, timeout_s: float = 120.0) -> None:
        self.base_url = base_url
        self.model = model
        self.api_key = api_key
        self.timeout_s = timeout_s
        #: What the run records as the judge's model: the engine is part of the name, so
        #: every view that shows only the model still tells a ragas score from a grade.
        self.name = f"ragas:{model}"

    def info(self) -> dict[str, Any]:
        """engine, model, ragas' version and prompt instructions, and a short hash of both
        (another ragas version may prompt differently: a different judge)."""
        info = ragas_judge_info(self.model)
        canonical = json.dumps({"ragas_version": info["ragas_version"], "prompts": info["prompts"]},
                               ensure_ascii=False, sort_keys=True)
        return {"engine": self.engine, "model": self.name, "ragas_version": info["ragas_version"],
                "metrics": {"correctness": "FactualCorrectness(mode=f1)", "faithfulness": "Faithfulness"},
                "prompts": info["prompts"], "prompt_sha256": hashlib.sha256(canonical.encode()).hexdigest()[:16]}

    def score(self, question: str, answer: str, reference: str, contexts: Sequence[str]) -> JudgeScores:
        try:
            return ragas_judge_scores(self.base_url, self.model, question, answer, reference, contexts,
                                      api_key=self.api_key, timeout_s=self.timeout_s)
        except Exception as exc:  # noqa: BLE001 - a judge that fails leaves the scores None, never the run
            log.warning("ragas 판정 실패: %s", exc)
            message = f"ragas 판정 실패: {type(exc).__name__}: {str(exc)[:300]}"
            return JudgeScores(None, None, {"correctness": message, "faithfulness": message}, {})


def ragas_judge_scores(base_url: str, model: str, question: str, answer: str, reference: str,
                       contexts: Sequence[str], *, api_key: str | None = None,
                       timeout_s: float = 120.0) -> JudgeScores:
    """ragas FactualCorrectness (vs `reference`) and Faithfulness (vs `contexts`) of one
    answer. A metric that fails (server error, a reply ragas cannot validate) gives None
    and its error in `reasons`; nothing raises."""
    disable_ragas_telemetry()
    return run_sync(_score(base_url, model, question, answer, reference, list(contexts), api_key, timeout_s))


async def _score(base_url: str, model: str, question: str, answer: str, reference: str, contexts: list[str],
                 api_key: str | None, timeout_s: float) -> JudgeScores:
    from openai import AsyncOpenAI
    from ragas.llms import llm_factory
    from ragas.metrics.collections import FactualCorrectness, Faithfulness

    reasons: dict[str, str] = {}
    correctness = faithfulness = None
    # One client per call, closed here: its connection pool belongs to this event loop.
    # ragas retries through instructor; the client itself does not.
    client = AsyncOpenAI(base_url=base_url, api_key=api_key or "EMPTY", timeout=timeout_s, max_retries=0)
    try:
        llm = llm_factory(model, client=client, temperature=0.0)
        if not reference.strip():
            reasons["correctness"] = "모범 답안이 없어 정확도를 판정하지 않았습니다"
        elif not answer.strip():
            reasons["correctness"] = "답변이 비어 있습니다"
        else:
            correctness, reasons["correctness"] = await _metric(
                FactualCorrectness(llm=llm, mode="f1").ascore(response=answer, reference=reference),
                "ragas FactualCorrectness(f1): 답변·정답의 주장 단위 F1")
        if not contexts:
            reasons["faithfulness"] = "검색된 문맥이 없어 충실도를 판정하지 않았습니다"
        elif not answer.strip() or not question.strip():
            reasons["faithfulness"] = "질문이나 답변이 비어 있습니다"
        else:
            faithfulness, reasons["faithfulness"] = await _metric(
                Faithfulness(llm=llm).ascore(user_input=question, response=answer, retrieved_contexts=contexts),
                "ragas Faithfulness: 문맥으로 뒷받침되는 주장의 비율")
    finally:
        await client.close()
    return JudgeScores(correctness, faithfulness, reasons, {})


async def _metric(call, label: str) -> tuple[float | None, str]:
    try:
        result = await call
    except Exception as exc:  # any failure of the judge is a missing score, not a crash
        return None, f"{label} — 실패: {type(exc).__name__}: {str(exc)[:300]}"
    value = result.value
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        return None, f"{label} — 판정할 주장이 없어 점수가 없습니다"
    return round(float(value), 4), label
