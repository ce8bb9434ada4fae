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
    examples = [e for e in examples if isinstance(e, dict) and ("powers" in e or "services" in e)]
    assert examples, "registry/README.md lost its examples"
    for example in examples:
        assert [e.message for e in validator.iter_errors(example)] == []


# SHA-256 of each seed as published (shared/seeds/ when the registry was made): the registry's copies
# are the sources every record cites, so they must stay byte for byte what was published.
PUBLISHED_SEEDS = {
    "000_2903a70c0f9a469d.txt": "56e0e0b926cadca9fb80eb445a4b7d8f4aa2a48ecf5365e9798a34132dd41e5d",
    "001_8867712424c57041.txt": "2b066461a72de465560b286e1eea80a73cfa09715d30edc81c9b3cc9f2348d33",
    "002_636ee1d66b13e432.txt": "405cfadfb8db48bc4a29af62d1ce85fe003c20c8ae3af04d066b230ae2cefe77",
    "003_f3418079043bdde9.txt": "4f3ba8d390c1cf8507c515156313950a9bde5e3dfe55b663421bd1a31d97b3c1",
    "004_c1cf65d724724f9f.txt": "7f70a7fbf90e987e737abd4d9004767ee26bcff1670cc7beb7e84634f08098ca",
}


def test_registry_sources_are_the_published_seeds():
    import hashlib

    from .conftest import SEEDS

    copies = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(SEEDS.glob("*.txt"))}
    assert copies == PUBLISHED_SEEDS


def test_powers_and_services_share_the_guide_fields_in_their_own_order():
    from qingdan.models import GuideRecord, Power, PublicService

    shared = set(GuideRecord.model_fields)
    assert shared <= set(Power.model_fields) and shared <= set(PublicService.model_fields)
    assert list(Power.model_fields)[4:7] == ["agency", "code", "code_scheme"]  # own fields among the shared ones
    order = list(PublicService.model_fields)
    assert order.index("process") + 1 == order.index("processes") < order.index("handling")

    with pytest.raises(TypeError, match="field_order must name each field once"):

        class Broken(GuideRecord):
            field_order = ("agency",)
            extra: str
