"""A cited article's text read back from the index whole: a long article is stored as
several chunks that each repeat its heading and a list's lead; the text shows them once."""

from __future__ import annotations

from pathlib import Path

from appcontext import AppContext
from assistants.general.article_texts import IndexedArticles
from ingest.discovery import discover
from rag.config import load_settings

from tests.conftest import write_text

LEAD = "다음 각 호의 어느 하나에 해당하는 자는 5년 이하의 징역 또는 5천만원 이하의 벌금에 처한다."
ITEMS = [f"  {i}\\. 제{i}조를 위반하여 정보주체의 동의를 받지 아니하고 개인정보를 제3자에게 제공한 자" for i in range(1, 13)]
STATUTE = f"""---
제목: 샘플보호법
법령구분: 법률
시행일자: 2025-01-01
상태: 시행
---

# 샘플보호법

##### 제71조 (벌칙)

{LEAD}

""" + "\n".join(ITEMS) + "\n"


def test_a_long_article_reads_back_with_its_heading_and_list_lead_once(tmp_path: Path):
    root = tmp_path / "corpus"
    write_text(root, "statutes/admin/샘플보호법/법률.md", STATUTE)
    ctx = AppContext(load_settings("test", data_dir=tmp_path / "data", ingest={"max_chunk_chars": 250}))
    try:
        files, _ = discover(root)
        ctx.ingest.ingest("general", root, files, progress=False)
        chunks = [c for c in ctx.retriever.fetch("general", limit=100) if c.locator == "제71조"]
        found = IndexedArticles(ctx.retriever, "general")("샘플보호법", "제71조")
    finally:
        ctx.close()

    assert len(chunks) >= 3 and all(LEAD in c.text for c in chunks)  # each chunk says what its items are
    text, effective = found
    assert text.count(LEAD) == 1 and text.count("제71조 (벌칙)") == 1
    assert [line.strip() for line in text.splitlines() if line.strip()[:1].isdigit()] == \
        [item.strip().replace("\\.", ".") for item in ITEMS]
    assert effective == "2025-01-01"
