"""Reading a lesson's YAML safely, keeping every node's line and column.

ruamel.yaml's round-trip loader reads YAML 1.2 (``1e-3`` is a number, ``no`` a string,
duplicate keys an error) and remembers positions. It does not run ``!!python`` tags but
returns the tagged node, so this module refuses every non-standard tag itself, refuses alias
repetition past a small budget (the "billion laughs"), and hands back plain Python data plus
the tree, from which a problem's position is looked up only when there is a problem.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from stepper.lesson.errors import LessonError, Problem

#: Largest lesson file read, in bytes: 10^6 weights fit in well under this.
MAX_BYTES = 64 * 1024 * 1024
#: Values that aliases may repeat beyond their anchor before the file is refused.
MAX_ALIAS_VALUES = 100_000
MAX_DEPTH = 64
_STANDARD_TAGS = {
    f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "seq", "map")
}

Path = tuple[Hashable, ...]


def parse(path: str, text: str) -> tuple[Any, Any]:
    """Parse ``text``: (plain data, ruamel tree). Raises LessonError with located problems."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    yaml = YAML(typ="rt")
    try:
        tree = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = exc.problem or exc.context or "not valid YAML"
        if "\\t" in message or "'\\t'" in str(exc):
            message += " (YAML does not allow tabs for indentation; use spaces)"
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        raise LessonError([Problem(path, f"YAML: {message}", line, col)]) from None
    except YAMLError as exc:
        raise LessonError([Problem(path, f"YAML: {exc}")]) from None
    except RecursionError:
        raise LessonError([Problem(path, "YAML nests too deeply")]) from None
    if tree is None:
        raise LessonError([Problem(path, "the file is empty; a lesson needs at least a network")])
    walker = _Walker(path)
    data = walker.plain(tree, (), 0)
    if walker.problems:
        raise LessonError(walker.problems)
    return data, tree


class _Walker:
    """Turns the ruamel tree into plain data, refusing tags and alias explosions."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self.seen: set[int] = set()
        self.repeated = 0

    def plain(self, node: Any, where: tuple[Any, Hashable] | tuple[()], depth: int) -> Any:
        from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar

        line, col = position(*where) if where else (1, 1)
        if depth > MAX_DEPTH:
            self.problems.append(Problem(self.path, "the lesson nests too deeply", line, col))
            return None
        tag = getattr(getattr(node, "tag", None), "value", None)
        if isinstance(node, TaggedScalar) or (tag is not None and tag not in _STANDARD_TAGS):
            shown = tag if tag is not None else getattr(node.tag, "value", "?")
            self.problems.append(
                Problem(
                    self.path,
                    f"the tag {shown} is not allowed: a lesson holds only plain numbers, "
                    "text, lists and mappings",
                    line,
                    col,
                )
            )
            return None
        if isinstance(node, (CommentedMap, CommentedSeq)):
            if id(node) in self.seen:
                self.repeated += len(node)
                if self.repeated > MAX_ALIAS_VALUES:
                    self.problems.append(
                        Problem(
                            self.path,
                            f"aliases repeat more than {MAX_ALIAS_VALUES:,} values; "
                            "a lesson needs no such repetition",
                            line,
                            col,
                        )
                    )
                    raise LessonError(self.problems)
            self.seen.add(id(node))
        if isinstance(node, CommentedMap):
            out: dict[Any, Any] = {}
            for key in node:
                if not isinstance(key, str):
                    kl, kc = node.lc.key(key)
                    self.problems.append(
                        Problem(self.path, f"keys are names, not {key!r}", kl + 1, kc + 1)
                    )
                    continue
                out[key] = self.plain(node[key], (node, key), depth + 1)
            return out
        if isinstance(node, CommentedSeq):
            return [self.plain(item, (node, i), depth + 1) for i, item in enumerate(node)]
        if isinstance(node, bool) or node is None:
            return node
        if isinstance(node, int):
            return int(node)
        if isinstance(node, float):
            return float(node)
        return str(node)


def position(parent: Any, index: Hashable, *, key: bool = False) -> tuple[int, int]:
    """1-based (line, column) of ``parent[index]`` (or of its key)."""
    from ruamel.yaml.comments import CommentedMap

    if isinstance(parent, CommentedMap):
        line, col = parent.lc.key(index) if key else parent.lc.value(index)
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
