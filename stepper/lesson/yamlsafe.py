"""Reading a lesson's YAML safely, keeping every node's line and column.

ruamel.yaml's round-trip loader reads YAML 1.2 (``1e-3`` is a number, ``no`` a string) and
remembers positions, but it is not a safe loader: it does not run ``!!python`` tags, yet it
builds a ``bytes`` for ``!!binary``, a set for ``!!set`` and keeps unknown tags on the value,
and it expands aliases without limit when the data are walked. So the composer (the stage that
turns parser events into nodes, before anything is constructed) is replaced by one that

- refuses every explicit tag but the plain ones (``!!str``, ``!!int``, ``!!float``, ``!!bool``,
  ``!!null``, ``!!seq``, ``!!map``) and puts a placeholder in the refused node's place, so that
  nothing is ever constructed from it and the rest of the file can still be checked;
- refuses a plain tag on a value it does not fit (``!!int 0.5``, ``!!bool maybe``), which
  ruamel's constructors would meet with a ValueError or a KeyError;
- refuses a whole number of more than MAX_DIGITS digits before it is converted (Python will
  not convert more than 4,300 digits, and no lesson needs a tenth of that);
- reports every duplicate key (ruamel stops at the first) and keeps the first value;
- counts what aliases repeat, from node sizes computed once, and stops past a small budget
  (the "billion laughs" is refused after a few hundred events, not after expanding it);
- stops at a nesting depth no lesson needs.

Long rows of plain numbers (the weights of a big network) are read apart, by
``stepper.lesson.fastrows``, and put back into the tree with their positions: ruamel alone
takes a minute over 10^6 of them.

What comes back is plain Python data (dict, list, str, int, float, bool, None) plus the
round-trip tree, from which a problem's position is looked up only when there is a problem.
"""

from __future__ import annotations

import datetime
import re
import secrets
from collections.abc import Hashable
from typing import Any

from stepper.lesson import fastrows
from stepper.lesson.errors import LessonError, Problem, msg

#: Largest lesson file read, in bytes: 10^6 weights fit in well under this.
MAX_BYTES = 64 * 1024 * 1024
#: Nodes that aliases may repeat beyond their anchor before the file is refused.
MAX_ALIAS_VALUES = 100_000
#: Deepest nesting of lists and mappings; a lesson needs about 6.
MAX_DEPTH = 64
#: Most values (numbers, texts, lists, mappings) read one by one by ruamel, at some 50-100 µs
#: each: 10^5 take a few seconds. A row of plain numbers that the fast path reads (fastrows)
#: counts as one, so 10^6 weights in rows stay far below it; 50,000 samples of two inputs,
#: some 450,000 values, are refused instead of taking a minute.
MAX_VALUES = 100_000
#: Longest whole number, in digits: past the largest float (309 digits), below Python's 4,300.
MAX_DIGITS = 400
_YAML_TAG = "tag:yaml.org,2002:"
_PLAIN_TAGS = {f"{_YAML_TAG}{t}" for t in ("str", "int", "float", "bool", "null", "seq", "map")}
#: The scalar tags a value must read as, and what the value may resolve to without the tag.
_FITS = {
    f"{_YAML_TAG}int": ({f"{_YAML_TAG}int"}, "int_type"),
    f"{_YAML_TAG}float": ({f"{_YAML_TAG}float", f"{_YAML_TAG}int"}, "float_type"),
    f"{_YAML_TAG}bool": ({f"{_YAML_TAG}bool"}, "bool_type"),
    f"{_YAML_TAG}null": ({f"{_YAML_TAG}null"}, "null"),
}
_PREFIXES = ("0x", "0o", "0b", "0X", "0O", "0B")
_SURROGATE = re.compile("[\ud800-\udfff]")


class _Refused:
    """Stands in the data for a value whose tag was refused (already reported)."""

    def __repr__(self) -> str:
        return "<refused>"


#: The value of a refused node: the schema says nothing more about it.
REFUSED: Any = _Refused()

Path = tuple[Hashable, ...]


class _Stop(Exception):
    """Raised inside the composer for a problem after which reading cannot go on."""

    def __init__(self, message: str, mark: Any) -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark


def parse(path: str, text: str) -> tuple[Any, Any, list[Problem]]:
    """Parse ``text``: (plain data, ruamel tree, problems that did not stop the reading).

    Raises LessonError for a file that cannot be read as YAML at all (syntax, an alias bomb,
    nesting too deep). The problems returned (refused tags, duplicate keys, keys that are not
    names) are already located; the data have ``REFUSED`` where a refused value was.
    """
    deep = _flow_too_deep(text)
    if deep is not None:
        raise LessonError([Problem(path, _too_deep(), *deep)])
    masked, rows = fastrows.mask(text)
    while rows:  # the long rows of numbers read apart (see stepper.lesson.fastrows)
        # A problem found here is found at the same place as in the text as written: the
        # emptied rows keep every other character where it was.
        tree, found = _parse(path, masked, rows)
        filled = fastrows.fill(tree, rows)
        if len(filled) == len(rows):
            return _Walker(path, found).plain(tree, ()), tree, found
        # Some rows were no sequences (inside a text, a comment, a key): read again with
        # those as written and the others emptied (fewer each time, so this ends).
        masked, rows = fastrows.mask(text, only=filled)
    tree, found = _parse(path, text, {})
    return _Walker(path, found).plain(tree, ()), tree, found


def _parse(
    path: str, text: str, rows: dict[tuple[int, int], fastrows.Row]
) -> tuple[Any, list[Problem]]:
    """ruamel's tree of ``text`` (where ``rows`` are emptied) and the problems found."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError
    from ruamel.yaml.reader import ReaderError

    found: list[Problem] = []
    yaml = YAML(typ="rt")
    yaml.Composer = _composer_class(path, found, rows)
    try:
        tree = yaml.load(text)
    except _Stop as stop:
        raise LessonError([Problem(path, stop.message, *_mark(stop.mark))]) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = _mark(mark) if mark is not None else (None, None)
        raise LessonError([Problem(path, yaml_message(exc), *where)]) from None
    except ReaderError as exc:
        raise LessonError([_reader_problem(path, text, exc)]) from None
    except YAMLError as exc:
        detail = _one_line(str(exc))
        raise LessonError([Problem(path, msg("yaml.invalid", detail=detail))]) from None
    except RecursionError:
        raise LessonError([Problem(path, _too_deep())]) from None
    if tree is None:
        raise LessonError([Problem(path, msg("load.empty"))])
    return tree, found


def _too_deep() -> str:
    return msg("yaml.too_deep", depth=MAX_DEPTH)


def _mark(mark: Any) -> tuple[int, int]:
    return mark.line + 1, mark.column + 1


def _one_line(text: str) -> str:
    return " ".join(text.split())


# --- Plain words for YAML syntax errors --------------------------------------------------------

#: ruamel's words for a syntax error, and the message that says it plainly (``yaml.<name>``).
_PLAIN_WORDS: list[tuple[str, str]] = [
    ("mapping values are not allowed here", "mapping_here"),
    ("expected <block end>, but found", "indentation"),
    ("could not find expected ':'", "colon"),
    ("that cannot start any token", "token"),
    ("expected ',' or ']'", "list_open"),
    ("expected ',' or '}'", "mapping_open"),
    ("but found another document", "two_documents"),
]


def yaml_message(exc: Any) -> str:
    """A ruamel syntax error in plain words (one line)."""
    problem = exc.problem or ""
    context = exc.context or ""
    if "'\\t'" in problem or "\\t" in problem:
        return msg("yaml.tab")
    if problem.startswith("found undefined alias"):
        name = problem.split("alias", 1)[1].strip().strip("'\"")
        return msg("yaml.alias_undefined", name=name)
    if "end of stream" in problem and "quoted" in context:
        return msg("yaml.quote_open")
    for needle, words in _PLAIN_WORDS:
        if needle in problem or needle in context:
            return msg(f"yaml.{words}")
    detail = _one_line(f"{context}: {problem}" if context and problem else context or problem)
    return msg("yaml.invalid", detail=detail or msg("yaml.unreadable"))


def _reader_problem(path: str, text: str, exc: Any) -> Problem:
    """A character YAML does not allow (a control character), located in ``text``."""
    pos = exc.position if isinstance(exc.position, int) else 0
    pos = max(0, min(pos, len(text)))
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    char = exc.character
    shown = f"U+{char:04X}" if isinstance(char, int) else repr(char)
    return Problem(path, msg("yaml.control", char=shown), line, col)


_FLOW = re.compile(r"[\[\]{}\"'#\n]")


def _flow_too_deep(text: str) -> tuple[int, int] | None:
    """Where [ and { brackets first nest past MAX_DEPTH, found without parsing.

    ruamel's scanner takes time quadratic in the nesting of brackets on one line (about a
    second for a thousand), so a file of brackets is refused before it is parsed. Quotes and
    comments are skipped roughly: the count only has to be right for real lessons, which nest
    a few levels, and for files of many brackets, which are refused either way.
    """
    depth = 0
    quote = ""
    line, line_start = 1, 0
    comment = False
    for match in _FLOW.finditer(text):
        ch = match.group()
        if ch == "\n":
            line, line_start, comment = line + 1, match.end(), False
            continue
        if comment:
            continue
        start = match.start()
        if quote:
            if ch == quote and (quote == "'" or not _escaped(text, start)):
                quote = ""
            continue
        if ch in "\"'":
            before = text[start - 1] if start else " "
            if before in " \t\n[{,:-?" or quote:
                quote = ch
            continue
        if ch == "#":
            if start == 0 or text[start - 1] in " \t":
                comment = True
            continue
        if ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return line, start - line_start + 1
        else:
            depth = max(0, depth - 1)
    return None


def _escaped(text: str, index: int) -> bool:
    backslashes = 0
    while index > 0 and text[index - 1] == "\\":
        backslashes += 1
        index -= 1
    return backslashes % 2 == 1


# --- The checking composer -----------------------------------------------------------------------


def _composer_class(
    path: str, found: list[Problem], rows: dict[tuple[int, int], fastrows.Row]
) -> type[Any]:
    """A ruamel Composer that reports into ``found`` (see the module docstring)."""
    from ruamel.yaml.composer import Composer
    from ruamel.yaml.events import AliasEvent
    from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

    token = f"\x00refused-{secrets.token_hex(8)}"

    class SafeComposer(Composer):
        refused_text = token

        def __init__(self, loader: Any = None) -> None:
            super().__init__(loader)
            self.sizes: dict[int, int] = {}
            self.repeated = 0
            self.values = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.parser.check_event(AliasEvent):
                event = self.parser.peek_event()
                node = super().compose_node(parent, index)
                size = self.sizes.get(id(node))
                if size is None:  # an alias inside the node it names
                    found.append(
                        Problem(
                            path,
                            msg("yaml.alias_inside", name=event.anchor),
                            *_mark(event.start_mark),
                        )
                    )
                    return self._placeholder(node)
                self.repeated += size
                if self.repeated > MAX_ALIAS_VALUES:
                    raise _Stop(msg("yaml.alias_bomb", limit=MAX_ALIAS_VALUES), event.start_mark)
                return node
            event = self.parser.peek_event()
            self.values += 1
            if self.values > MAX_VALUES:
                raise _Stop(
                    msg("yaml.too_many_values", limit=MAX_VALUES, row=fastrows.MIN_ITEMS),
                    event.start_mark,
                )
            if self.depth >= MAX_DEPTH:
                raise _Stop(_too_deep(), event.start_mark)
            tag = getattr(event, "ctag", None)
            node = super().compose_node(parent, index)
            message = None
            if tag is not None and str(tag) != "!" and str(tag) not in _PLAIN_TAGS:
                message = msg("yaml.tag", tag=_shown_tag(tag))
            elif isinstance(node, ScalarNode):
                message = self._misfit(node, tag)
            if message is not None:
                found.append(Problem(path, message, *_mark(event.start_mark)))
                placeholder = self._placeholder(node)
                if event.anchor is not None:
                    self.anchors[event.anchor] = placeholder
                return placeholder
            return node

        def _misfit(self, node: Any, tag: Any) -> str | None:
            """Why a scalar cannot be constructed as its tag says, or None when it can."""
            value = str(node.value)
            explicit = tag is not None and str(tag) in _FITS
            if explicit:
                fits, what = _FITS[str(tag)]
                read = str(self.resolver.resolve(ScalarNode, value, (True, False)))
                if read not in fits:
                    shown = repr(value) if len(value) <= 40 else repr(value[:37] + "...")
                    needs = what if what == "null" else msg(f"expected.{what}")
                    return msg("yaml.tag_misfit", tag=_shown_tag(tag), what=needs, value=shown)
            if explicit or (str(node.tag) == f"{_YAML_TAG}int" and node.style is None):
                bare = value.lstrip("+-")
                digits = sum(ch.isalnum() for ch in bare[2 if bare[:2] in _PREFIXES else 0 :])
                if digits > MAX_DIGITS:
                    return msg("yaml.digits", digits=digits, limit=MAX_DIGITS)
            return None

        def _placeholder(self, node: Any) -> Any:
            tag = self.resolver.resolve(ScalarNode, "text", (True, False))
            placeholder = ScalarNode(tag, token, node.start_mark, node.end_mark, style='"')
            self.sizes[id(placeholder)] = 1
            return placeholder

        def compose_scalar_node(self, anchor: Any) -> Any:
            node = super().compose_scalar_node(anchor)
            self.sizes[id(node)] = 1
            return node

        def compose_sequence_node(self, anchor: Any) -> Any:
            node: SequenceNode = super().compose_sequence_node(anchor)
            self.sizes[id(node)] = (
                1
                + sum(self.sizes.get(id(item), 1) for item in node.value)
                + fastrows.size(node, rows)
            )
            return node

        def compose_mapping_node(self, anchor: Any) -> Any:
            node: MappingNode = super().compose_mapping_node(anchor)
            first: dict[tuple[str, Any], Any] = {}
            kept = []
            for key, value in node.value:
                if (
                    isinstance(key, ScalarNode)
                    and str(key.tag) != f"{_YAML_TAG}merge"
                    and key.value != token  # refused keys were reported already
                ):
                    ident = (str(key.tag), key.value)
                    if ident in first:
                        line = first[ident].start_mark.line + 1
                        found.append(
                            Problem(
                                path,
                                msg("yaml.duplicate", key=key.value, line=line),
                                *_mark(key.start_mark),
                            )
                        )
                        continue
                    first[ident] = key
                kept.append((key, value))
            node.value = kept
            self.sizes[id(node)] = 1 + sum(
                self.sizes.get(id(k), 1) + self.sizes.get(id(v), 1) for k, v in kept
            )
            return node

    return SafeComposer


def _shown_tag(tag: Any) -> str:
    """A tag as the file writes it: ``!!python/object/apply:os.system``, ``!foo``."""
    handle = getattr(tag, "handle", None)
    suffix = getattr(tag, "suffix", None)
    text = str(tag)
    if handle in ("!", "!!") and suffix is not None:
        return f"{handle}{suffix}"
    if handle and suffix is not None:  # a %TAG handle: say what it stands for
        return msg("yaml.tag_that_is", tag=f"{handle}{suffix}", full=text)
    if text.startswith(_YAML_TAG):
        return "!!" + text[len(_YAML_TAG) :]
    return text if text.startswith("!") else f"!<{text}>"


# --- From the round-trip tree to plain data ------------------------------------------------------


class _Walker:
    """Turns the ruamel tree into plain data, reporting keys that are not names."""

    def __init__(self, path: str, found: list[Problem]) -> None:
        self.path = path
        self.found = found

    def plain(self, node: Any, where: tuple[Any, ...]) -> Any:
        from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar

        if isinstance(node, CommentedMap):
            out: dict[str, Any] = {}
            for key in node:
                if isinstance(key, str) and key.startswith("\x00refused-"):
                    continue  # a refused key, already reported
                if isinstance(key, str) and _SURROGATE.search(key):
                    self._surrogate(key, position(node, key, key=True))
                    continue
                if not isinstance(key, str):
                    line, col = position(node, key, key=True)
                    self.found.append(
                        Problem(self.path, msg("yaml.key_name", key=_key_text(key)), line, col)
                    )
                    continue
                out[key] = self.plain(node[key], (node, key))
            return out
        if isinstance(node, CommentedSeq):
            fast = fastrows.values(node)
            if fast is not None:
                return fast
            return [self.plain(item, (node, i)) for i, item in enumerate(node)]
        if isinstance(node, bool) or node is None:
            return node
        if isinstance(node, int):
            return int(node)
        if isinstance(node, float):
            return float(node)
        if isinstance(node, str | TaggedScalar):  # !!str 0.1: text, as the tag says
            return self.text(str(node.value if isinstance(node, TaggedScalar) else node), where)
        if isinstance(node, datetime.date):  # 2024-01-01 is text to a lesson
            return node.isoformat()
        line, col = position(*where) if where else (1, 1)
        self.found.append(Problem(self.path, msg("yaml.unused_kind"), line, col))
        return REFUSED

    def text(self, text: str, where: tuple[Any, ...]) -> Any:
        if text.startswith("\x00refused-"):
            return REFUSED
        if _SURROGATE.search(text):
            return self._surrogate(text, position(*where) if where else (1, 1))
        return text

    def _surrogate(self, text: str, where: tuple[int, int]) -> Any:
        """Report a text holding a lone surrogate (an escape such as \\ud800 in quotes): it
        is not a character, and no output can encode it."""
        code = ord(_SURROGATE.findall(text)[0])
        self.found.append(Problem(self.path, msg("yaml.surrogate", code=f"{code:04x}"), *where))
        return REFUSED


def _key_text(key: Any) -> str:
    if key is None:
        return msg("yaml.key.empty")
    if isinstance(key, bool):
        return msg("yaml.key.bool", value=str(key).lower())
    if isinstance(key, int | float):
        return msg("yaml.key.number", value=key)
    return msg("yaml.key.nested")


def _owner(node: Any, key: Hashable) -> Any:
    """The mapping where ``key`` of ``node`` is written: itself, or one merged into it (<<)."""
    if key in node.lc.data:
        return node
    from ruamel.yaml.comments import merge_attrib

    for merged in getattr(node, merge_attrib, []):
        source = merged[1] if isinstance(merged, tuple) else merged
        if key in source:
            return _owner(source, key)
    return None


def position(parent: Any, index: Hashable, *, key: bool = False) -> tuple[int, int]:
    """1-based (line, column) of ``parent[index]`` (or of its key)."""
    from ruamel.yaml.comments import CommentedMap

    if isinstance(parent, CommentedMap):
        owner = _owner(parent, index)
        if owner is None:
            return parent.lc.line + 1, parent.lc.col + 1
        line, col = owner.lc.key(index) if key else owner.lc.value(index)
    else:
        line, col = parent.lc.item(index)
    return line + 1, col + 1


def locate(tree: Any, path: Path, *, key: bool = False) -> tuple[int, int]:
    """Where ``path`` points in the file; for a missing entry, its closest existing parent."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    node, where = tree, (1, 1)
    if isinstance(node, (CommentedMap, CommentedSeq)):
        where = (node.lc.line + 1, node.lc.col + 1)
    for depth, step in enumerate(path):
        last = depth == len(path) - 1
        if isinstance(node, CommentedMap) and step in node:
            where = position(node, step, key=key and last)
            node = node[step]
        elif isinstance(node, CommentedSeq) and isinstance(step, int) and 0 <= step < len(node):
            where = position(node, step)
            node = node[step]
        else:
            break
    return where
