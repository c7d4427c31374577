"""Fixtures of the eligibility tests: the screening service over the fixture catalog, and its checklist variant."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.eligibility.catalog import Catalog
from core.eligibility.facts import FactRegistry
from core.eligibility.screening import EligibilityService
from tests.unit.eligibility.fixtures import (
    CATALOG_DICTS,
    CHECKLIST_CATALOG,
    CHECKLIST_REGISTRY,
    lookup,
    write_policies,
)


@pytest.fixture
def policies(tmp_path: Path) -> Path:
    return write_policies(tmp_path, CATALOG_DICTS)


@pytest.fixture
def service(policies: Path) -> EligibilityService:
    registry = FactRegistry.load(policies / "facts.yaml")
    return EligibilityService(Catalog.load(policies, registry), registry, lookup)


@pytest.fixture
def checklist_service() -> EligibilityService:
    catalog = Catalog.from_dicts(CHECKLIST_CATALOG, CHECKLIST_REGISTRY)
    return EligibilityService(catalog, CHECKLIST_REGISTRY, lookup)
