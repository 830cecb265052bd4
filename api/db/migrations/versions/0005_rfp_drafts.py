"""rfp drafts: saved 제안요청서 초안 per user, with a pending section proposal

Revision ID: 0005_rfp_drafts
Revises: 0004_metabolic_history
Create Date: 2026-12-06 17:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005_rfp_drafts'
down_revision = '0004_metabolic_history'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rfp_drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('agency', sa.String(length=200), nullable=False),
    sa.Column('budget_krw', sa.BigInteger(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('draft', sa.JSON(), nullable=False),
    sa.Column('proposal', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('rfp_drafts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rfp_drafts_owner'), ['owner'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('rfp_drafts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rfp_drafts_owner'))

    op.drop_table('rfp_drafts')
