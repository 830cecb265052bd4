"""The assistants' definitions (rag/assistants.py): one assistant.yaml per folder, read into
one registry; a bad file fails naming file and field, an unknown name is an error."""

from __future__ import annotations

import tomllib
from fnmatch import fnmatch
from pathlib import Path

import pytest

from rag.answer.prompts import system_prompt
from rag.assistants import load_assistants
from rag.config.settings import PACKAGED_ASSISTANTS
from rag.errors import ConfigError, UnknownAssistant

MINIMAL = "title: 시험 도우미\nrole: 시험을 돕는 도우미\n"


def write(folder: Path, name: str, text: str) -> Path:
    (folder / name).mkdir(parents=True, exist_ok=True)
    path = folder / name / "assistant.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_packaged_assistants_are_the_four_services():
    assistants = load_assistants(PACKAGED_ASSISTANTS)

    assert list(assistants) == ["childcare", "general", "metabolic", "rfp"]
    # The RFP drafter's past notices are a collection of their own, indexed like the rest.
    assert assistants.collections == ("childcare", "general", "metabolic", "rfp", "rfp_examples")
    assert assistants["rfp"].indexed == (("rfp", ("statutes/procurement", "statutes/admin/전자정부법")),
                                         ("rfp_examples", ("rfp/codeit_rfp100_data_list.csv",)))
    general = assistants["general"]
    assert general.title == "범용 AI 업무매뉴얼" and general.accepts_uploads
    assert general.folders == ("statutes/admin", "manuals/general")
    assert [a.answer_shape for a in assistants.values()] == ["manual", "manual", "counselling", "rfp"]
    assert all(a.role and a.sample_questions for a in assistants.values())
    # Each role is its own: none falls back to another's.
    assert len({system_prompt(a) for a in assistants.values()}) == 4


def test_every_definition_ships_as_package_data():
    # A wheel without them would start with no assistants.
    pyproject = tomllib.loads((PACKAGED_ASSISTANTS.parent / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["assistants"]
    files = [p.relative_to(PACKAGED_ASSISTANTS).as_posix() for p in PACKAGED_ASSISTANTS.glob("*/assistant.yaml")]

    assert len(files) == 4
    assert all(any(fnmatch(f, pattern) for pattern in patterns) for f in files)
    assert "README.md" in patterns


def test_name_and_collection_default_to_the_folder(tmp_path: Path):
    write(tmp_path, "kitchen", MINIMAL)
    (tmp_path / "__pycache__").mkdir()  # a folder without assistant.yaml is not an assistant

    (spec,) = load_assistants(tmp_path).values()

    assert (spec.name, spec.collection, spec.label) == ("kitchen", "kitchen", "시험 도우미")
    assert spec.folders == () and not spec.accepts_uploads and spec.answer_shape == "default"


@pytest.mark.parametrize("text, message", [
    ("title: 시험 도우미\n", r"role: Field required"),
    (MINIMAL + "answer_shape: poem\n", r"answer_shape: Input should be 'default', 'manual'"),
    (MINIMAL + "colour: blue\n", r"colour: Extra inputs are not permitted"),
    (MINIMAL + "name: other\n", r"name 'other'은 폴더 이름 'kitchen'과 같아야 합니다"),
    (MINIMAL + "example_collections:\n  Past-RFPs: [rfp]\n", r"example_collections: .*'Past-RFPs'"),
    (MINIMAL + "example_collections: [rfp]\n", r"example_collections: .*이름: \[폴더, …\]"),
    ("title: [시험\n", r"YAML을 읽을 수 없습니다"),
    ("- a\n", r"최상위가 매핑이어야 합니다"),
])
def test_a_bad_definition_names_its_file_and_field(tmp_path: Path, text: str, message: str):
    path = write(tmp_path, "kitchen", text)

    with pytest.raises(ConfigError, match=message) as raised:
        load_assistants(tmp_path)

    assert str(raised.value).startswith(str(path))


def test_a_missing_or_empty_folder_is_a_config_error(tmp_path: Path):
    with pytest.raises(ConfigError, match="도우미 폴더가 없습니다"):
        load_assistants(tmp_path / "none")
    with pytest.raises(ConfigError, match=r"도우미 정의\(assistant.yaml\)가 하나도 없습니다"):
        load_assistants(tmp_path)


def test_an_unknown_assistant_is_an_error_naming_the_known_ones(tmp_path: Path):
    write(tmp_path, "kitchen", MINIMAL)

    with pytest.raises(UnknownAssistant, match=r"알 수 없는 도우미: nobody \(가능: kitchen\)"):
        load_assistants(tmp_path).require("nobody")


def test_answering_for_an_unknown_assistant_fails_instead_of_borrowing_a_role(ctx):
    # Before the definitions, an assistant without a role was silently given the general one.
    with pytest.raises(UnknownAssistant, match="알 수 없는 도우미: nobody"):
        ctx.answers.answer("보관 기간은?", assistant="nobody", collection="general")
