"""What an assistant is: one `assistant.yaml` in its own folder under the assistants
directory (`settings.assistants_dir`, by default the `assistants/` package beside `rag/`).

The API, the CLI and the evaluation harness all take their assistants from
`load_assistants`, so a folder is all it takes for an assistant to exist everywhere
(assistants/README.md has the contract). The core reads the folder as data and never
imports the assistants' code."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from rag.config.yaml_files import read_yaml_mapping
from rag.errors import ConfigError, UnknownAssistant

#: The file that defines an assistant inside its folder.
SPEC_FILE = "assistant.yaml"

#: How an assistant's answers are laid out. Only recorded for now: every assistant answers
#: through the core's chat; the assistants' own issues give the shapes their behaviour.
AnswerShape = Literal["default", "manual", "counselling", "rfp"]

_NAME = r"^[a-z][a-z0-9_]*$"


class AssistantSpec(BaseModel):
    """One assistant's definition, as its `assistant.yaml` states it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: The folder's name; also the model id of the OpenAI-compatible API and the
    #: `assistant` of evaluation cases.
    name: str = Field(pattern=_NAME)
    #: The Korean name users see.
    title: str = Field(min_length=1)
    #: A shorter Korean name where room is short (report charts); the title when empty.
    short_title: str = ""
    #: The vector collection it searches (several assistants may share one).
    collection: str = Field(pattern=_NAME)
    #: Folders under each corpus root that are indexed into the collection.
    folders: tuple[str, ...] = ()
    #: Collections of examples the assistant's own tools search (the RFP drafter's past
    #: notices), written as a mapping name → folders (or files) under each corpus root; kept
    #: as (name, folders) pairs so the spec stays hashable. Indexed like the main
    #: collection; chat never searches them.
    example_collections: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: Whether admins may upload documents to it (kept under uploads/<name>/).
    accepts_uploads: bool = False
    #: Who the model is, in the system prompt: "당신은 {role}입니다."
    role: str = Field(min_length=1)
    answer_shape: AnswerShape = "default"
    #: Shown by `seoul-assist demo` and as examples to users.
    sample_questions: tuple[str, ...] = ()

    @field_validator("example_collections", mode="before")
    @classmethod
    def _example_pairs(cls, value: object) -> object:
        if isinstance(value, tuple):  # already pairs (a copy of a spec)
            return value
        if not isinstance(value, Mapping):
            raise ValueError("이름: [폴더, …] 형태의 목록이어야 합니다")
        for name in value:
            if not isinstance(name, str) or not re.match(_NAME, name):
                raise ValueError(f"컬렉션 이름 '{name}'은 영문 소문자로 시작하는 소문자·숫자·밑줄이어야 합니다")
        return tuple((name, tuple(folders or ())) for name, folders in value.items())

    @property
    def label(self) -> str:
        return self.short_title or self.title

    @property
    def indexed(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """Every collection it fills with its folders: the main one, then the examples'."""
        return ((self.collection, self.folders), *self.example_collections)


class Assistants(Mapping[str, AssistantSpec]):
    """The assistants by name, in the order of their folders' names."""

    def __init__(self, specs: Iterable[AssistantSpec]) -> None:
        self._specs = {spec.name: spec for spec in sorted(specs, key=lambda s: s.name)}

    def __getitem__(self, name: str) -> AssistantSpec:
        return self._specs[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._specs)

    def __len__(self) -> int:
        return len(self._specs)

    def require(self, name: str) -> AssistantSpec:
        """The named assistant; an unknown name is an error, never a stand-in."""
        spec = self._specs.get(name)
        if spec is None:
            raise UnknownAssistant(name, tuple(self._specs))
        return spec

    @property
    def collections(self) -> tuple[str, ...]:
        return tuple(sorted({name for spec in self._specs.values() for name, _ in spec.indexed}))


def load_assistants(directory: Path) -> Assistants:
    """Every `<directory>/<name>/assistant.yaml`. Folders without one (Python caches, code
    shared by nothing) are not assistants. A malformed file fails naming file and field."""
    if not directory.is_dir():
        raise ConfigError(f"도우미 폴더가 없습니다: {directory} (설정 assistants_dir)")
    specs = [_read_spec(path) for path in sorted(directory.glob(f"*/{SPEC_FILE}"))]
    if not specs:
        raise ConfigError(f"{directory}: 도우미 정의({SPEC_FILE})가 하나도 없습니다 (설정 assistants_dir)")
    return Assistants(specs)


def _read_spec(path: Path) -> AssistantSpec:
    folder = path.parent.name
    data = read_yaml_mapping(path)
    data.setdefault("name", folder)
    data.setdefault("collection", data["name"])
    if data["name"] != folder:
        raise ConfigError(f"{path}: name '{data['name']}'은 폴더 이름 '{folder}'과 같아야 합니다")
    try:
        return AssistantSpec(**data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '(전체)'}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"{path}: 도우미 정의 오류 — {problems}") from exc
