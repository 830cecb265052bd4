"""An LLM judge for answers: correctness against the reference answer and faithfulness
to the retrieved passages, asked through our own `rag.llm` interface, so whatever model
the settings configure can judge (a vLLM / OpenAI-compatible server, the embedded model,
the test fake).

Judge hygiene: the prompts and JSON schemas are module constants, exposed as
`Judge.prompts` and recorded by `judge.info()` together with the judge's model name and
a hash of both, so a run says who judged and how, and two runs judged differently can
be told apart. The reply must follow a JSON schema (`GenerationParams.json_schema`:
vLLM's guided decoding, llama.cpp's grammar); a reply that still cannot be read gives
None and keeps the raw text, never an exception. Whether a judge can be trusted is
measured, not assumed: see eval/judge_agreement.py."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from rag.errors import LLMError
from rag.llm.base import LLM, ChatMessage, GenerationParams, complete

CORRECTNESS_SYSTEM = """당신은 공공기관 업무 도우미의 답변을 채점하는 평가자입니다. 질문, 모범 답안, 평가할 답변이 주어집니다.
평가할 답변이 질문에 대해 모범 답안과 같은 핵심 사실(숫자, 금액, 기간, 기준, 조문 번호, 대상, 주체)을 말하는지 판단하세요. 표현, 문체, 길이, 인용 표시([1] 등)는 점수와 관계없습니다.

점수:
- 1: 모범 답안의 핵심 사실을 모두 맞게 담았고 모범 답안과 어긋나는 내용이 없다. 다른 말로 바꿔 써도 된다.
- 0.5: 모범 답안이 말하는 사실이 둘 이상인데 답변은 그중 일부만 맞게 말한다. 틀린 내용은 없다.
- 0: 핵심 사실이 하나라도 틀렸다(다른 숫자, 다른 조문, 다른 대상). 또는 질문이 묻는 것 대신 다른 사실을 말했다. 또는 답하지 않았다("확인할 수 없습니다" 포함).

숫자와 조문 번호는 모범 답안과 하나하나 대조하세요.
JSON 객체 하나로만 답하세요. 필드: reason(이 답변과 모범 답안을 비교한 근거 한두 문장), score(0, 0.5, 1 중 하나)."""

CORRECTNESS_USER = """질문: {question}

모범 답안: {reference}

평가할 답변: {answer}"""

FAITHFULNESS_SYSTEM = """당신은 답변이 주어진 문서에 근거하는지 검증하는 평가자입니다. 질문, 문서, 평가할 답변이 주어집니다.
1. 평가할 답변을 사실 주장으로 나누세요. 한 주장에는 사실 하나만 담고, 숫자·기간·금액·조문 번호가 있는 사실은 따로 떼어 내세요.
2. 각 주장을 문서와 대조하세요. 문서에 같은 내용이 있으면 supported: true입니다. 숫자·기간·금액·조문 번호·대상이 문서와 하나라도 다르거나, 문서에 없는 내용이면 사실이더라도 supported: false입니다.
인용 표시([1] 등), 인사말, "문서에서 확인할 수 없습니다" 같은 말은 주장이 아니므로 claims에 넣지 마세요.
JSON 객체 하나로만 답하세요. 필드: claims(주장 목록, 각 항목은 claim 문자열과 supported 참/거짓), reason(판단 근거 한 문장)."""

FAITHFULNESS_USER = """질문: {question}

문서:
{contexts}

평가할 답변: {answer}"""

# The reason comes before the score: a small model that writes its reason first
# decides the score after reading it.
CORRECTNESS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "reason": {"type": "string", "maxLength": 300},
        "score": {"type": "number", "enum": [0, 0.5, 1]},
    },
    "required": ["reason", "score"],
    "additionalProperties": False,
}

FAITHFULNESS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "claims": {
            "type": "array",
            "maxItems": 8,
            "items": {
                "type": "object",
                "properties": {"claim": {"type": "string", "maxLength": 150}, "supported": {"type": "boolean"}},
                "required": ["claim", "supported"],
                "additionalProperties": False,
            },
        },
        "reason": {"type": "string", "maxLength": 300},
    },
    "required": ["claims", "reason"],
    "additionalProperties": False,
}

PROMPTS: dict[str, dict[str, Any]] = {
    "correctness": {"system": CORRECTNESS_SYSTEM, "user": CORRECTNESS_USER, "schema": CORRECTNESS_SCHEMA},
    "faithfulness": {"system": FAITHFULNESS_SYSTEM, "user": FAITHFULNESS_USER, "schema": FAITHFULNESS_SCHEMA},
}

CORRECTNESS_MAX_TOKENS = 300
FAITHFULNESS_MAX_TOKENS = 700
# Room left in the judge's window for the template around the passages and for rounding
# in token counts.
_CONTEXT_MARGIN_TOKENS = 64
_TRUNCATED = " …(이하 생략)"
_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.M)


@dataclass(frozen=True)
class JudgeScores:
    """One judged answer. A score is None when it was not asked (no reference, no
    passages) or the reply could not be read; `reasons` says which, `raw` keeps the
    judge's reply as it came."""

    correctness: float | None
    faithfulness: float | None
    reasons: dict[str, str] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)
    #: The faithfulness claims: [{"claim": str, "supported": bool}, ...]
    claims: tuple[dict[str, Any], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["claims"] = list(self.claims)
        return data


class Judge:
    """Judges one answer at a time with `llm`; `name` is what the run records as the
    judge's model (default: the backend's own name)."""

    prompts: dict[str, dict[str, Any]] = PROMPTS
    #: How this judge scores (eval.judging.ENGINES): our own prompts.
    engine = "prompt"

    def __init__(self, llm: LLM, *, name: str | None = None) -> None:
        self.llm = llm
        self.name = name or llm.name

    def info(self) -> dict[str, Any]:
        """What a run records about its judge: engine, model, prompts with schemas, and a
        short hash of the prompts for comparing runs at a glance."""
        canonical = json.dumps(self.prompts, ensure_ascii=False, sort_keys=True)
        return {"engine": self.engine, "model": self.name, "prompts": self.prompts,
                "prompt_sha256": hashlib.sha256(canonical.encode()).hexdigest()[:16]}

    def score(self, question: str, answer: str, reference: str, contexts: Sequence[str]) -> JudgeScores:
        reasons: dict[str, str] = {}
        raw: dict[str, str] = {}
        correctness = faithfulness = None
        claims: tuple[dict[str, Any], ...] = ()
        if reference.strip():
            correctness, reasons["correctness"], raw["correctness"] = self.correctness(question, answer, reference)
        else:
            reasons["correctness"] = "모범 답안이 없어 정확도를 판정하지 않았습니다"
        if contexts:
            faithfulness, reasons["faithfulness"], raw["faithfulness"], claims = self.faithfulness(
                question, answer, contexts)
        else:
            reasons["faithfulness"] = "검색된 문맥이 없어 충실도를 판정하지 않았습니다"
        return JudgeScores(correctness, faithfulness, reasons, raw, claims)

    def correctness(self, question: str, answer: str, reference: str) -> tuple[float | None, str, str]:
        """(score 0/0.5/1 or None, reason, raw reply)."""
        user = CORRECTNESS_USER.format(question=question, reference=reference, answer=answer)
        raw, error = self._ask(CORRECTNESS_SYSTEM, user, CORRECTNESS_SCHEMA, CORRECTNESS_MAX_TOKENS)
        if error:
            return None, error, raw
        return parse_correctness(raw)

    def faithfulness(self, question: str, answer: str, contexts: Sequence[str]
                     ) -> tuple[float | None, str, str, tuple[dict[str, Any], ...]]:
        """(share of supported claims or None, reason, raw reply, claims)."""
        empty = FAITHFULNESS_USER.format(question=question, contexts="", answer=answer)
        budget = (self.llm.context_window - FAITHFULNESS_MAX_TOKENS - _CONTEXT_MARGIN_TOKENS
                  - self.llm.count_tokens(FAITHFULNESS_SYSTEM) - self.llm.count_tokens(empty))
        passages, truncated = fit_contexts(self.llm, contexts, budget)
        if not passages:
            return None, "문맥이 판정 모델의 창에 들어가지 않아 충실도를 판정하지 않았습니다", "", ()
        user = FAITHFULNESS_USER.format(question=question, contexts=passages, answer=answer)
        raw, error = self._ask(FAITHFULNESS_SYSTEM, user, FAITHFULNESS_SCHEMA, FAITHFULNESS_MAX_TOKENS)
        if error:
            return None, error, raw, ()
        score, reason, claims = parse_faithfulness(raw)
        if truncated:
            # A claim supported only by the cut text is judged unsupported: say so.
            reason = f"{reason} (문맥이 판정 모델의 창보다 길어 일부를 잘랐습니다)"
        return score, reason, raw, claims

    def _ask(self, system: str, user: str, schema: dict[str, Any], max_tokens: int) -> tuple[str, str]:
        """(raw reply, error message or "")."""
        messages = [ChatMessage("system", system), ChatMessage("user", user)]
        params = GenerationParams(max_tokens=max_tokens, temperature=0.0, json_schema=schema)
        try:
            return complete(self.llm, messages, params), ""
        except LLMError as exc:
            return "", f"판정 모델 오류: {exc}"


def fit_contexts(llm: LLM, contexts: Sequence[str], budget_tokens: int) -> tuple[str, bool]:
    """The passages numbered [1], [2], … within `budget_tokens`; the first passage that
    does not fit is cut to the room left and the rest dropped. (text, truncated)."""
    parts: list[str] = []
    used = 0
    for number, text in enumerate(contexts, start=1):
        part = f"[{number}] {text.strip()}"
        cost = llm.count_tokens(part) + 1
        if used + cost <= budget_tokens:
            parts.append(part)
            used += cost
            continue
        room = budget_tokens - used - 1
        if room > 32:
            # Token counts are not linear in characters: cut in proportion, then trim
            # until the estimate fits.
            keep = max(0, int(len(part) * room / cost) - len(_TRUNCATED))
            while keep > 0 and llm.count_tokens(part[:keep] + _TRUNCATED) > room:
                keep = int(keep * 0.95)
            parts.append(part[:keep] + _TRUNCATED)
        return "\n\n".join(parts), True
    return "\n\n".join(parts), False


# --- reading replies ------------------------------------------------------------------------

def parse_correctness(raw: str) -> tuple[float | None, str, str]:
    """(score, reason, raw). A score between the allowed ones is snapped to the nearest
    of 0, 0.5, 1 (a server that does not enforce the schema may answer 0.8)."""
    data = extract_json(raw)
    if data is None:
        return None, "판정 응답을 JSON으로 읽을 수 없습니다", raw
    reason = str(data.get("reason", "")).strip()
    score = _number(data.get("score"))
    if score is None or not 0.0 <= score <= 1.0:
        return None, reason or f"점수가 없거나 0~1 밖입니다: {data.get('score')!r}", raw
    return round(score * 2) / 2, reason, raw


def parse_faithfulness(raw: str) -> tuple[float | None, str, tuple[dict[str, Any], ...]]:
    """(share of supported claims, reason, claims). No claim at all scores 1.0: nothing
    the answer says is unsupported (an abstention, a bare citation). A reply with a
    plain "score" instead of claims is read too."""
    data = extract_json(raw)
    if data is None:
        return None, "판정 응답을 JSON으로 읽을 수 없습니다", ()
    reason = str(data.get("reason", "")).strip()
    items = data.get("claims")
    if not isinstance(items, list):
        score = _number(data.get("score"))
        if score is not None and 0.0 <= score <= 1.0:
            return score, reason, ()
        return None, reason or "claims 목록이 없습니다", ()
    claims = []
    for item in items:
        supported = _boolean(item.get("supported")) if isinstance(item, dict) else None
        if supported is None:
            return None, reason or f"주장의 supported 값을 읽을 수 없습니다: {item!r}"[:200], ()
        claims.append({"claim": str(item.get("claim", "")), "supported": supported})
    if not claims:
        return 1.0, reason or "판정할 사실 주장이 없습니다", ()
    return round(sum(c["supported"] for c in claims) / len(claims), 4), reason, tuple(claims)


def extract_json(raw: str) -> dict[str, Any] | None:
    """The first JSON object in a reply: the whole reply, or inside code fences or
    chatter around it."""
    text = _FENCE.sub("", raw.strip())
    try:
        data = json.loads(text)
        return data if isinstance(data, dict) else None
    except ValueError:
        pass
    decoder = json.JSONDecoder()
    for match in re.finditer(r"\{", text):
        try:
            data, _ = decoder.raw_decode(text, match.start())
        except ValueError:
            continue
        if isinstance(data, dict):
            return data
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


_TRUE = {"true", "yes", "y", "1", "예", "네", "참", "뒷받침됨"}
_FALSE = {"false", "no", "n", "0", "아니오", "아니요", "거짓", "뒷받침되지 않음"}


def _boolean(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    return None
