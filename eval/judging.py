"""The LLM judge inside `seoul-assist eval run --judge`: which model judges, how it is
built, and what each case's record and the run's run.json say about it.

The judge model is chosen like the answering one, through `rag.llm.factory.build_llm`,
on a copy of the run's settings whose `llm` block is replaced: by default the settings'
own `llm` block (profile and environment, not `--llm`), else `--judge-llm MODE`, or an
OpenAI-compatible server with `--judge-base-url URL --judge-model NAME`. The settings'
API key goes only to the settings' own server; another server gets
$SEOUL_ASSIST_JUDGE_API_KEY.

Two engines judge (`--judge-engine`): `prompt` (eval.judge.Judge, our own Korean prompts
through `rag.llm`, correctness graded 0 / 0.5 / 1) and `ragas` (eval.ragas_judge.RagasJudge:
ragas' FactualCorrectness in f1 mode, a claim-level F1, and Faithfulness, through an
OpenAI-compatible server only). Both fill the same record block and metric keys, so the
engine is recorded beside them (run.json's judge.engine, metrics.json's judge.engine) and
a run keeps one engine throughout.

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

    from .ragas_judge import RagasJudge

log = logging.getLogger(__name__)

JUDGE_API_KEY_ENV = "SEOUL_ASSIST_JUDGE_API_KEY"
#: Judge models behind an HTTP server: named by model and address, asked concurrently.
SERVER_MODES = ("openai", "vllm")
#: How a judge scores (`--judge-engine`); a run judged before engines existed was "prompt".
ENGINES = ("prompt", "ragas")
DEFAULT_ENGINE = "prompt"
#: What answer.correctness / answer.faithfulness mean under each engine (metrics.json, report).
ENGINE_SCALES: dict[str, dict[str, str]] = {
    "prompt": {"correctness": "자체 판정 프롬프트(eval/judge.py): 모범 답안 대비 0 / 0.5 / 1 등급",
               "faithfulness": "자체 판정 프롬프트: 검색 구절이 뒷받침하는 주장의 비율"},
    "ragas": {"correctness": "ragas FactualCorrectness(f1): 답변·모범 답안의 주장 단위 F1 (0~1 연속값)",
              "faithfulness": "ragas Faithfulness: 검색 구절이 뒷받침하는 주장의 비율"},
}
RAGAS_NEEDS_SERVER = "ragas 판정에는 OpenAI 호환 서버가 필요합니다 (ragas는 HTTP로만 모델을 부릅니다)"


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
               model: str | None = None, engine: str = DEFAULT_ENGINE) -> JudgeSpec:
    """The judge model asked for on the command line, filled in from the settings' `llm`
    block. A server address alone means an OpenAI-compatible server. The ragas engine
    takes nothing but a server with an address."""
    if engine not in ENGINES:
        raise ConfigError(f"--judge-engine은 {', '.join(ENGINES)} 중 하나여야 합니다: {engine}")
    mode = mode or ("openai" if base_url else llm.mode)
    if engine == "ragas":
        return _ragas_spec(llm, mode, base_url, model)
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


def _ragas_spec(llm: "LLMSettings", mode: str, base_url: str | None, model: str | None) -> JudgeSpec:
    if mode not in SERVER_MODES:
        raise ConfigError(f"{RAGAS_NEEDS_SERVER}: 판정 모델 방식이 {mode}입니다. --judge-base-url URL "
                          "--judge-model NAME으로 서버를 정하거나, 설정의 llm 블록을 mode openai/vllm과 base_url로 "
                          "두세요 (또는 --judge-engine prompt)")
    spec = JudgeSpec(mode, model or llm.model, base_url or llm.base_url)
    if not spec.base_url:
        raise ConfigError(f"{RAGAS_NEEDS_SERVER}: 서버 주소가 없습니다. --judge-base-url URL을 쓰거나 설정의 "
                          "llm.base_url을 정하세요")
    if not spec.model:
        raise ConfigError(f"{RAGAS_NEEDS_SERVER}: --judge-model NAME으로 서버의 모델 이름을 정하세요")
    return spec


def engine_from_meta(block: dict[str, Any] | None) -> str:
    """The engine a stored run was judged with (run.json's judge.engine; "prompt" for runs
    from before engines were recorded)."""
    return str((block or {}).get("engine") or DEFAULT_ENGINE)


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
        update["api_key"] = judge_api_key(settings, spec)
    return settings.model_copy(update={"llm": cfg.model_copy(update=update)})


def judge_api_key(settings: Settings, spec: JudgeSpec) -> str | None:
    """The key a server judge gets: $SEOUL_ASSIST_JUDGE_API_KEY, else the settings' key
    when the judge is the settings' own server. The settings' key belongs to the
    settings' server; never send it elsewhere."""
    cfg = settings.llm
    return os.environ.get(JUDGE_API_KEY_ENV) or (cfg.api_key if spec.base_url == cfg.base_url else None)


def build_judge(settings: Settings, spec: JudgeSpec, engine: str = DEFAULT_ENGINE) -> "Judge | RagasJudge":
    """The judge, its model built now (a model that cannot run here fails the run before
    it starts, not after an hour of answering). `engine` "ragas": ragas' metrics through
    the server `spec` names (the `eval` extra must be installed)."""
    if engine == "ragas":
        return _build_ragas_judge(settings, spec)
    if engine != DEFAULT_ENGINE:
        raise ConfigError(f"알 수 없는 판정 방식입니다: {engine} ({', '.join(ENGINES)} 중 하나)")
    llm = build_llm(judge_settings(settings, spec))
    if llm is None:  # judge_spec refuses extractive; a caller's own spec might not
        raise ConfigError("판정 모델이 없습니다 (llm.mode=extractive)")
    return Judge(llm)


def _build_ragas_judge(settings: Settings, spec: JudgeSpec) -> "RagasJudge":
    from .ragas_judge import RagasJudge, ragas_judge_available

    if spec.mode not in SERVER_MODES or not spec.base_url or not spec.model:
        raise ConfigError(f"{RAGAS_NEEDS_SERVER}: --judge-base-url URL --judge-model NAME으로 서버를 정하세요")
    if not ragas_judge_available():
        raise ConfigError("ragas 판정(--judge-engine ragas)에는 ragas와 openai 패키지가 필요합니다: "
                          "pip install -e '.[eval]'")
    return RagasJudge(spec.base_url, spec.model, api_key=judge_api_key(settings, spec),
                      timeout_s=settings.llm.timeout_s)


def close_judge(judge: "Judge | RagasJudge | None") -> None:
    """Release a judge's resources (a server judge's HTTP client)."""
    llm = getattr(judge, "llm", None)
    if callable(getattr(llm, "close", None)):
        llm.close()


def judge_lock(spec: JudgeSpec | None) -> threading.Lock | None:
    """A lock for a judge whose model lives in this process (the embedded one, the fake):
    several answer workers (a server answering) must not call it at once. A server judge
    takes concurrent requests and gets none."""
    return None if spec is not None and spec.mode in SERVER_MODES else threading.Lock()


def judge_meta(judge: "Judge | RagasJudge", spec: JudgeSpec | None) -> dict[str, Any]:
    """run.json's judge block: the judge's info() (engine, model, prompts, prompt hash)
    and how to build its model again on resume."""
    return {**judge.info(), "llm": spec.as_dict() if spec else None}


def metrics_label(block: dict[str, Any] | None) -> dict[str, Any] | None:
    """metrics.json's `judge` entry from run.json's judge block: who judged, with which
    engine and prompts, and what the two scores mean under that engine (None: not judged)."""
    if not block or not block.get("model"):
        return None
    engine = engine_from_meta(block)
    label: dict[str, Any] = {"engine": engine, "model": block["model"], "prompt_sha256": block.get("prompt_sha256")}
    if block.get("ragas_version"):
        label["ragas_version"] = block["ragas_version"]
    if engine in ENGINE_SCALES:
        label["scales"] = dict(ENGINE_SCALES[engine])
    return label


# --- one case ----------------------------------------------------------------------------------

def judge_case(judge: "Judge | RagasJudge", question: str, reference: str, answer: Answer | None,
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
