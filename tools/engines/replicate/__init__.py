"""The `replicate` provider: hosted video models on Replicate.

`provider` is what the registry asks (models, engines, queue); `models` reads `models.json` into catalog
entries with Replicate's reference checks; `run` renders a job (the engine), `client` makes the connection,
`inputs` builds what is sent, `adoption` finds a prediction made but never recorded, `errors` says what a
failure means, `hooks` follows predictions (webhooks and the polling budget), and `schemas` reconciles the
models with their live schemas (`clapboard models --refresh`). The `replicate` library is imported by `client`,
`inputs`, `run` and `schemas` only, which load with the first Replicate render: a process that only drafts never
loads it.
"""
