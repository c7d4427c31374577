"""Benchmarks: `python -m benchmarks.<name>`; they print numbers, they are not timed tests."""
