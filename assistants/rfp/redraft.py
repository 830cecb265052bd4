"""The drafting pipeline (drafting.py) applied to a saved draft: one section written again
(a regeneration proposal), the sections that list the requirement rows rebuilt after the
rows change, and the checker's findings recomputed. Thin: what a section says is the
drafting's own builders' and model writer's; here only the context a section is written in
is rebuilt from the saved draft — its inputs, rule facts, current requirement rows, similar
notices and the sections before it.

Every citation of a rebuilt section is checked against the index, as a new draft's are: one
that is not there is removed and listed in the draft's ``removed_citations``."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from api.errors import InputError

from . import drafting
from .checker import check
from .draft import RfpDraft, Section
from .draft_edits import find_section
from .drafting import PROSE_SECTIONS, DraftContext, SectionWriter, remove_unindexed_citations
from .requirements import project_terms
from .rules import RuleSet, compute_rules
from .similar import ExampleNotice
from .statutes import ArticleSource, IndexedStatutes

if TYPE_CHECKING:
    from appcontext import AppContext

ASSISTANT = "rfp"
#: Sections the drafting builds from the requirement rows (사업 범위, 총괄표, 상세 요구사항).
REQUIREMENT_SECTIONS = ("Ⅰ-3", "Ⅳ-1", "Ⅳ-2")


def indexed_articles(ctx: "AppContext") -> ArticleSource:
    return IndexedStatutes(ctx.retriever, ctx.assistants.require(ASSISTANT).collection)


def model_writer(ctx: "AppContext") -> SectionWriter | None:
    """The configured model's writer for the prose sections (None: extractive only, also
    when the configured model cannot run here)."""
    model = ctx.answers.llm()
    if model is None:
        return None
    from .prose import GroundedSectionWriter

    return GroundedSectionWriter(model, ctx.analyzer, ctx.assistants.require(ASSISTANT).role)


def refresh_findings(draft: RfpDraft) -> None:
    """The checker's findings for the rows as they now are (the old ones replaced)."""
    terms = project_terms(draft.input)
    check(draft.requirements, terms.words, terms.system)


def rebuild_section(draft: RfpDraft, number: str, articles: ArticleSource,
                    writer: SectionWriter | None = None) -> tuple[Section, list[str]]:
    """Section `number` written again as the drafting writes it now (the model's prose for
    the sections a model writes, when `writer` is one); the draft is not changed. Returns
    the new section and the articles removed from it for not being indexed."""
    current = find_section(draft, number)
    builder = drafting._BUILDERS.get(number)
    if builder is None:
        raise InputError("section", f"'{number}' 절은 초안 작성 순서에 없는 절이라 다시 생성할 수 없습니다: "
                                    "직접 수정해 주세요")
    ctx = _context(draft, number, articles)
    fresh = builder(ctx, Section(current.number, current.title, current.level))
    if writer is not None and writer.name != "extractive" and number in PROSE_SECTIONS:
        written = writer.write(number, current.title, ctx, fresh.paragraphs)
        if written is not None:
            fresh.paragraphs, fresh.truncated = written
    probe = RfpDraft(input=draft.input, sections=[fresh])
    remove_unindexed_citations(probe, articles)
    return fresh, probe.removed_citations


def rebuild_requirement_sections(draft: RfpDraft, articles: ArticleSource) -> list[str]:
    """After the rows changed: the sections listing them written again from the rows as
    they are; returns their numbers."""
    rebuilt = []
    numbers = {s.number for s in draft.sections}
    for number in REQUIREMENT_SECTIONS:
        if number not in numbers:
            continue
        fresh, removed = rebuild_section(draft, number, articles)
        apply_section(draft, fresh, removed)
        rebuilt.append(number)
    return rebuilt


def apply_section(draft: RfpDraft, fresh: Section, removed: list[str]) -> Section:
    section = find_section(draft, fresh.number)
    section.paragraphs, section.citations, section.truncated = fresh.paragraphs, fresh.citations, fresh.truncated
    draft.removed_citations.extend(r for r in removed if r not in draft.removed_citations)
    return section


def verify_citations(draft: RfpDraft, articles: ArticleSource) -> list[str]:
    """Every article the draft cites checked against the index (a draft read from a file
    may cite anything); returns those removed now."""
    before = list(draft.removed_citations)
    remove_unindexed_citations(draft, articles)
    return [c for c in draft.removed_citations if c not in before]


def _context(draft: RfpDraft, number: str, articles: ArticleSource) -> DraftContext:
    rules = compute_rules(draft.input, articles)
    # The draft's own facts win: the section must say what the rest of the draft says.
    facts = {**rules.facts, **draft.rule_facts}
    examples = [(ExampleNotice(s.notice_no, s.project_name, s.agency, "", ""), s.score) for s in draft.similar]
    index = next(i for i, s in enumerate(draft.sections) if s.number == number)
    return DraftContext(draft.input, RuleSet(facts, rules.assumptions), project_terms(draft.input),
                        draft.requirements, examples, done=copy.deepcopy(draft.sections[:index]))
