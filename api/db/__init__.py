"""The server's own records (users, sessions, conversations, feedback, audit, upload
jobs) in SQLAlchemy, SQLite by default and PostgreSQL by URL, migrated with Alembic."""

from .database import Database
from .models import (ApiKey, AuditEvent, Base, CollectionReader, Conversation, DocumentDeletion, Feedback,
                     LoginFailure, Message, MetabolicAssessment, SavedRfpDraft,
                     UploadJob, User, UserSession)

__all__ = ["ApiKey", "AuditEvent", "Base", "CollectionReader", "Conversation", "Database", "DocumentDeletion", "Feedback",
           "LoginFailure", "Message", "MetabolicAssessment", "SavedRfpDraft", "UploadJob", "User", "UserSession"]
