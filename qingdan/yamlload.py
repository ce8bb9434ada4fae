"""Load YAML while remembering the line of every value, so errors can name it."""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

try:  # the C loader is about 4x faster
    from yaml import CSafeLoader as Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as Loader

Path_ = tuple[str | int, ...]


class YamlError(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class LoadedYaml:
    data: object
    lines: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, path: Path_) -> int:
        """Line of the value at `path`, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


def load_yaml(text: str) -> LoadedYaml:
    try:
        node = yaml.compose(text, Loader=Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlError(line, f"YAML syntax: {exc.problem or exc}") from None
    result = LoadedYaml(data=None)
    if node is None:
        result.data = {}
        result.lines[()] = 1
        return result
    result.data = _construct(node, (), result.lines)
    return result


def _construct(node: yaml.Node, path: Path_, lines: dict[Path_, int]):
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node)
            if not isinstance(key, str):
                key = str(key)
            if key in out:
                raise YamlError(key_node.start_mark.line + 1, f"the key {key!r} appears twice in one mapping")
            out[key] = _construct(value_node, path + (key,), lines)
            lines[path + (key,)] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(item, path + (i,), lines) for i, item in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: yaml.Node):
    if isinstance(node, yaml.ScalarNode):
        if node.tag == "tag:yaml.org,2002:str" or node.style in ("'", '"', "|", ">"):
            return node.value
        return _resolve(node)
    raise YamlError(node.start_mark.line + 1, "a key must be a plain value, not a list or mapping")


_CONSTRUCTOR = yaml.constructor.SafeConstructor()


def _resolve(node: yaml.ScalarNode):
    value = _CONSTRUCTOR.construct_object(node)
    # Dates and times stay strings: the registry keeps them as printed.
    if not isinstance(value, (str, int, float, bool, type(None))):
        return node.value
    return value
