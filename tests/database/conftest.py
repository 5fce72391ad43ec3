"""The PostgreSQL server fixture (``pg_server``) lives in tests/conftest.py, shared with the history tests."""
