"""document deletions: a deletion recorded before it is carried out, finished on restart

Revision ID: 0003_document_deletions
Revises: 0002_login_throttle
Create Date: 2026-12-06 15:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0003_document_deletions'
down_revision = '0002_login_throttle'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('document_deletions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('collection', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=1024), nullable=False),
    sa.Column('requested_by', sa.String(length=64), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('document_deletions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_deletions_collection'), ['collection'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('document_deletions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_deletions_collection'))

    op.drop_table('document_deletions')
