"""Fixtures of the integration tests on the real policies/ catalog (tests/helpers/catalog.py loads it)."""

from __future__ import annotations

import pytest

from core.eligibility.catalog import Catalog
from core.eligibility.facts import FactRegistry
from core.eligibility.screening import EligibilityService
from tests.helpers.catalog import load_catalog, load_registry, load_service


@pytest.fixture(scope="module")
def registry() -> FactRegistry:
    return load_registry()


@pytest.fixture(scope="module")
def catalog(registry: FactRegistry) -> Catalog:
    return load_catalog(registry)


@pytest.fixture(scope="module")
def service(catalog: Catalog, registry: FactRegistry) -> EligibilityService:
    return load_service(catalog, registry)
