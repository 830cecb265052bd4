"""Settings layers: package YAML → profile YAML → user YAML → environment."""

from __future__ import annotations

from pathlib import Path

import pytest

import rag
from rag.config import load_settings
from rag.errors import ConfigError

CHECKOUT = Path(rag.__file__).resolve().parents[1]


def test_test_profile_merges_over_the_defaults():
    settings = load_settings("test")

    assert settings.profile == "test"
    assert settings.embedding.mode == "fake"
    assert settings.store.mode == "edge"
    assert settings.retrieval.top_k == 10  # from settings.yaml
    assert settings.retrieval.fusion == "dbsf"  # model default, in no YAML
    # A list in the profile replaces the default list: no ../shared/corpora under test.
    assert settings.corpus_roots == [CHECKOUT / "corpora" / "samples"]


def test_other_profiles():
    local = load_settings("local")
    assert local.embedding.mode == "auto"
    assert local.corpus_roots == [CHECKOUT / "corpora" / "samples", (CHECKOUT / "../shared/corpora").resolve()]

    prod = load_settings("prod")
    assert (prod.store.mode, prod.store.url) == ("server", "http://localhost:6333")
    assert (prod.embedding.mode, prod.embedding.model) == ("openai", "BAAI/bge-m3")


def test_profile_defaults_to_the_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SEOUL_ASSIST_PROFILE", "test")

    assert load_settings().embedding.mode == "fake"


def test_environment_beats_yaml(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SEOUL_ASSIST_RETRIEVAL__TOP_K", "3")
    monkeypatch.setenv("SEOUL_ASSIST_EMBEDDING__BATCH_SIZE", "8")

    settings = load_settings("test")

    assert settings.retrieval.top_k == 3
    assert settings.embedding.batch_size == 8
    # A nested variable changes one field; the rest of the section keeps its YAML values.
    assert settings.embedding.mode == "fake"
    assert settings.retrieval.prefetch == 60


def test_overrides_beat_yaml():
    settings = load_settings("test", retrieval={"top_k": 4}, store={"prefix": "t_"})

    assert (settings.retrieval.top_k, settings.retrieval.fusion) == (4, "dbsf")
    assert (settings.store.prefix, settings.store.mode) == ("t_", "edge")


def test_user_config_dir_layers_come_after_the_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "settings.yaml").write_text("retrieval:\n  top_k: 7\n  dense_weight: 0.2\n", encoding="utf-8")
    (tmp_path / "settings-test.yaml").write_text("retrieval:\n  top_k: 9\n", encoding="utf-8")
    monkeypatch.setenv("SEOUL_ASSIST_CONFIG_DIR", str(tmp_path))

    settings = load_settings("test")

    assert (settings.retrieval.top_k, settings.retrieval.dense_weight) == (9, 0.2)
    assert settings.embedding.mode == "fake"


@pytest.mark.parametrize("variable, value", [
    ("SEOUL_ASSIST_RETRIEVAL__TOP_K", "many"),
    ("SEOUL_ASSIST_RETRIEVAL__FUSION", "average"),
    ("SEOUL_ASSIST_STORE__MODE", "memory"),
])
def test_bad_environment_value_is_a_config_error(monkeypatch: pytest.MonkeyPatch, variable: str, value: str):
    monkeypatch.setenv(variable, value)

    with pytest.raises(ConfigError, match=r"설정 오류 \(profile=test\)"):
        load_settings("test")


def test_bad_values_unknown_keys_and_profiles_are_config_errors():
    with pytest.raises(ConfigError):
        load_settings("test", embedding={"mode": "gpt"})
    with pytest.raises(ConfigError):
        load_settings("test", retreival={"top_k": 3})  # misspelt section: refused, not ignored
    with pytest.raises(ConfigError, match="off_topic_dense_floor"):
        load_settings("test", answer={"off_topic_dense_floor": 0.88})  # a retired key, named
    with pytest.raises(ConfigError, match="profile=staging"):
        load_settings("staging")


def test_unreadable_yaml_is_a_config_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SEOUL_ASSIST_CONFIG_DIR", str(tmp_path))
    (tmp_path / "settings.yaml").write_text("retrieval: [top_k: 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="YAML을 읽을 수 없습니다"):
        load_settings("test")

    (tmp_path / "settings.yaml").write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="최상위가 매핑이어야 합니다"):
        load_settings("test")


def test_relative_paths_resolve_against_the_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SEOUL_ASSIST_HOME", str(tmp_path))

    settings = load_settings("test", data_dir="state/var", corpus_roots=["docs", "/abs/corpus"])

    assert settings.data_dir == tmp_path / "state" / "var"
    assert settings.corpus_roots == [tmp_path / "docs", Path("/abs/corpus")]
    # The assistants' definitions ship with the code, wherever the home is.
    assert settings.assistants_dir == CHECKOUT / "assistants"
    assert settings.index_dir == tmp_path / "state" / "var" / "index"
    assert settings.state_path == tmp_path / "state" / "var" / "ingest.sqlite3"


def test_relative_paths_default_to_the_checkout():
    settings = load_settings("test", data_dir="var")

    assert settings.data_dir == CHECKOUT / "var"
    assert settings.assistants_dir == CHECKOUT / "assistants"


def test_absolute_paths_are_kept(tmp_path: Path):
    assert load_settings("test", data_dir=tmp_path).data_dir == tmp_path


def test_explicit_override_beats_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SEOUL_ASSIST_DATA_DIR", str(tmp_path / "from-env"))

    assert load_settings("test", data_dir=tmp_path / "from-flag").data_dir == tmp_path / "from-flag"


def test_requested_profile_is_the_one_reported(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SEOUL_ASSIST_PROFILE", "local")

    settings = load_settings("test")

    assert (settings.profile, settings.embedding.mode) == ("test", "fake")


def test_prepared_models_live_under_the_data_folder_unless_shared(tmp_path):
    own = load_settings("test", data_dir=tmp_path / "data")
    shared = load_settings("test", data_dir=tmp_path / "eval", model_cache_dir=tmp_path / "models")

    assert own.cache_dir == tmp_path / "data" / "cache"
    assert shared.cache_dir == tmp_path / "models"
    assert shared.state_path == tmp_path / "eval" / "ingest.sqlite3"  # only the models are shared
