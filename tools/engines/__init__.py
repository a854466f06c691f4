"""Video engines behind one interface (`base.py`), each provider a package (`draft/` renders locally,
`replicate/` runs hosted models), found through `registry.py`."""
