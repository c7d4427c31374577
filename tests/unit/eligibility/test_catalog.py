"""The measure catalog: loading, public dicts, round trips, corpus errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from core.eligibility.catalog import Catalog
from core.eligibility.screening import EligibilityService
from core.errors import CorpusError, NotFound
from tests.unit.eligibility.fixtures import (
    CATALOG_DICTS,
    MEDICAL,
    MICROCREDIT,
    REGISTRY,
    lookup,
    write_policies,
)


def test_catalog_loads_in_file_order_and_parses_rules(policies: Path) -> None:
    catalog = Catalog.load(policies, REGISTRY)
    assert catalog.ids == sorted(m["id"] for m in CATALOG_DICTS)
    assert len(catalog) == len(CATALOG_DICTS)
    assert "microcredit" in catalog
    assert catalog.get("microcredit").rule is not None


def test_catalog_get_unknown_is_not_found(policies: Path) -> None:
    with pytest.raises(NotFound, match="no-such-measure"):
        Catalog.load(policies, REGISTRY).get("no-such-measure")


def test_public_dict_is_the_whole_measure_without_the_ast(policies: Path) -> None:
    catalog = Catalog.load(policies, REGISTRY)
    public = catalog.to_public_dict(catalog.get("microcredit"))
    assert public == {**MICROCREDIT, "keywords": [], "amount_value": None, "checked_on_application": []}
    json.dumps(public, ensure_ascii=False)


def test_extra_fields_are_kept(tmp_path: Path) -> None:
    folder = write_policies(tmp_path, [{**MEDICAL, "region": "测试县", "keywords": ["看病", "医保"]}])
    catalog = Catalog.load(folder, REGISTRY)
    public = catalog.to_public_dict(catalog.get(MEDICAL["id"]))
    assert public["region"] == "测试县"
    assert public["keywords"] == ["看病", "医保"]


def test_from_dicts_round_trips_a_snapshot(service: EligibilityService, policies: Path) -> None:
    catalog = Catalog.load(policies, REGISTRY)
    snapshot = json.loads(json.dumps(catalog.to_dicts(), ensure_ascii=False))
    restored = EligibilityService(Catalog.from_dicts(snapshot, REGISTRY), REGISTRY, lookup)
    facts = {"household_type": "脱贫户", "housing_safety_grade": "D", "age": 30}
    assert restored.screen(facts).to_dict() == service.screen(facts).to_dict()


def test_from_dicts_rejects_duplicates() -> None:
    with pytest.raises(CorpusError, match="Duplicate measure id 'medical-insurance-premium-subsidy'"):
        Catalog.from_dicts([MEDICAL, MEDICAL], REGISTRY)


def test_folder_without_measures_gives_an_empty_catalog(tmp_path: Path) -> None:
    assert len(Catalog.load(tmp_path, REGISTRY)) == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"id": "other-id"}, "id 'other-id' must equal the file name"),
        ({"basis": []}, "basis"),
        ({"name": None}, "name"),
        ({"how_to_apply": "去村委会"}, "how_to_apply"),
        ({"category": "别的"}, "category '别的' is not one of"),
        ({"eligibility": {"fact": "age", "gt": 1}}, "needs exactly one operator"),
        ({"eligibility": {"fact": "household_type", "eq": "贫困户"}}, "not allowed for 'household_type'"),
        ({"basis": [{"doc_id": "t-credit", "quote": "x", "page": 3}]}, "basis.0.page"),
    ],
)
def test_bad_measures_raise_corpus_error_naming_the_file(
    tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    folder = write_policies(tmp_path, [])
    (folder / "measures" / "microcredit.yaml").write_text(
        yaml.safe_dump({**MICROCREDIT, **change}, allow_unicode=True), encoding="utf-8"
    )
    with pytest.raises(CorpusError, match=message) as info:
        Catalog.load(folder, REGISTRY)
    assert "microcredit.yaml" in info.value.detail


@pytest.mark.parametrize("text", ["id: [unclosed", "- a list", "just text"])
def test_unreadable_measure_files_name_the_file(tmp_path: Path, text: str) -> None:
    folder = write_policies(tmp_path, [])
    (folder / "measures" / "broken.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(CorpusError, match=r"broken\.yaml"):
        Catalog.load(folder, REGISTRY)


def test_duplicate_ids_across_yaml_and_yml(tmp_path: Path) -> None:
    folder = write_policies(tmp_path, [MEDICAL])
    text = (folder / "measures" / f"{MEDICAL['id']}.yaml").read_text(encoding="utf-8")
    (folder / "measures" / f"{MEDICAL['id']}.yml").write_text(text, encoding="utf-8")
    with pytest.raises(CorpusError, match="duplicate measure id"):
        Catalog.load(folder, REGISTRY)


def test_amount_value_is_validated_against_the_amount_text() -> None:
    base = {**MICROCREDIT, "amount": "每人每月90元"}
    good = Catalog.from_dicts([{**base, "amount_value": {"value": 90, "unit": "元/月"}}], REGISTRY)
    value = good.get("microcredit").amount_value
    assert value is not None and (value.number, value.unit, value.bound) == ("90", "元/月", None)
    assert Catalog.to_public_dict(good.get("microcredit"))["amount_value"] == {
        "value": 90.0,
        "unit": "元/月",
        "bound": None,
    }
    assert Catalog.from_dicts([MICROCREDIT], REGISTRY).get("microcredit").amount_value is None  # optional
    bad = {
        "not in the text": ({"value": 9, "unit": "元/月"}, "does not appear in `amount`"),  # 90元 is not 9元
        "unit": ({"value": 90, "unit": "块/月"}, "amount_value.unit"),
        "zero": ({"value": 0, "unit": "元/月"}, "amount_value.value"),
        "bound": ({"value": 90, "unit": "元/月", "bound": "about"}, "amount_value.bound"),
        "extra": ({"value": 90, "unit": "元/月", "note": "x"}, "amount_value.note"),
    }
    for case, (amount_value, message) in bad.items():
        with pytest.raises(CorpusError, match=message):
            Catalog.from_dicts([{**base, "amount_value": amount_value}], REGISTRY)
        assert case
    with pytest.raises(CorpusError, match="needs the `amount` text"):
        Catalog.from_dicts(
            [{**base, "amount": None, "amount_value": {"value": 90, "unit": "元/月"}}], REGISTRY
        )


def test_screening_results_carry_the_amount(policies: Path) -> None:
    data = [
        {**m, "amount": "每人每月90元", "amount_value": {"value": 90, "unit": "元/月"}} for m in CATALOG_DICTS
    ]
    service = EligibilityService(Catalog.from_dicts(data, REGISTRY), REGISTRY, lookup)
    item = service.screen({}, ["microcredit"]).to_dict()["results"][0]
    assert item["amount"] == "每人每月90元"
    assert item["amount_value"] == {"value": 90.0, "unit": "元/月", "bound": None}
