"""Fixtures the API test modules share (the case tests' production-mode API over the sample households)."""

from tests.helpers.cases import case_world  # noqa: F401 - registers the fixture
