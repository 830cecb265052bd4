"""The project's own question suites (benchmarks/suites/*.jsonl that are not generation
cases): the harness reads them as they are, and every evidence quote is the indexed text's
own words inside the article it names, so a suite that the answer layer is judged on
cannot count a miss as a hit (or the reverse) through a typo. The quotes are checked
against ../shared/corpora, skipped where it is absent."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from eval.suites import load_suite

ROOT = Path(__file__).resolve().parents[2]
SUITES = ROOT / "benchmarks" / "suites"
CORPUS = (ROOT / ".." / "shared" / "corpora").resolve()
QUESTION_SUITES = sorted(p for p in SUITES.glob("*.jsonl") if not p.stem.endswith("_cases"))
_ARTICLE_LOCATOR = re.compile(r"^제\d+조(?:의\d+)?$")


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def article_text(text: str, locator: str) -> str | None:
    """The article's section of a statute file: from its "##### 제N조 (…)" heading to the
    next heading of any level."""
    start = re.search(rf"^##### {re.escape(locator)}(?: \(.*)?$", text, re.M)
    if start is None:
        return None
    end = re.compile(r"^#{1,5} ", re.M).search(text, start.end())
    return text[start.start():end.start() if end else len(text)]


def test_there_are_question_suites_to_check():
    names = {p.stem for p in QUESTION_SUITES}
    assert {"statutes_unseen_admin", "statutes_unseen_care", "childcare_topics"} <= names


@pytest.mark.parametrize("path", QUESTION_SUITES, ids=lambda p: p.stem)
def test_the_harness_reads_the_suite_and_its_cases_are_well_formed(path: Path):
    cases = load_suite(path)
    records = lines(path)
    assert len(cases) == len(records)
    assert len({c.id for c in cases}) == len(cases), "ids must be unique"
    for record in records:
        assert record["answerable"] == bool(record["evidence"]), record["id"]
        assert record["question"].strip() and record["reference_answer"] is not None, record["id"]
        for item in record["evidence"]:
            assert 20 <= len(item["quote"]) <= 200, (record["id"], item["quote"])


@pytest.mark.parametrize("path", QUESTION_SUITES, ids=lambda p: p.stem)
def test_every_quote_is_verbatim_inside_its_article(path: Path):
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} 가 없어 인용문 대조를 건너뜁니다 (../shared/corpora 필요)")
    problems = []
    for record in lines(path):
        for item in record["evidence"]:
            file = CORPUS / item["source"]
            if not file.is_file():
                problems.append(f"{record['id']}: {item['source']} 없음")
                continue
            text = file.read_text(encoding="utf-8")
            scope = text
            if _ARTICLE_LOCATOR.match(item["locator"]):
                scope = article_text(text, item["locator"]) or ""
            if item["quote"] not in scope:
                problems.append(f"{record['id']}: {item['locator']} 안에 인용문이 없음: {item['quote'][:40]}")
    assert not problems, "\n".join(problems)
