"""The `replicate` provider: hosted video models on Replicate.

`run` renders a job (the engine), `client` makes the connection, `inputs` builds what is sent, `adoption` finds a
prediction made but never recorded, `errors` says what a failure means, `hooks` follows predictions (webhooks and
the polling budget), `schemas` reconciles the models with their live schemas, and `models.json` lists the models.
The `replicate` library is imported by those modules only, never by the package: a process that only drafts
never loads it.
"""
