"""login throttle: failed sign-ins counted per account and address; personal data already
in the conversation history masked

Revision ID: 0002_login_throttle
Revises: 0001
Create Date: 2026-12-06 14:00:00
"""
from alembic import context, op
import sqlalchemy as sa


revision = '0002_login_throttle'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('login_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('key', sa.String(length=128), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('first_failed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_failed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('kind', 'key')
    )
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_failures_last_failed_at'), ['last_failed_at'], unique=False)

    if not context.is_offline_mode():
        _mask_stored_questions()


def _mask_stored_questions() -> None:
    """Questions and titles stored before history was masked get the audit log's masking
    now, instead of keeping 주민등록번호 and phone numbers until the retention purge."""
    from rag.answer.pii import mask_pii

    bind = op.get_bind()
    messages = sa.table('messages', sa.column('id', sa.Integer), sa.column('conversation_id', sa.Integer),
                        sa.column('role', sa.String), sa.column('text', sa.Text))
    conversations = sa.table('conversations', sa.column('id', sa.Integer), sa.column('title', sa.String))
    first_question: dict[int, str] = {}
    for row in bind.execute(sa.select(messages.c.id, messages.c.conversation_id, messages.c.text)
                            .where(messages.c.role == 'user').order_by(messages.c.id)).all():
        masked = mask_pii(row.text).text
        first_question.setdefault(row.conversation_id, masked)
        if masked != row.text:
            bind.execute(messages.update().where(messages.c.id == row.id).values(text=masked))
    for row in bind.execute(sa.select(conversations.c.id, conversations.c.title)).all():
        # The title is the first question cut at 60 characters: cut from the masked question,
        # so a number the cut split in two is not left half visible.
        question = first_question.get(row.id)
        masked = question.strip()[:60] if question is not None else mask_pii(row.title).text
        if masked != row.title:
            bind.execute(conversations.update().where(conversations.c.id == row.id).values(title=masked))


def downgrade() -> None:
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_failures_last_failed_at'))

    op.drop_table('login_failures')
