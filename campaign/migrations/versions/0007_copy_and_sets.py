"""On-screen copy as explicit fields, and creatives kept together as a set (variations, other formats).

Jobs' specs kept the copy as `fields` (headline, tagline, cta, price as text, features one per line); they now
keep `copy` (features a list, `end_text` added). Creatives get the copy they show and the set they belong to.

Revision ID: 0007
Revises: 0006
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"

_TEXT = ("headline", "tagline", "price", "cta")
_CHARS, _FEATURES = 120, 8  # what tools.brief.AdCopy takes (the old fields had no limit)


def _fit(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= _CHARS:
        return text
    cut = text[: _CHARS + 1].rsplit(" ", 1)[0]
    return (cut if len(cut) <= _CHARS else text[:_CHARS]).rstrip(" ,;:-")


def _copy(fields: dict) -> dict:
    copy = {k: _fit(str(fields[k])) for k in _TEXT if str(fields.get(k) or "").strip()}
    listed = str(fields.get("features") or "")
    parts = listed.splitlines() if "\n" in listed else listed.split(";") if ";" in listed else listed.split(",")
    features = [_fit(f) for f in parts if f.strip()][:_FEATURES]
    return {**copy, **({"features": features} if features else {})}


def upgrade() -> None:
    with op.batch_alter_table("creatives") as batch:
        batch.add_column(sa.Column("copy", sa.JSON(), nullable=False, server_default="{}"))
        batch.add_column(sa.Column("set_id", sa.String(32), nullable=True))
        batch.create_index("ix_creatives_set_id", ["set_id"])
    bind = op.get_bind()
    jobs = sa.table("jobs", sa.column("id", sa.String), sa.column("spec", sa.JSON))
    creatives = sa.table("creatives", sa.column("job_id", sa.String), sa.column("copy", sa.JSON))
    for job_id, spec in bind.execute(sa.select(jobs.c.id, jobs.c.spec)).all():
        spec = json.loads(spec) if isinstance(spec, str) else dict(spec or {})
        if "fields" not in spec:
            continue
        spec["copy"] = _copy(spec.pop("fields") or {})
        bind.execute(sa.update(jobs).where(jobs.c.id == job_id).values(spec=spec))
        bind.execute(sa.update(creatives).where(creatives.c.job_id == job_id).values(copy=spec["copy"]))


def downgrade() -> None:
    with op.batch_alter_table("creatives") as batch:
        batch.drop_index("ix_creatives_set_id")
        batch.drop_column("set_id")
        batch.drop_column("copy")
