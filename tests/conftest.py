"""Shared fixtures: settings and an app context on a temp data dir (test profile: fake
embedder, embedded Qdrant), and a tiny corpus root written at test time."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.config import Settings, load_settings
from appcontext import AppContext

STATUTE_SOURCE = "statutes/childcare/테스트법/법률.md"
PREVIOUS_SOURCE = "statutes/childcare/테스트법/법률.prev_in_force.md"
GUIDE_SOURCE = "metabolic/parsed/테스트 대사증후군 안내/part-01.md"

STATUTE = """---
제목: 테스트법
법령구분: 법률
소관부처:
- 보건복지부
- 교육부
공포일자: 2024-12-01
시행일자: 2025-03-01
상태: 시행
---

# 테스트법

## 제1장 총칙 <개정 2020.12.29>

##### 제1조 (목적)

이 법은 영유아(<img src="http://www.law.go.kr/flDownload.do?flSeq=1" alt="img1" >幼兒</img>)를 돌보는 어린이집의 안전한 운영에 필요한 사항을 정함을 목적으로 한다.

##### 제2조

삭제 <2020.12.29>

## 제2장 어린이집의 운영

### 제1절 안전관리

##### 제3조 (폐쇄회로 텔레비전의 설치)

**①** 어린이집 원장은 보육실마다 폐쇄회로 텔레비전을 설치하여야 한다.

**②** 원장은 녹화된 영상을 60일 이상 보관하여야 한다. <개정 2024.12.1>

### 제2절 급식

##### 제4조 (급식 관리)

어린이집 원장은 영양사가 작성한 식단에 따라 영유아에게 급식을 제공하여야 한다.
"""

PREVIOUS = """---
제목: 테스트법
법령구분: 법률
소관부처:
- 보건복지부
시행일자: 2021-01-01
상태: 폐지
---

# 테스트법

## 제1장 총칙

##### 제3조 (폐쇄회로 텔레비전의 설치)

원장은 녹화된 영상을 30일 이상 보관하여야 한다.
"""

GUIDE = """# 테스트 대사증후군 안내

## 1. 허리둘레 측정

- 숨을 편안히 내쉰 상태에서 줄자로 허리둘레를 잰다.
- 갈비뼈 아래와 골반 위의 중간 지점을 잰다.

## 2. 생활습관

### 가. 식습관

- 짠 국물 섭취를 줄이도록 권한다.

#### Q 공복 혈당은 언제 재나요?

- 8시간 이상 금식한 뒤 아침에 채혈한다.
"""


@pytest.fixture(autouse=True, scope="session")
def _isolated_environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No SEOUL_ASSIST_* variable or settings file of the developer's leaks into a test
    (session-wide, so module-scoped fixtures see the same clean environment)."""
    patch = pytest.MonkeyPatch()
    for name in list(os.environ):
        if name.startswith("SEOUL_ASSIST_") and not name.startswith("SEOUL_ASSIST_TEST_"):
            patch.delenv(name)
    patch.setenv("SEOUL_ASSIST_CONFIG_DIR", str(tmp_path_factory.mktemp("no-config")))
    yield
    patch.undo()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings("test", data_dir=tmp_path)


@pytest.fixture
def ctx(settings: Settings) -> Iterator[AppContext]:
    context = AppContext(settings)
    yield context
    context.close()


def write_text(root: Path, source: str, text: str) -> Path:
    path = root / source
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def write_sample_corpus(root: Path) -> Path:
    write_text(root, STATUTE_SOURCE, STATUTE)
    write_text(root, PREVIOUS_SOURCE, PREVIOUS)
    write_text(root, GUIDE_SOURCE, GUIDE)
    return root


@pytest.fixture
def sample_corpus(tmp_path: Path) -> Path:
    """A corpus root: one statute with its previous version, one parsed guide."""
    return write_sample_corpus(tmp_path / "corpus")


@pytest.fixture(scope="module")
def indexed_sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppContext]:
    """The sample corpus ingested and embedded into collection `childcare`, once per
    module. Read-only: tests that change the index build their own."""
    from ingest.discovery import discover

    folder = tmp_path_factory.mktemp("indexed")
    root = write_sample_corpus(folder / "corpus")
    context = AppContext(load_settings("test", data_dir=folder / "data"))
    files, _ = discover(root)
    context.ingest.ingest("childcare", root, files, progress=False)
    context.ingest.embed_pending("childcare", progress=False)
    yield context
    context.close()


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture):
    """Run the `seoul-assist` CLI (test profile, --data-dir in the test's folder);
    returns (exit code, stdout, stderr)."""
    from cli.main import main

    monkeypatch.setenv("SEOUL_ASSIST_PROFILE", "test")
    data_dir = tmp_path / "data"

    def _run(*args: str) -> tuple[int, str, str]:
        code = main(["--data-dir", str(data_dir), *args])
        out, err = capsys.readouterr()
        return code, out, err

    return _run
