"""The deployment files stay in step with the code: deploy/compose.yaml parses, names the
services the README describes, and every SEOUL_ASSIST_* variable it or the Dockerfile sets
is a real settings field that loads (pydantic-settings silently ignores unknown nested
names, so a renamed field would otherwise go unnoticed until production)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel

from rag.config import Settings, load_settings

REPO = Path(__file__).resolve().parents[1]
COMPOSE = REPO / "deploy" / "compose.yaml"
DOCKERFILE = REPO / "Dockerfile"
PREFIX = "SEOUL_ASSIST_"
# Read by load_settings/base_dir themselves, not fields.
NOT_FIELDS = {"SEOUL_ASSIST_HOME", "SEOUL_ASSIST_CONFIG_DIR", "SEOUL_ASSIST_PROFILE"}
# ${NAME}, ${NAME:-default}, ${NAME-default}: what docker compose substitutes.
_INTERPOLATION = re.compile(r"\$\{(\w+)(?::?-([^}]*))?\}")


def _compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def _interpolate(value: object) -> str:
    """The value compose would pass with none of the variables set (their defaults)."""
    return _INTERPOLATION.sub(lambda m: m.group(2) or "", str(value))


def _app_env() -> dict[str, str]:
    env = _compose()["services"]["app"]["environment"]
    assert isinstance(env, dict), "app.environment는 NAME: value 매핑이어야 합니다"
    return {name: _interpolate(value) for name, value in env.items()}


def _dockerfile_env() -> dict[str, str]:
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    found: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("ENV "):
            found.update(dict(re.findall(r"(\w+)=(\S+)", line)))
    return found


def _field_path(name: str) -> list[str]:
    """SEOUL_ASSIST_SERVER__DATABASE_URL → ['server', 'database_url'], checked field by field."""
    parts = name.removeprefix(PREFIX).lower().split("__")
    model: type[BaseModel] | None = Settings
    for depth, part in enumerate(parts):
        assert model is not None, f"{name}: '{parts[depth - 1]}' 아래에는 필드가 없습니다"
        field = model.model_fields.get(part)
        assert field is not None, f"{name}: '{part}' 는 {model.__name__}의 필드가 아닙니다"
        annotation = field.annotation
        model = annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
    assert model is None, f"{name}: 값이 아니라 설정 묶음을 가리킵니다"
    return parts


def _loaded(settings: Settings, path: list[str]) -> object:
    value: object = settings
    for part in path:
        value = getattr(value, part)
    return value


def test_compose_parses_and_names_the_services() -> None:
    services = _compose()["services"]
    assert {"app", "qdrant", "vllm"} <= set(services)
    assert services["app"]["build"]["context"] == ".."
    gpu = services["vllm"]["deploy"]["resources"]["reservations"]["devices"][0]
    assert gpu["driver"] == "nvidia" and "gpu" in gpu["capabilities"]
    for name in ("app", "qdrant", "vllm"):
        assert services[name].get("healthcheck") or name == "app", f"{name}: healthcheck가 없습니다"


@pytest.mark.parametrize("source", ["compose", "dockerfile"])
def test_every_variable_is_a_settings_field(source: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env = _app_env() if source == "compose" else _dockerfile_env()
    ours = {k: v for k, v in env.items() if k.startswith(PREFIX)}
    assert ours, f"{source}: SEOUL_ASSIST_* 변수가 없습니다"
    for name in list(os.environ):
        if name.startswith(PREFIX):
            monkeypatch.delenv(name)
    monkeypatch.setenv("SEOUL_ASSIST_CONFIG_DIR", str(tmp_path))  # no settings files from the cwd
    for name, value in ours.items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    for name, value in ours.items():
        if name in NOT_FIELDS:
            continue
        loaded = _loaded(settings, _field_path(name))
        if isinstance(loaded, (str, int, float)) and not isinstance(loaded, bool) and value:
            assert str(loaded) == value, f"{name}: {value!r} 가 {loaded!r} 로 읽혔습니다"


def test_compose_prod_settings_point_at_the_stack(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SEOUL_ASSIST_CONFIG_DIR", str(tmp_path))
    for name, value in _app_env().items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    assert settings.profile == "prod"
    assert settings.store.mode == "server" and settings.store.url == "http://qdrant:6333"
    assert settings.llm.mode == "vllm" and settings.llm.base_url == "http://vllm:8000/v1"
    assert settings.embedding.mode == "openai" and settings.embedding.base_url == "http://embed:8000/v1"
    assert settings.server.host == "0.0.0.0"
    # An empty DATABASE_URL means SQLite in the data volume.
    assert settings.database_url.startswith("sqlite:///")


def test_served_model_names_match_the_settings() -> None:
    services = _compose()["services"]
    env = _app_env()

    def served(service: str) -> str:
        command = [_interpolate(c) for c in services[service]["command"]]
        return command[command.index("--served-model-name") + 1]

    assert served("vllm") == env["SEOUL_ASSIST_LLM__MODEL"]
    assert served("embed") == env["SEOUL_ASSIST_EMBEDDING__MODEL"]
    llm = [_interpolate(c) for c in services["vllm"]["command"]]
    assert llm[llm.index("--max-model-len") + 1] == env["SEOUL_ASSIST_LLM__CONTEXT_WINDOW"]


def test_dockerfile_serves_on_8080_with_a_healthcheck() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert 'CMD ["seoul-assist", "serve"]' in text
    assert "EXPOSE 8080" in text
    assert "HEALTHCHECK" in text and "/healthz" in text
    assert 'VOLUME ["/app/var"]' in text
    ignored = (REPO / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".venv", "var", ".git", "test-artifacts"} <= set(ignored)
