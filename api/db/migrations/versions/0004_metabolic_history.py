"""metabolic history: saved assessments, record and result stored only as ciphertext

Revision ID: 0004_metabolic_history
Revises: 0003_document_deletions
Create Date: 2026-12-06 17:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004_metabolic_history'
down_revision = '0003_document_deletions'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('metabolic_assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('label_ciphertext', sa.Text(), nullable=False),
    sa.Column('payload_ciphertext', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('metabolic_assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_metabolic_assessments_owner'), ['owner'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('metabolic_assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_metabolic_assessments_owner'))

    op.drop_table('metabolic_assessments')
