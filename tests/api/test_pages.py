"""Assistant pages in the shared frame (api/pages.py): each `page.html` holds only its own
title, links and body; the header and navigation are the frame's."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import assistants
from api.pages import render_assistant_page, with_partials
from rag.assistants import load_assistants
from rag.config import load_settings
from rag.errors import ConfigError

ASSISTANTS = load_assistants(load_settings("test").assistants_dir)


@pytest.mark.parametrize("name", ["general", "childcare", "metabolic", "rfp"])
def test_each_page_gets_the_frame_once_with_its_own_parts(name):
    page = Path(assistants.__file__).parent / name / "page.html"
    document = render_assistant_page(page, name, ASSISTANTS[name].title)

    assert document.startswith("<!doctype html>") and document.count("<main") == 1
    assert document.count('<header class="site-header">') == 1 and document.count('id="announcer"') == 1
    title = re.search(r"<title>([^<]+)</title>", document).group(1)
    assert title.endswith(f" - {ASSISTANTS[name].title} - 서울시 AI 업무 도우미")
    assert f'<a href="/#/chat/{name}">대화</a>' in document
    assert f'href="/assistants/{name}" aria-current="page"' in document
    # The page's own script is linked in the head, after the shared styles.
    head = document[:document.index("</head>")]
    assert head.index("/static/app.css") < head.index(f"/assistants/{name}/static/")


def test_a_shorter_navigation_label_and_escaped_text(tmp_path):
    page = tmp_path / "page.html"
    page.write_text('<title data-nav="작성 &amp; 검토">초안 작성 <b></title>\n<main>본문</main>\n', encoding="utf-8")
    with pytest.raises(ConfigError):
        render_assistant_page(page, "demo", "데모")  # "<b>" inside the title is not a title

    page.write_text('<title data-nav="작성">초안 작성</title>\n<main>본문</main>\n', encoding="utf-8")
    document = render_assistant_page(page, "demo", "데모 <도우미>")

    assert "<title>초안 작성 - 데모 &lt;도우미&gt; - 서울시 AI 업무 도우미</title>" in document
    assert 'aria-current="page">작성</a>' in document


@pytest.mark.parametrize("text, missing", [
    ("<main>본문</main>\n", "<title>"),
    ("<title>이름</title>\n<div>본문</div>\n", "<main>"),
])
def test_a_page_without_its_title_or_main_fails_naming_the_file(tmp_path, text, missing):
    page = tmp_path / "page.html"
    page.write_text(text, encoding="utf-8")

    with pytest.raises(ConfigError) as error:
        render_assistant_page(page, "demo", "데모")

    assert str(page) in str(error.value) and missing in str(error.value)


@pytest.mark.parametrize("name, heading", [("metabolic", "근거 문서"), ("rfp", "근거 조문")])
def test_the_passage_dialog_is_the_shared_one_with_the_page_heading(name, heading):
    page = Path(assistants.__file__).parent / name / "page.html"
    document = render_assistant_page(page, name, ASSISTANTS[name].title)

    assert "passage-dialog -->" not in document and document.count('id="passage-dialog"') == 1
    assert f'<h2 id="passage-title">{heading}</h2>' in document
    assert document.index("</main>") < document.index('id="passage-dialog"') < document.index("</body>")


def test_the_chat_page_gets_the_same_dialog_and_a_heading_is_escaped():
    index = Path(__file__).resolve().parents[2] / "api" / "web" / "index.html"
    document = with_partials(index.read_text(encoding="utf-8"))
    assert document.count('id="passage-dialog"') == 1 and '<h2 id="passage-title">근거 문서</h2>' in document

    assert '<h2 id="passage-title">조문 &amp; 지침</h2>' in with_partials(
        '<main></main>\n  <!-- passage-dialog title="조문 &amp; 지침" -->\n'.replace("&amp;", "&"))
