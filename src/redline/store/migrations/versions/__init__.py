"""One module per schema revision, applied in order by ``store.engine.open_store``."""
