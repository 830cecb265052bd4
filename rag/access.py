"""Who may read what, in the form retrieval enforces.

A user's `AccessScope` names the collections they may read and the document groups they
belong to. The retriever refuses a collection outside the scope and filters points by
group, so every path that reaches passages (chat, search, the OpenAI API, exports)
inherits the same rule from retrieval instead of re-checking it in each router."""

from __future__ import annotations

from dataclasses import dataclass

from rag.errors import AccessDenied
from rag.store.base import PointFilter


@dataclass(frozen=True)
class AccessScope:
    #: Collections this principal may read; None means every collection (the CLI and
    #: maintenance jobs, which run with the operator's own rights).
    collections: frozenset[str] | None = None
    #: Document groups beyond "public" whose passages this principal may see (a user's
    #: role counts as the group "role:<role>").
    groups: tuple[str, ...] = ()
    #: Every document group: admins, who set the groups and see every document listed,
    #: and the CLI's maintenance jobs.
    every_group: bool = False

    def sees(self, access: str) -> bool:
        """Whether a document of access group `access` is visible in this scope."""
        return self.every_group or access in ("public", *self.groups)

    def can_read(self, collection: str) -> bool:
        return self.collections is None or collection in self.collections

    def check(self, collection: str) -> None:
        if not self.can_read(collection):
            raise AccessDenied(collection)

    def narrow(self, flt: PointFilter | None) -> PointFilter:
        """`flt` limited to the groups this scope may see (never widened)."""
        if self.every_group:
            return flt if flt is not None else PointFilter(access=None)
        allowed = ("public", *self.groups)
        if flt is None:
            return PointFilter.for_groups(self.groups)
        if flt.access is None:
            access = allowed
        else:
            access = tuple(a for a in flt.access if a in allowed) or ("\x00none",)
        return PointFilter(sources=flt.sources, versions=flt.versions, access=access, laws=flt.laws,
                           has_dense=flt.has_dense)


#: Documents open to everyone, in any collection: what an answer or a search sees when the
#: caller names no one (the CLI without --groups, the evaluation harness).
PUBLIC = AccessScope()
