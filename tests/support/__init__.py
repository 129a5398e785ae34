"""Deterministic stand-ins for the seams' real implementations, for fast unit tests."""
