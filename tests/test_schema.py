"""The JSON Schema editors use is derived from the models and checks the same things."""

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from qingdan.schema import schema_text

from .conftest import MINI_YAML

COMMITTED = Path(__file__).parent.parent / "registry" / "schema" / "registry-file.schema.json"


def test_committed_schema_is_up_to_date():
    assert COMMITTED.read_text(encoding="utf-8") == schema_text(), "run `make schema`"


@pytest.fixture(scope="module")
def validator():
    return jsonschema.Draft202012Validator(json.loads(schema_text()))


def test_schema_accepts_the_fixture(validator):
    assert list(validator.iter_errors(yaml.safe_load(MINI_YAML.read_text(encoding="utf-8")))) == []


@pytest.mark.parametrize(
    "breakage",
    [
        lambda d: d["powers"][0].pop("name"),
        lambda d: d["powers"][0].update(categroy="x"),
        lambda d: d["services"][0].update(levels=["D"]),
        lambda d: d["agencies"][0].update(id="Not An ID"),
    ],
)
def test_schema_rejects_broken_records(validator, breakage):
    data = yaml.safe_load(MINI_YAML.read_text(encoding="utf-8"))
    breakage(data)
    assert list(validator.iter_errors(data))


def test_registry_readme_examples_follow_the_schema(validator):
    readme = (COMMITTED.parent.parent / "README.md").read_text(encoding="utf-8")
    blocks = [b.split("```", 1)[0] for b in readme.split("```yaml\n")[1:]]
    examples = [yaml.safe_load(b) for b in blocks]
    examples = [e for e in examples if isinstance(e, dict) and "powers" in e]
    assert examples, "registry/README.md lost its examples"
    for example in examples:
        assert [e.message for e in validator.iter_errors(example)] == []


def test_registry_sources_are_the_published_seeds():
    from .conftest import SHARED_SEEDS

    copies = sorted((COMMITTED.parent.parent / "sources").glob("*.txt"))
    assert len(copies) == 5
    if SHARED_SEEDS.exists():
        for copy in copies:
            assert copy.read_bytes() == (SHARED_SEEDS / copy.name).read_bytes(), copy.name
