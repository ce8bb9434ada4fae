"""Load YAML while remembering the line of every value, so errors can name it.

Registry files are untrusted input, so the loader bounds what it builds: it reads the C
parser's event stream (fast, and not recursive) and builds plain values itself, refusing
tags, merge keys, deep nesting, cyclic aliases and alias bombs before they cost time or
memory. Every failure is a `YamlError` with a line, never a traceback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

try:  # the C parser is about 4x faster
    from yaml import CSafeLoader as Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as Loader

Path_ = tuple[str | int, ...]

MAX_FILE_CHARS = 10_000_000  # the largest registry file is ~60 KB
MAX_DEPTH = 50  # a registry file nests about 8 deep
MAX_ALIASES = 100  # per file; the registry uses none
MAX_VALUES = 1_000_000  # values in a file once aliases are expanded (an alias bomb has billions)
MAX_NUMBER_DIGITS = 100

# Characters YAML itself forbids raw (C0 controls but tab and line ends, DEL, C1 but NEL,
# surrogates, non-characters); also refused when written as escapes ("\e", "\x00") in values,
# so registry text can go to a terminal, an XML feed or a page as it is.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")

_STR, _NULL, _BOOL, _INT, _FLOAT = (f"tag:yaml.org,2002:{name}" for name in ("str", "null", "bool", "int", "float"))
_MERGE = "tag:yaml.org,2002:merge"


class YamlError(Exception):
    """A file the loader refuses; `code` names the kind of error."""

    def __init__(self, line: int, message: str, code: str = "yaml_syntax"):
        super().__init__(message)
        self.line = line
        self.message = message
        self.code = code


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


def control_character_name(char: str) -> str:
    return f"U+{ord(char):04X}" + (" (NUL)" if char == "\0" else "")


def load_yaml(text: str) -> LoadedYaml:
    if len(text) > MAX_FILE_CHARS:
        raise YamlError(1, f"the file is too large ({len(text):,} characters; at most {MAX_FILE_CHARS:,})", "too_large")
    bad = CONTROL.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        column = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
        raise YamlError(
            line,
            f"control character {control_character_name(bad.group())} at column {column}: "
            "a registry file must be plain text",
            "control_character",
        )
    builder = _Builder()
    try:
        for event in yaml.parse(text, Loader=Loader):
            builder.feed(event)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlError(line, f"YAML syntax: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:  # e.g. a reader error: no mark, but a position
        raise YamlError(_line_at(text, getattr(exc, "position", 0)), f"YAML syntax: {exc}") from None
    return builder.result()


def _line_at(text: str, position: int | None) -> int:
    return text.count("\n", 0, position or 0) + 1


@dataclass
class _Open:
    """A list or mapping being built."""

    value: list | dict
    path: Path_
    anchor: str | None
    size: int = 1  # values inside, aliases expanded
    key: object = None
    key_line: int = 0
    expecting_key: bool = True


class _Builder:
    """Turns parser events into plain values and a line map, within the bounds above."""

    def __init__(self):
        self.stack: list[_Open] = []
        self.anchors: dict[str, tuple[object, int]] = {}  # anchor → (value, expanded size)
        self.open_anchors: set[str] = set()
        self.aliases = 0
        self.total = 0
        self.documents = 0
        self.data: object = None
        self.lines: dict[Path_, int] = {}

    def result(self) -> LoadedYaml:
        if self.documents == 0:
            return LoadedYaml(data={}, lines={(): 1})
        return LoadedYaml(data=self.data, lines=self.lines)

    def feed(self, event) -> None:
        line = event.start_mark.line + 1 if event.start_mark else 1
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise YamlError(line, "YAML syntax: a registry file holds one document (remove the second '---')")
        elif isinstance(event, yaml.ScalarEvent):
            self._check_tag(event, line)
            self._add(self._scalar(event, line), line, 1, event.anchor)
        elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            self._check_tag(event, line)
            if len(self.stack) >= MAX_DEPTH:
                raise YamlError(line, f"lists and mappings are nested more than {MAX_DEPTH} deep", "yaml_depth")
            self._count(1, line)
            path = self._child_path(line)
            self.lines[path] = line
            container = [] if isinstance(event, yaml.SequenceStartEvent) else {}
            if event.anchor:
                self.open_anchors.add(event.anchor)
            self.stack.append(_Open(container, path, event.anchor))
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            done = self.stack.pop()
            if done.anchor:
                self.open_anchors.discard(done.anchor)
                self.anchors[done.anchor] = (done.value, done.size)
            self._attach(done.value, line, done.size, counted=True)
        elif isinstance(event, yaml.AliasEvent):
            self._alias(event.anchor, line)

    def _check_tag(self, event, line: int) -> None:
        if event.tag is not None:
            tag = event.tag.replace("tag:yaml.org,2002:", "!!")
            raise YamlError(line, f"YAML tags such as {tag} are not allowed in the registry", "yaml_tag")

    def _scalar(self, event, line: int):
        value = event.value
        bad = CONTROL.search(value)
        if bad:
            raise YamlError(
                line,
                f"control character {control_character_name(bad.group())} in the text "
                "(written as an escape): registry text must be printable",
                "control_character",
            )
        if not event.implicit[0]:  # quoted or block: text as written
            return value
        tag = _RESOLVER.resolve(yaml.ScalarNode, value, (True, False))
        if tag == _MERGE:
            raise YamlError(line, "merge keys (<<) are not allowed in the registry: write the fields out", "yaml_tag")
        if tag in (_NULL, _BOOL, _INT, _FLOAT):
            if tag in (_INT, _FLOAT) and len(value) > MAX_NUMBER_DIGITS:
                raise YamlError(
                    line,
                    f"a number of more than {MAX_NUMBER_DIGITS} digits (quote it if it is text)",
                    "malformed_value",
                )
            return _CONSTRUCTOR.construct_object(yaml.ScalarNode(tag, value))
        return value  # text; dates and times stay as printed

    def _alias(self, anchor: str, line: int) -> None:
        self.aliases += 1
        if self.aliases > MAX_ALIASES:
            raise YamlError(line, f"more than {MAX_ALIASES} aliases (*name) in one file", "yaml_alias")
        if anchor in self.open_anchors:
            raise YamlError(line, f"the alias *{anchor} refers to a list or mapping that contains it", "yaml_alias")
        if anchor not in self.anchors:
            raise YamlError(line, f"the alias *{anchor} refers to no anchor &{anchor} above it", "yaml_alias")
        value, size = self.anchors[anchor]
        self._add(value, line, size, None)

    def _count(self, size: int, line: int) -> None:
        self.total += size
        if self.total > MAX_VALUES:
            raise YamlError(
                line, f"the file expands to more than {MAX_VALUES:,} values (aliases are copied)", "yaml_alias"
            )

    def _add(self, value, line: int, size: int, anchor: str | None) -> None:
        self._count(size, line)
        if anchor:
            self.anchors[anchor] = (value, size)
        self._attach(value, line, size, counted=False)

    def _child_path(self, line: int) -> Path_:
        if not self.stack:
            return ()
        parent = self.stack[-1]
        if isinstance(parent.value, list):
            return parent.path + (len(parent.value),)
        if parent.expecting_key:
            raise YamlError(line, "a key must be a plain value, not a list or mapping")
        return parent.path + (parent.key,)

    def _attach(self, value, line: int, size: int, counted: bool) -> None:
        """Put a finished value into its parent (or make it the document)."""
        if not self.stack:
            self.data = value
            self.lines.setdefault((), line)
            return
        parent = self.stack[-1]
        parent.size += size
        if isinstance(parent.value, list):
            if not counted:  # a list or mapping recorded its line when it opened
                self.lines[parent.path + (len(parent.value),)] = line
            parent.value.append(value)
            return
        if parent.expecting_key:
            if isinstance(value, (list, dict)):
                raise YamlError(line, "a key must be a plain value, not a list or mapping")
            key = value if isinstance(value, str) else str(value)
            if key in parent.value:
                raise YamlError(line, f"the key {key!r} appears twice in one mapping", "duplicate_key")
            parent.key, parent.key_line, parent.expecting_key = key, line, False
            return
        self.lines[parent.path + (parent.key,)] = parent.key_line
        parent.value[parent.key] = value
        parent.expecting_key = True


_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
