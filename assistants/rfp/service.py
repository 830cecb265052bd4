"""One draft from inputs, for the CLI, the API and the scorer alike: the articles from the
assistant's collection, the example notices from its example collection (else the CSV
under the corpus roots), and a section writer
for the configured model (none: extractive)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .draft import RfpDraft
from .drafting import Progress, SectionWriter, draft_rfp
from .attachments import MAX_ATTACHMENTS, read_attachments
from .inputs import RfpInputError, parse_input
from .similar import find_examples
from .statutes import IndexedStatutes

if TYPE_CHECKING:
    from appcontext import AppContext

ASSISTANT = "rfp"


def draft_from_data(ctx: "AppContext", data: Any, *, llm: bool = False, progress: Progress | None = None,
                    require_budget: bool | None = None, corpus_roots: Sequence[Path] | None = None,
                    attachments: Sequence[tuple[str, Path | None]] = ()) -> RfpDraft:
    """Parse `data` (RfpInputError names a bad field) and draft. `llm`: prose by the
    context's model where one is configured. `attachments`: (file name, path) of a previous
    RFP or 과업지시서 whose requirements are reused; one that cannot be read is named in the
    draft's assumptions and the rest go on."""
    parsed = parse_input(data, require_budget=require_budget)
    if len(attachments) > MAX_ATTACHMENTS:
        raise RfpInputError("attachments", f"첨부 파일은 {MAX_ATTACHMENTS}개까지 줄 수 있습니다 ({len(attachments)}개)")
    attached = read_attachments(attachments)
    parsed.input.attachments = attached.read
    spec = ctx.assistants.require(ASSISTANT)
    articles = IndexedStatutes(ctx.retriever, spec.collection)
    roots = list(corpus_roots) if corpus_roots is not None else list(ctx.settings.corpus_roots)
    # The past notices: the assistant's example collection (assistant.yaml), else the CSV itself.
    examples_collection = spec.example_collections[0][0] if spec.example_collections else None
    examples, where = find_examples(ctx.retriever, examples_collection, roots)
    writer = _writer(ctx) if llm else None
    return draft_rfp(parsed.input, articles, assumptions=[*parsed.assumptions, *where, *attached.assumptions],
                     examples=examples, writer=writer, progress=progress, reused=attached.requirements)


def _writer(ctx: "AppContext") -> SectionWriter | None:
    model = ctx.llm()
    if model is None:
        return None
    from .prose import GroundedSectionWriter

    return GroundedSectionWriter(model, ctx.analyzer, ctx.assistants.require(ASSISTANT).role)
