"""Access control is enforced in retrieval: a document ingested for a group is invisible
to searches that do not carry that group, in every fusion mode."""

import pytest

from ingest.discovery import FoundFile
from rag.config import load_settings
from appcontext import AppContext
from rag.store.base import PointFilter

SECRET = "# 인사 내부 지침\n\n## 성과급\n\n성과상여금 등급 배정 기준은 내부 심사표에 따른다.\n"
PUBLIC = "# 공개 안내\n\n## 민원\n\n민원 처리기간은 접수일부터 계산한다.\n"


@pytest.fixture
def ctx(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "secret.md").write_text(SECRET, encoding="utf-8")
    (tmp_path / "docs" / "public.md").write_text(PUBLIC, encoding="utf-8")
    context = AppContext(load_settings("test", data_dir=str(tmp_path / "data")))
    root = tmp_path / "docs"
    context.ingest.ingest("general", root, [FoundFile(root / "secret.md", "secret.md")], access="hr",
                          remove_missing=False, progress=False)
    context.ingest.ingest("general", root, [FoundFile(root / "public.md", "public.md")], remove_missing=False,
                          progress=False)
    context.ingest.embed_pending("general", progress=False)
    yield context
    context.close()


@pytest.mark.parametrize("mode", ["sparse", "dense", "rrf", "dbsf", "weighted"])
def test_group_document_hidden_without_the_group(ctx, mode):
    hits = ctx.retriever.search("성과상여금 등급 배정 기준", "general", k=5, mode=mode)
    assert "secret.md" not in [h.source for h in hits]


@pytest.mark.parametrize("mode", ["sparse", "weighted"])
def test_group_document_visible_to_members(ctx, mode):
    hits = ctx.retriever.search("성과상여금 등급 배정 기준", "general", k=5, mode=mode,
                                flt=PointFilter.for_groups(("hr",)))
    assert hits[0].source == "secret.md"
    assert hits[0].metadata["access"] == "hr"


@pytest.mark.parametrize("mode", ["sparse", "dense", "rrf", "dbsf", "weighted"])
def test_scope_cannot_be_widened_by_the_caller_filter(ctx, mode):
    from rag.access import AccessScope

    outsider = AccessScope(collections=frozenset({"general"}), groups=())
    hits = ctx.retriever.search("성과상여금 등급 배정 기준", "general", k=5, mode=mode,
                                flt=PointFilter.for_groups(("hr",)), scope=outsider)
    assert "secret.md" not in [h.source for h in hits]
    member = AccessScope(collections=frozenset({"general"}), groups=("hr",))
    hits = ctx.retriever.search("성과상여금 등급 배정 기준", "general", k=5, mode=mode,
                                flt=PointFilter.for_groups(("hr",)), scope=member)
    assert "secret.md" in [h.source for h in hits]


def test_scope_refuses_a_collection_it_cannot_read(ctx):
    from rag.access import AccessScope
    from rag.errors import AccessDenied

    with pytest.raises(AccessDenied, match="general"):
        ctx.retriever.search("민원 처리기간", "general", scope=AccessScope(collections=frozenset({"childcare"})))


def test_rereading_a_changed_document_keeps_its_group(ctx, tmp_path):
    root = tmp_path / "docs"
    (root / "secret.md").write_text(SECRET + "\n## 추가\n\n성과상여금 이의신청은 7일 이내에 한다.\n", encoding="utf-8")
    ctx.ingest.ingest("general", root, [FoundFile(root / "secret.md", "secret.md")], access=None,
                      remove_missing=False, progress=False)
    assert ctx.state.document_status("general")["secret.md"][0] == "hr"
    hits = ctx.retriever.search("성과상여금 이의신청", "general", k=5, mode="sparse")
    assert "secret.md" not in [h.source for h in hits]
