"""Every allowed value has a Chinese label, in the one label module."""

import ast
import inspect
import re
import types
import typing

from pydantic import BaseModel

from qingdan import guide_findings, matters, models, validate
from qingdan.labels import LABELS, field_key, zh_label
from qingdan.registry import SEVERITIES

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def literal_values(annotation) -> tuple:
    """The values of every Literal inside an annotation (through Optional, list, Annotated)."""
    if typing.get_origin(annotation) is typing.Literal:
        return typing.get_args(annotation)
    found: tuple = ()
    for arg in typing.get_args(annotation):
        if not isinstance(arg, (str, int, types.NoneType)) or isinstance(arg, type):
            found += literal_values(arg)
    return found


def model_literals() -> dict[str, tuple]:
    out = {}
    for model in vars(models).values():
        if inspect.isclass(model) and issubclass(model, BaseModel) and model.__module__ == models.__name__:
            for name, info in model.model_fields.items():
                values = literal_values(info.annotation)
                if values:
                    out[field_key(model, name)] = values
    return out


def finding_codes() -> set[str]:
    """Codes the validator can report as findings: literal codes of `registry.problem(severity, code, …)`
    calls whose severity is not "error" (in the validator and the modules of its finding rules), and the
    codes made from review problems and source defects."""
    codes = set()
    modules = (validate, matters, guide_findings)
    for node in (n for module in modules for n in ast.walk(ast.parse(inspect.getsource(module)))):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "problem" and len(node.args) >= 2:
            severity, code = node.args[0], node.args[1]
            if isinstance(code, ast.Constant) and not (
                isinstance(severity, ast.Constant) and severity.value == "error"
            ):
                codes.add(code.value)
    codes |= set(model_literals()["ReviewFlag.problem"])
    codes |= {f"source_{kind}" for kind in model_literals()["SourceDefect.kind"]}
    return codes


def test_every_value_of_every_literal_in_the_models_has_a_label():
    literals = model_literals()
    assert "Agency.kind" in literals and "Phone.kind" in literals  # the walk finds them
    missing = {
        key: [v for v in values if v not in LABELS.get(key, {})]
        for key, values in literals.items()
        if not all(CHINESE.search(str(v)) for v in values)  # values that are Chinese already label themselves
    }
    assert {k: v for k, v in missing.items() if v} == {}


def test_no_label_for_a_value_that_does_not_exist():
    literals = model_literals()
    for key, labels in LABELS.items():
        if key == "severity":
            assert set(labels) == set(SEVERITIES)
        elif key == "finding":
            assert set(labels) == finding_codes()
        else:
            assert key in literals, f"{key} is not a Literal field of the models"
            assert set(labels) <= set(literals[key]), key


def test_every_severity_and_finding_code_has_a_label():
    assert finding_codes() >= {"duplicate_code", "ocr_damage", "source_truncated", "obsolete_region"}
    assert all(zh_label("finding", code) != code for code in finding_codes())
    assert all(zh_label("severity", s) != s for s in SEVERITIES)


def test_a_value_without_a_label_is_shown_as_it_is():
    assert zh_label("Agency.kind", "government") == "人民政府"
    assert zh_label("Agency.kind", "a_new_kind") == "a_new_kind"
    assert zh_label("No.such_field", "x") == "x"


def test_a_field_is_named_by_the_model_that_declares_it():
    class Base(BaseModel):
        kind: typing.Literal["a"]

    class Child(Base):
        other: int

    assert field_key(Child, "kind") == "Base.kind"
    assert field_key(Child, "other") == "Child.other"
