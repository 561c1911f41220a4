"""Helpers shared by gonogo's own tests (not collected: no test files here)."""
