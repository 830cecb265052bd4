"""One draft from inputs, for the CLI, the API and the scorer alike: the articles from the
assistant's collection, the example notices from the corpus roots, and a section writer
for the configured model (none: extractive)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .draft import RfpDraft
from .drafting import Progress, SectionWriter, draft_rfp
from .inputs import parse_input
from .similar import example_index
from .statutes import IndexedStatutes

if TYPE_CHECKING:
    from appcontext import AppContext

ASSISTANT = "rfp"


def draft_from_data(ctx: "AppContext", data: Any, *, llm: bool = False, progress: Progress | None = None,
                    require_budget: bool | None = None, corpus_roots: Sequence[Path] | None = None) -> RfpDraft:
    """Parse `data` (RfpInputError names a bad field) and draft. `llm`: prose by the
    context's model where one is configured."""
    parsed = parse_input(data, require_budget=require_budget)
    collection = ctx.assistants.require(ASSISTANT).collection
    articles = IndexedStatutes(ctx.retriever, collection)
    roots = list(corpus_roots) if corpus_roots is not None else list(ctx.settings.corpus_roots)
    writer = _writer(ctx) if llm else None
    return draft_rfp(parsed.input, articles, assumptions=parsed.assumptions, examples=example_index(roots),
                     writer=writer, progress=progress)


def _writer(ctx: "AppContext") -> SectionWriter | None:
    model = ctx.llm()
    if model is None:
        return None
    from .prose import GroundedSectionWriter

    return GroundedSectionWriter(model, ctx.analyzer, ctx.assistants.require(ASSISTANT).role)
