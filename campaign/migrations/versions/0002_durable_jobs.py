"""Durable jobs: the typed spec, leases, the prediction to re-attach to, idempotency keys, one creative per
job, and the webhook deliveries already handled.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.alter_column("request", new_column_name="spec", existing_type=sa.JSON(), existing_nullable=False)
        batch.add_column(sa.Column("runner", sa.String(64)))
        batch.add_column(sa.Column("lease_until", TS))
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("provider_job_id", sa.String(120)))
        batch.add_column(sa.Column("provider_model", sa.String(64)))
        batch.add_column(sa.Column("idempotency_key", sa.String(200)))
        batch.add_column(sa.Column("request_hash", sa.String(64)))
        batch.create_index("ix_jobs_lease_until", ["lease_until"])
        batch.create_unique_constraint("uq_jobs_origin_idempotency_key", ["origin", "idempotency_key"])
    with op.batch_alter_table("creatives") as batch:
        batch.drop_index("ix_creatives_job_id")
        batch.create_unique_constraint("uq_creatives_job_id", ["job_id"])
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("job_id", sa.String(32)),
        sa.Column("received_at", TS, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("webhook_deliveries")
    with op.batch_alter_table("creatives") as batch:
        batch.drop_constraint("uq_creatives_job_id", type_="unique")
        batch.create_index("ix_creatives_job_id", ["job_id"])
    with op.batch_alter_table("jobs") as batch:
        batch.drop_constraint("uq_jobs_origin_idempotency_key", type_="unique")
        batch.drop_index("ix_jobs_lease_until")
        for name in ("request_hash", "idempotency_key", "provider_model", "provider_job_id", "attempts",
                     "lease_until", "runner"):  # fmt: skip
            batch.drop_column(name)
        batch.alter_column("spec", new_column_name="request", existing_type=sa.JSON(), existing_nullable=False)
