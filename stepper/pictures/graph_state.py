"""What the graph picture knows at one position of a walk: the texts of each box, and roles.

The layout (``stepper.pictures.graph``) asks, for a node of the graph drawn, what its box
writes (``e = −6``, ``e = ?`` while computed, ``e`` alone before; ``∂ = −2`` once its gradient
is known) and which boxes and edges the current step computes or reads. Everything is read
from the steps' keys (docs/lessons.md, "Step keys of a graph lesson"): ``val[n]``,
``grad[m]``, ``local[n,m]``, ``contrib[n,m]``, ``new[x]`` and ``check.val[n]``, each after the
run's prefix when the lesson works two graphs; what a step reads comes from its operands' keys.

The check phase shows the forward pass again with the new inputs: the boxes then write the
values computed anew and no gradient (those of the old values would not belong to them).
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field

from rich.cells import cell_len

from stepper.numbers import given, pretty
from stepper.pictures.blocks import Piece, Spaced
from stepper.pictures.graph_layout import Geometry
from stepper.pictures.scene import Role
from stepper.solution_cache import PerSolution
from stepper.steps import CHECK, GraphNode, GraphRun, Phase, Solution, Step

#: Written before a box's gradient: the box says whose it is (∂OUT/∂ of its node).
GRAD = "∂"


def parse(key: str, prefix: str) -> tuple[bool, str, tuple[str, ...]]:
    """``operations.check.val[n3]`` with prefix ``operations.`` -> (True, "val", ("n3",)):
    whether it is the check's, the quantity, its arguments; a bare name (an input as a
    given number) has no arguments."""
    key = key.removeprefix(prefix)
    check = key.startswith(CHECK)
    name, _, rest = key.removeprefix(CHECK).partition("[")
    return check, name, tuple(rest[:-1].split(",")) if rest else ()


@dataclass(slots=True)
class _Index:
    """The steps of one solution by key, built once, and each box's widest texts by run."""

    solution: Solution
    at: dict[str, list[int]]
    widths: dict[tuple[str, str, bool], int] = field(default_factory=dict)
    #: Each run's layout by its spacing (``graph._Picture``): it depends on the widest
    #: texts only, not on the position, and a 60-node graph takes some 0.1 s to lay out.
    layouts: dict[tuple[str, int, bool], Geometry] = field(default_factory=dict)

    @classmethod
    def build(cls, solution: Solution) -> _Index:
        at: dict[str, list[int]] = {}
        for k, step in enumerate(solution.steps):
            at.setdefault(step.key, []).append(k)
        return cls(solution, at)


_index = PerSolution(_Index.build, 2)


@dataclass(slots=True)
class Position(Spaced):
    """One position of the walk in one run of the graph: what is revealed, current and read."""

    solution: Solution
    run: GraphRun
    index: _Index
    revealed: int
    step: Step | None
    phase: Phase
    #: The box the step computes (its value, gradient or new value), if it computes one.
    node: str | None = None
    #: The edge the step computes along (local[n,m], contrib[n,m]).
    edges: frozenset[tuple[str, str]] = frozenset()
    #: The edges the step reads along: val[n]'s operands coming in, the gradient of
    #: ``node`` coming back from its consumers.
    read_edges: frozenset[tuple[str, str]] = frozenset()
    #: The keys the step reads, without the run's prefix (``val[e]``, ``grad[d]``, ``a``).
    reads: frozenset[str] = frozenset()
    spaced: bool = True

    @classmethod
    def build(
        cls, solution: Solution, revealed: int, current: int | None, run: GraphRun | None = None
    ) -> Position:
        """The position after ``revealed`` steps with ``current`` being computed, in the run of
        the latest step (or ``run``, for a printed page of each)."""
        shape = solution.graph
        assert shape is not None
        steps = solution.steps
        revealed = max(0, min(revealed, len(steps)))
        if current is not None and not 0 <= current < len(steps):
            current = None
        ref = current if current is not None else revealed - 1 if revealed else None
        if run is None:
            run = shape.run_of(steps[ref].key) if ref is not None else shape.runs[0]
        phase = steps[ref].phase if ref is not None else Phase.FORWARD
        step = steps[current] if current is not None else None
        pos = cls(solution, run, _index(solution), revealed, step, phase)
        if step is not None:
            pos.focus_on(step)
        return pos

    def focus_on(self, step: Step) -> None:
        """The box and edges the step computes, and what it reads."""
        run = self.run
        _, name, args = parse(step.key, run.prefix)
        self.reads = frozenset(q.key.removeprefix(run.prefix) for q in step.operands)
        if name in ("local", "contrib") and len(args) == 2:
            self.edges = frozenset({(args[1], args[0])})
            return
        if not args:
            return
        self.node = args[0]
        if name == "val":
            self.read_edges = frozenset((m, self.node) for m in run.node(self.node).operands)
        elif name == "grad":
            self.read_edges = frozenset(e for e in run.edges() if e[0] == self.node)

    @property
    def checking(self) -> bool:
        return self.phase is Phase.CHECK

    @property
    def focus(self) -> str:
        """The node the picture keeps in view: the one computed, or the edge's consumer; the
        first computed node before the walk starts, the output at its end."""
        if self.node is not None:
            return self.node
        if self.edges:
            return max(self.edges, key=lambda e: self.order(e[1]))[1]
        computed = [n.name for n in self.run.nodes if not n.is_input]
        return computed[0] if self.revealed == 0 else self.run.output

    def order(self, name: str) -> int:
        return next(k for k, n in enumerate(self.run.nodes) if n.name == name)

    # --- steps by key -----------------------------------------------------------------------

    def key(self, quantity: str, name: str, check: bool = False) -> str:
        return f"{self.run.prefix}{CHECK if check else ''}{quantity}[{name}]"

    def latest(self, key: str) -> Step | None:
        """The latest revealed step of ``key``."""
        positions = self.index.at.get(key, ())
        k = bisect_left(positions, self.revealed)
        return self.solution.steps[positions[k - 1]] if k else None

    def role(self, key: str, otherwise: Role = Role.PLAIN) -> Role:
        if self.step is not None and key == self.step.key:
            return Role.CURRENT
        return Role.READ if key.removeprefix(self.run.prefix) in self.reads else otherwise

    # --- the texts of a box -------------------------------------------------------------------

    def value(self, node: GraphNode) -> Piece:
        """The box's first line: the node and its value (the new value of an input once
        updated, the value computed again in the check)."""
        sym = node.sym.unicode()
        if node.is_input:
            new = self.key("new", node.name)
            step = self.latest(new)
            if step is not None:
                return Piece(
                    f"{sym}{self.arrow}{pretty(step.shown)}", self.role(new, Role.UPDATED), new
                )
            if self.step is not None and self.step.key == new:
                return Piece(f"{sym}{self.arrow}?", Role.CURRENT, new)
            role = Role.READ if {node.name, self.key("val", node.name)} & self.reads else Role.GIVEN
            return Piece(f"{sym}{self.eq}{pretty(given(node.value))}", role, node.name)
        key = self.key("val", node.name, self.checking)
        step = self.latest(key)
        if step is not None:
            return Piece(f"{sym}{self.eq}{pretty(step.shown)}", self.role(key), key)
        if self.step is not None and self.step.key == key:
            return Piece(f"{sym}{self.eq}?", Role.CURRENT, key)
        return Piece(sym, Role.PENDING, key)

    def gradient(self, node: GraphNode) -> Piece:
        """The box's second line: the gradient of the output with respect to the node, once
        known (none in the check phase)."""
        key = self.key("grad", node.name)
        if self.checking:
            return Piece("")
        step = self.latest(key)
        if step is not None:
            return Piece(f"{GRAD}{self.eq}{pretty(step.shown)}", self.role(key), key)
        if self.step is not None and self.step.key == key:
            return Piece(f"{GRAD}{self.eq}?", Role.CURRENT, key)
        return Piece("")

    def width(self, node: GraphNode) -> int:
        """The widest line the node's box ever writes (so that boxes keep their place)."""
        cache = (self.run.prefix, node.name, self.spaced)
        found = self.index.widths.get(cache)
        if found is not None:
            return found
        sym = cell_len(node.sym.unicode())

        def widest(*keys: str) -> int:
            shown = [
                self.solution.steps[k].shown for key in keys for k in self.index.at.get(key, ())
            ]
            return max((cell_len(pretty(s)) for s in shown), default=1)

        lines = [cell_len(GRAD) + len(self.eq) + widest(self.key("grad", node.name))]
        if node.is_input:
            lines.append(sym + len(self.eq) + cell_len(pretty(given(node.value))))
            lines.append(sym + len(self.arrow) + widest(self.key("new", node.name)))
        else:
            checked = self.key("val", node.name, True)
            lines.append(sym + len(self.eq) + widest(self.key("val", node.name), checked))
        found = self.index.widths[cache] = max(lines)
        return found

    def edge_role(self, edge: tuple[str, str]) -> Role:
        if edge in self.edges:
            return Role.CURRENT
        return Role.READ if edge in self.read_edges else Role.PLAIN

    def box_role(self, node: GraphNode) -> Role:
        """A box's outline: read when the step reads its value or gradient (the operands of
        val[n], the consumer of local[n,m]); plain otherwise, also when the step computes in
        it (its heading and its line say so: a whole outline in the current style would
        drown the line)."""
        keys = {node.name, *(f"{q}[{node.name}]" for q in ("val", "grad", "new"))}
        keys |= {CHECK + k for k in keys}
        return Role.READ if keys & self.reads else Role.PLAIN
