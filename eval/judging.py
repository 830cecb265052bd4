"""The LLM judge inside `seoul-assist eval run --judge`: which model judges, how it is
built, and what each case's record and the run's run.json say about it.

The judge model is chosen like the answering one, through `rag.llm.factory.build_llm`,
on a copy of the run's settings whose `llm` block is replaced: by default the settings'
own `llm` block (profile and environment, not `--llm`), else `--judge-llm MODE`, or an
OpenAI-compatible server with `--judge-base-url URL --judge-model NAME`. The settings'
API key goes only to the settings' own server; another server gets
$SEOUL_ASSIST_JUDGE_API_KEY.

Only answered cases are judged (an abstention or a failed answer has nothing to judge:
the abstention and error counts measure those); correctness needs a reference answer,
faithfulness the passages the answer was given. Every record of a judged run carries a
`judge` block, also when it was not judged, so the run's metrics know it was judged and
give null, not nothing, where no case of a group could be scored."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from rag.answer.types import Answer, Passage
from rag.config import Settings
from rag.errors import ConfigError, SeoulAssistError
from rag.llm.factory import build_llm

from .judge import Judge, JudgeScores
from .provenance import without_secrets

if TYPE_CHECKING:
    from rag.config.settings import LLMSettings

log = logging.getLogger(__name__)

JUDGE_API_KEY_ENV = "SEOUL_ASSIST_JUDGE_API_KEY"
#: Judge models behind an HTTP server: named by model and address, asked concurrently.
SERVER_MODES = ("openai", "vllm")


@dataclass(frozen=True)
class JudgeSpec:
    """How to build the judge's model: an `llm.mode`, and for a server its model name
    and address (None: the settings' own)."""

    mode: str
    model: str | None = None
    base_url: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return without_secrets(asdict(self))  # no password inside a URL goes to disk


def judge_spec(llm: "LLMSettings", mode: str | None = None, base_url: str | None = None,
               model: str | None = None) -> JudgeSpec:
    """The judge model asked for on the command line, filled in from the settings' `llm`
    block. A server address alone means an OpenAI-compatible server."""
    mode = mode or ("openai" if base_url else llm.mode)
    if mode == "extractive":
        raise ConfigError("판정(--judge)에는 언어 모델이 필요한데 설정의 llm.mode가 extractive입니다: "
                          "--judge-llm MODE 또는 --judge-base-url URL --judge-model NAME으로 판정 모델을 정하세요")
    if mode in SERVER_MODES:
        return JudgeSpec(mode, model or llm.model, base_url or llm.base_url)
    if base_url:
        raise ConfigError(f"--judge-base-url은 서버 모델(openai, vllm)에만 쓸 수 있습니다 (--judge-llm {mode})")
    if model and mode != "vllm-local":
        raise ConfigError(f"--judge-model은 openai, vllm, vllm-local 판정 모델에만 쓸 수 있습니다 (--judge-llm {mode})")
    return JudgeSpec(mode, model if mode == "vllm-local" else None)


def spec_from_meta(block: dict[str, Any] | None) -> JudgeSpec | None:
    """The judge model a stored run was judged with (run.json's judge.llm), or None."""
    llm = (block or {}).get("llm")
    if not isinstance(llm, dict) or not llm.get("mode"):
        return None
    return JudgeSpec(str(llm["mode"]), llm.get("model"), llm.get("base_url"))


def judge_settings(settings: Settings, spec: JudgeSpec) -> Settings:
    """A copy of `settings` whose `llm` block builds the judge's model (timeouts, window
    and threads stay the settings' own)."""
    cfg = settings.llm
    update: dict[str, Any] = {"mode": spec.mode}
    if spec.model:
        update["model"] = spec.model
    if spec.mode in SERVER_MODES:
        update["base_url"] = spec.base_url
        # The settings' key belongs to the settings' server; never send it elsewhere.
        update["api_key"] = os.environ.get(JUDGE_API_KEY_ENV) or (
            cfg.api_key if spec.base_url == cfg.base_url else None)
    return settings.model_copy(update={"llm": cfg.model_copy(update=update)})


def build_judge(settings: Settings, spec: JudgeSpec) -> Judge:
    """The judge, its model built now (a model that cannot run here fails the run before
    it starts, not after an hour of answering)."""
    llm = build_llm(judge_settings(settings, spec))
    if llm is None:  # judge_spec refuses extractive; a caller's own spec might not
        raise ConfigError("판정 모델이 없습니다 (llm.mode=extractive)")
    return Judge(llm)


def judge_lock(spec: JudgeSpec | None) -> threading.Lock | None:
    """A lock for a judge whose model lives in this process (the embedded one, the fake):
    several answer workers (a server answering) must not call it at once. A server judge
    takes concurrent requests and gets none."""
    return None if spec is not None and spec.mode in SERVER_MODES else threading.Lock()


def judge_meta(judge: Judge, spec: JudgeSpec | None) -> dict[str, Any]:
    """run.json's judge block: the judge's info() (model, prompts, prompt hash) and how
    to build its model again on resume."""
    return {**judge.info(), "llm": spec.as_dict() if spec else None}


# --- one case ----------------------------------------------------------------------------------

def judge_case(judge: Judge, question: str, reference: str, answer: Answer | None,
               passages: Sequence[Passage], lock: threading.Lock | None = None) -> dict[str, Any]:
    """The `judge` block of one record: the scores (None: not asked, or no score came
    back), the judge's reasons and the faithfulness claims. `unscored` names the scores
    that were asked for but did not come back (an unreadable reply, whose raw text is
    kept under `raw`, or a failing judge); `skipped` marks a case not judged at all.
    Never raises: a judge that fails leaves the scores None. `lock`: held while judging,
    for a judge model that answers one request at a time (see judge_lock)."""
    if answer is None:
        return _skipped("답변이 실패하여 판정하지 않았습니다")
    if answer.abstained or answer.mode == "abstained":
        return _skipped("답변을 거절하여 판정하지 않았습니다")
    if not answer.text.strip():
        return _skipped("답변이 비어 있어 판정하지 않았습니다")
    contexts = [context_text(p) for p in passages]
    asked = [name for name, wanted in (("correctness", bool(reference.strip())), ("faithfulness", bool(contexts)))
             if wanted]
    try:
        with lock or nullcontext():
            scores = judge.score(question, answer.text, reference, contexts)
    except SeoulAssistError as exc:  # Judge catches LLMError; anything else of ours ends here
        log.warning("판정 실패: %s", exc)
        message = f"판정 모델 오류: {exc}"
        scores = JudgeScores(None, None, {name: message for name in asked})
    return judge_block(scores, asked)


def judge_block(scores: JudgeScores, asked: Sequence[str] = ("correctness", "faithfulness")) -> dict[str, Any]:
    block: dict[str, Any] = {"correctness": scores.correctness, "faithfulness": scores.faithfulness,
                             "reasons": dict(scores.reasons), "claims": list(scores.claims)}
    unscored = [name for name in asked if getattr(scores, name) is None]
    if unscored:
        block["unscored"] = unscored
    unread = {name: raw for name, raw in scores.raw.items() if raw and name in unscored}
    if unread:
        block["raw"] = unread
    if unscored:
        log.warning("판정 점수를 얻지 못했습니다 (%s): %s", ", ".join(unscored),
                    "; ".join(scores.reasons.get(name, "") for name in unscored))
    return block


def context_text(passage: Passage) -> str:
    """A passage as the judge reads it: its citation label (a statute's article number is
    a fact an answer may state) and the whole retrieved text."""
    label = passage.label.strip()
    text = passage.chunk.text.strip()
    return f"{label}\n{text}" if label and label not in text[:len(label) + 8] else text


def _skipped(reason: str) -> dict[str, Any]:
    return {"correctness": None, "faithfulness": None, "reasons": {"correctness": reason, "faithfulness": reason},
            "claims": [], "skipped": True}
