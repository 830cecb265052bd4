"""An assistant's own page: its `page.html` holds only what is its own (a `<title>`, the
styles and script it links, its `<main>` and dialogs); the frame every page shares (the
document head, the site header with its navigation, the live region) is
`web/assistant_page.html`, filled in here. Four pages once repeated 25 lines each, and a
change to the header had to be made four times.

The dialog that shows a cited passage (`static/dialog.js`) is one partial too,
`web/passage_dialog.html`: a page (the chat's `index.html` included) puts
`<!-- passage-dialog -->` where it goes, or `<!-- passage-dialog title="근거 조문" -->` for
another heading than "근거 문서" (shown until a passage is opened)."""

from __future__ import annotations

import html
import re
from pathlib import Path
from string import Template

from rag.errors import ConfigError

FRAME = Path(__file__).resolve().parent / "web" / "assistant_page.html"
PASSAGE_DIALOG = FRAME.with_name("passage_dialog.html")
SITE = "서울시 AI 업무 도우미"

# `<title data-nav="제안요청서 작성">제안요청서 초안 작성</title>`: the page's name in the
# browser's tab; `data-nav`, a shorter one for the navigation (the title when left out).
_TITLE = re.compile(r'^\s*<title(?:\s+data-nav="(?P<nav>[^"<>]+)")?>(?P<title>[^<]+)</title>\s*\n?')
_MAIN = re.compile(r"^[ \t]*<main[\s>]", re.M)
_PASSAGE_DIALOG = re.compile(r'^[ \t]*<!--\s*passage-dialog(?:\s+title="(?P<title>[^"<>]+)")?\s*-->[ \t]*$', re.M)


def render_assistant_page(page: Path, name: str, assistant_title: str | None) -> str:
    """The whole document for `page` (an assistant's `page.html`) of the assistant `name`.
    `assistant_title`: its title from `assistant.yaml`; None for a folder with a page but
    no definition (then the page has no chat to link back to).

    Raises ConfigError naming the file when the page lacks its `<title>` or `<main>`."""
    text = with_partials(page.read_text(encoding="utf-8"))
    title = _TITLE.match(text)
    if title is None:
        raise ConfigError(f"{page}: 첫 줄에 <title>화면 이름</title>이 있어야 합니다.")
    rest = text[title.end():]
    main = _MAIN.search(rest)
    if main is None:
        raise ConfigError(f"{page}: 화면 본문 <main>이 없습니다.")
    page_title = title.group("title").strip()
    nav_label = (title.group("nav") or page_title).strip()
    parts = [page_title, *([assistant_title] if assistant_title else []), SITE]
    chat_link = f'        <li><a href="/#/chat/{html.escape(name)}">대화</a></li>\n' if assistant_title else ""
    return Template(FRAME.read_text(encoding="utf-8")).substitute(
        document_title=html.escape(" - ".join(parts)), head=rest[:main.start()].rstrip(),
        chat_link=chat_link, url=f"/assistants/{html.escape(name)}", nav_label=html.escape(nav_label),
        body=rest[main.start():].rstrip())


def with_partials(text: str) -> str:
    """`text` with each `<!-- passage-dialog … -->` line replaced by the shared dialog."""
    if not _PASSAGE_DIALOG.search(text):
        return text
    dialog = Template(PASSAGE_DIALOG.read_text(encoding="utf-8").rstrip("\n"))
    return _PASSAGE_DIALOG.sub(lambda m: dialog.substitute(title=html.escape(m.group("title") or "근거 문서")), text)
