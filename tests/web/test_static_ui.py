"""The web UI's files, read without a browser (so these run everywhere): nothing that
turns server text into markup, nothing the page's CSP would block, nothing fetched from
elsewhere, and a label for every field."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from api.app import WEB_DIR

STATIC = WEB_DIR / "static"
SCRIPTS = sorted(STATIC.glob("*.js"))
# Ways a string becomes markup or code; answers and documents must only ever be text.
_UNSAFE_JS = re.compile(r"\.innerHTML|\.outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function\("
                        r"|setAttribute\(\s*['\"]style['\"]|setTimeout\(\s*['\"]")


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.fields: list[dict[str, str | None]] = []
        self.labels: set[str] = set()
        self.inline: list[str] = []
        self.urls: list[str] = []
        self._script_has_src = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if "style" in a or any(name.startswith("on") for name in a):
            self.inline.append(f"<{tag}> {a}")
        if tag in ("input", "textarea", "select") and a.get("type") != "hidden":
            self.fields.append(a)
        if tag == "label" and a.get("for"):
            self.labels.add(a["for"] or "")
        if tag == "style":
            self.inline.append("<style>")
        if tag == "script":
            self._script_has_src = bool(a.get("src"))
        for name in ("src", "href"):
            if a.get(name):
                self.urls.append(a[name] or "")

    def handle_data(self, data: str) -> None:
        if self.lasttag == "script" and not self._script_has_src and data.strip():
            self.inline.append(f"<script>{data[:40]}")


def page() -> _Page:
    parsed = _Page()
    parsed.feed((WEB_DIR / "index.html").read_text(encoding="utf-8"))
    return parsed


def test_scripts_never_turn_text_into_markup_or_code():
    assert len(SCRIPTS) >= 5
    offenders = {p.name: _UNSAFE_JS.findall(p.read_text(encoding="utf-8")) for p in SCRIPTS}
    assert {name: found for name, found in offenders.items() if found} == {}


def test_the_page_has_no_inline_script_style_or_handler():
    assert page().inline == []


def test_every_field_has_a_label():
    parsed = page()
    unlabelled = [f for f in parsed.fields if f.get("id") not in parsed.labels and not f.get("aria-label")]
    assert parsed.fields and unlabelled == []


def test_everything_the_page_loads_is_our_own():
    parsed = page()
    assert not [u for u in parsed.urls if re.match(r"^(https?:)?//", u)]
    assets = [u for u in parsed.urls if u.startswith("/static/")]
    assert {"/static/app.js", "/static/app.css"} <= set(assets)
    assert all((STATIC / u.removeprefix("/static/")).is_file() for u in assets)
    for script in SCRIPTS:
        for imported in re.findall(r"from \"\./([\w.-]+)\"", script.read_text(encoding="utf-8")):
            assert (STATIC / imported).is_file(), f"{script.name} imports missing {imported}"
    css = (STATIC / "app.css").read_text(encoding="utf-8")
    assert "@import" not in css and not re.search(r"url\(\s*['\"]?(https?:)?//", css)


def test_the_web_folder_is_where_the_app_serves_it_from():
    assert (WEB_DIR / "index.html").is_file() and STATIC.is_dir()
    assert WEB_DIR == Path(__file__).resolve().parents[2] / "api" / "web"


# Pictographs need an emoji font, which intranet PCs often lack (👍 showed as an empty box):
# icons are inline SVG instead.
_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F]")


def test_the_ui_uses_no_emoji():
    files = [WEB_DIR / "index.html", *SCRIPTS]
    found = {p.name: _EMOJI.findall(p.read_text(encoding="utf-8")) for p in files}
    assert {name: chars for name, chars in found.items() if chars} == {}
