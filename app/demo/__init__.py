"""Demo organisations, users and cases for `make run`, built through the real operations."""
