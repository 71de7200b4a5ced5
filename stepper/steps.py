"""The step: one quantity of a worked example, frozen, and the list the engine hands out.

Everything a printer needs is here: where the step sits (key, phase, iteration, sample), what
it computes (a template kind and its operands, each a named number with the step that
computed it), the value and how it is shown, and the words that explain it. Formulas are not
stored as text: ``stepper.formulas`` renders them from the template on demand, for whichever
output asks.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from stepper.notation import Sym

if TYPE_CHECKING:
    from stepper.lesson.formula import Formula


class Phase(StrEnum):
    """The stages of one training iteration, in the order the lecture takes them: a conv
    lesson's sizes first, a dense lesson's preparation of its inputs (normalisation, one-hot
    codes), then forward, error, backward and update, and last the check that passes the
    samples forward again with the new weights (did the update help?)."""

    SHAPE = "shape"
    INPUT = "input"
    FORWARD = "forward"
    ERROR = "error"
    BACKWARD = "backward"
    UPDATE = "update"
    CHECK = "check"


#: The key prefix of the check phase's steps: ``check.u[1,1]`` is u[1,1] again, computed with
#: the updated weights.
CHECK = "check."


def checked(key: str, keys: Container[str]) -> str:
    """The check phase's key of ``key`` when one of ``keys`` is it, else ``key`` itself (a
    given number, such as the bias input 1, is read again as it is)."""
    again = CHECK + key
    return again if again in keys else key


@dataclass(frozen=True, slots=True)
class Quantity:
    """A named number a step reads: an input, a weight, or another step's result.

    ``step`` is the number ``n`` of the step that computed it, or None for a number the
    lesson gives (x, initial weights, α, targets).
    """

    sym: Sym
    key: str
    value: float
    shown: str
    step: int | None = None


@dataclass(frozen=True, slots=True)
class Step:
    """One quantity of the worked example: formula, substitution, value and explanation."""

    n: int
    key: str
    phase: Phase
    iteration: int
    sample: int | None
    template: str
    params: tuple[int | str, ...]
    sym: Sym
    operands: tuple[Quantity, ...]
    value: float
    shown: str
    explanation: str
    relation: str = "="
    note: str | None = None
    exact: float | None = None
    layer: int | None = None
    neuron: int | None = None
    inputs: tuple[int, ...] = field(default=())

    @property
    def reads(self) -> tuple[Quantity, ...]:
        """The distinct quantities this step reads, in the formula's order."""
        seen: dict[tuple[str, int | None], Quantity] = {}
        for q in self.operands:
            seen.setdefault((q.key, q.step), q)
        return tuple(seen.values())


@dataclass(frozen=True, slots=True)
class DropoutShape:
    """A layer's dropout as the picture draws it: the rate p and, per sample, its mask (one
    0/1 per neuron, 0 dropped), or None for a sample without y, which passes with no mask."""

    rate: float
    masks: tuple[tuple[int, ...] | None, ...]

    def masked(self, sample: int) -> bool:
        """Whether the 1-based ``sample`` passes through a mask (it has y)."""
        return 1 <= sample <= len(self.masks) and self.masks[sample - 1] is not None

    def dropped(self, sample: int, i: int) -> bool:
        """Whether neuron i is dropped for the 1-based ``sample``."""
        mask = self.masks[sample - 1] if self.masked(sample) else None
        return mask is not None and mask[i - 1] == 0


@dataclass(frozen=True, slots=True)
class LayerShape:
    """One layer as the picture draws it: its neurons, their activations and letters.

    ``offset`` turns a neuron's index in the layer into the lecture's running number;
    ``trainable`` is false for a frozen layer, which the picture names as such.
    """

    size: int
    activations: tuple[str, ...]
    letter: str
    out_letter: str
    offset: int
    trainable: bool = True
    dropout: DropoutShape | None = None


@dataclass(frozen=True, slots=True)
class NetworkShape:
    """The network of a dense lesson, and the samples it is shown."""

    inputs: int
    layers: tuple[LayerShape, ...]
    samples: tuple[tuple[float, ...], ...]
    targets: tuple[tuple[float, ...] | None, ...]
    #: Per sample, the category it gives instead of numbers and its id (its place in the
    #: list, from 0), or None when it gives numbers; ``samples`` holds its one-hot vector.
    #: Empty when no sample gives a category.
    categories: tuple[tuple[str, int] | None, ...] = ()
    #: Every category those samples are one of, in the order of the inputs.
    of: tuple[str, ...] = ()
    #: How tanh is written (``display.tanh``): tgh or tanh.
    tanh: str = "tanh"


@dataclass(frozen=True, slots=True)
class ConvShape:
    """A conv lesson as the picture draws it: the image, the kernels and the maps' sizes."""

    image: tuple[tuple[tuple[float, ...], ...], ...]
    kernels: tuple[tuple[tuple[tuple[float, ...], ...], ...], ...]
    names: tuple[str, ...]
    biases: tuple[float, ...]
    paddings: tuple[int, ...]
    stride: int
    maps: tuple[tuple[int, int], ...]
    relu: bool
    pool: tuple[str, int, int] | None
    classes: int


@dataclass(frozen=True, slots=True)
class OptimizerShape:
    """One run of an optimize lesson: an optimiser from one start point. Its family (``adam``),
    the id the lesson gave it (None when it gave none), its steps' key prefix (``adam.``,
    ``start2.``, ``start2.adam.``, or none when the lesson has one optimiser and one start)
    and every hyper-parameter it uses, defaults filled in; the point it starts from, which of
    the lesson's starts that is (from 1; 0 when the lesson has one) and whether the lesson has
    other optimisers (its title then names this one)."""

    family: str
    id: str | None
    prefix: str
    settings: tuple[tuple[str, float], ...]
    start: tuple[float, ...] = ()
    origin: int = 0
    among: bool = True

    def title(self, lang: str, family: str | None = None) -> str:
        """The run as the learner reads its name: the optimiser (the id the lesson gave it,
        else its family's name in ``lang``, or ``family``, a shorter word a picture may prefer)
        and, from one of several starts, where it started (``Adam desde (1, 2)``, or only
        ``Desde −0.5`` when the lesson has one optimiser); a family's name capitalised."""
        from stepper.i18n import label

        if self.id and self.id != self.family:
            text = self.id
        else:
            text = family or label(f"optimizer.{self.family}", lang)
            text = text[:1].upper() + text[1:]
        if not self.origin:
            return text
        point = self.start_text()
        if self.among:
            return label("optimizer.from", lang, name=text, point=point)
        text = label("optimizer.start", lang, point=point)
        return text[:1].upper() + text[1:]

    def start_text(self) -> str:
        """The start point as the lesson gives it: ``−0.5``, or ``(1, 2)``."""
        from stepper.numbers import given, pretty

        shown = [pretty(given(v)) for v in self.start]
        return shown[0] if len(shown) == 1 else f"({', '.join(shown)})"


@dataclass(frozen=True, slots=True)
class RunShape:
    """One run of a dense lesson trained several ways (``training.runs``): its id, its title
    in the solution's language (the id when the lesson gives none), its steps' key prefix
    (``sgd.``) and how it trains: each training field that some run of the lesson sets, with
    this run's value (``(("batch_size", 2),)``), in the same order for every run."""

    id: str
    title: str
    prefix: str
    settings: tuple[tuple[str, int | float | str | None], ...]


def run_of(key: str, runs: tuple[RunShape, ...]) -> tuple[RunShape | None, str]:
    """The run a step key belongs to and the key without its prefix (``sgd.w[1,1,0]`` ->
    sgd, ``w[1,1,0]``); None and the key itself in a lesson without runs, or for a number
    every run shares (x, the initial weights)."""
    head = key.split("[", 1)[0]
    if runs and "." in head:
        ident = head.split(".", 1)[0]
        for run in runs:
            if run.id == ident:
                return run, key[len(run.prefix) :]
    return None, key


@dataclass(frozen=True, slots=True)
class OptimizeShape:
    """An optimize lesson as the picture draws it: the function and where the optimisers start
    (one point, or several, each walked by every optimiser).

    ``function`` is the lesson's formula as the loader checked it (its whitelisted syntax
    tree): plain data that pickles, evaluated with floats by ``Formula.value`` (no sympy, no
    eval of the lesson's text), so a picture computes f's contour lines from the Solution alone.
    ``variables`` are the names the keys use (``x1``), ``names`` the symbols shown (``x₁``).
    """

    variables: tuple[str, ...]
    names: tuple[str, ...]
    function: Formula
    starts: tuple[tuple[float, ...], ...]
    iterations: int
    #: Every run, start by start and, from each, optimiser by optimiser.
    optimizers: tuple[OptimizerShape, ...]

    def run_of(self, key: str) -> OptimizerShape | None:
        """The run a step key belongs to, by its prefix (``start2.adam.`` of ``start2.adam.x``)."""
        prefix = key_prefix(key)
        return next((run for run in self.optimizers if run.prefix == prefix), None)


def key_prefix(key: str) -> str:
    """A step key's prefix, up to its last dot before any bracket: ``start2.adam.`` of
    ``start2.adam.grad[x]``, ``check.`` of ``check.u[1,1]``, none of ``u[1,1]``."""
    head = key.split("[", 1)[0]
    return head[: head.rfind(".") + 1]


@dataclass(frozen=True, slots=True)
class RecurrentShape:
    """A recurrent lesson as the picture draws it: the cell unrolled over its sequence.

    ``gates`` are the cell's gates in the order its formulas take them (``h``; ``f i g o``;
    ``r z n``, by their keys: how a gate is written is ``stepper.notation``'s), ``sequence``
    the inputs x_1 … x_T, ``outputs`` the size of the dense output on h (0: none, the targets
    are compared with h itself), ``every_step`` whether an output is read at every time step.
    """

    cell: str
    inputs: int
    hidden: int
    sequence: tuple[tuple[float, ...], ...]
    gates: tuple[str, ...]
    outputs: int
    every_step: bool
    #: The output's activation (``linear`` when there is no output layer).
    activation: str = "linear"
    #: Whether the lesson gives targets (else it is worked forward only).
    targets: bool = True
    #: How tanh is written (``display.tanh``): tgh or tanh.
    tanh: str = "tanh"

    @property
    def steps(self) -> int:
        """T, the length of the sequence."""
        return len(self.sequence)


@dataclass(frozen=True, slots=True)
class GraphNode:
    """One node of a computational graph as the picture draws it.

    ``name`` is the name in the keys (``a``, ``n3``, ``w20``), ``sym`` how it is written
    (a, n₃, w₂₀). An input has no operands and its ``value`` is the lesson's; a computed node
    reads ``operands`` (names of inputs and earlier nodes, each once, in the order its formula
    first names them), ``formula`` is its formula in Unicode over their symbols (``a·b``,
    ``1/n₇``) and ``op`` the short label of its outermost operation for a box (``·``, ``+``,
    ``exp``, ``σ``, ``1/x``); its ``value`` is the forward value (the steps have it too).
    """

    name: str
    sym: Sym
    operands: tuple[str, ...] = ()
    formula: str = ""
    op: str = ""
    value: float = 0.0
    trainable: bool = False

    @property
    def is_input(self) -> bool:
        return not self.operands


@dataclass(frozen=True, slots=True)
class GraphRun:
    """One graph of a graph lesson: the lesson's ``nodes``, or its ``expression`` split one
    way (``operations`` or ``functions``). ``prefix`` starts its step keys (none when the
    lesson works one graph, else ``operations.`` / ``functions.``); ``nodes`` are the inputs
    in the lesson's order, then the computed nodes in order; ``output`` the node whose
    gradient is taken."""

    split: str
    prefix: str
    nodes: tuple[GraphNode, ...]
    output: str

    def node(self, name: str) -> GraphNode:
        return next(n for n in self.nodes if n.name == name)

    def edges(self) -> list[tuple[str, str]]:
        """Every edge (operand, node), in the nodes' order."""
        return [(m, n.name) for n in self.nodes for m in n.operands]


@dataclass(frozen=True, slots=True)
class GraphShape:
    """A graph lesson as the picture draws it: one graph per granularity worked, and the
    learning rate of the descent step (None: no step)."""

    runs: tuple[GraphRun, ...]
    learning_rate: float | None = None

    def run_of(self, key: str) -> GraphRun:
        """The graph a step key belongs to, by its prefix (the only one when there is one)."""
        head = key.split("[", 1)[0]
        return next((r for r in self.runs if r.prefix and head.startswith(r.prefix)), self.runs[0])


@dataclass(frozen=True, slots=True, weakref_slot=True)
class Solution:
    """A lesson worked out: its identity, language, display settings and the ordered steps."""

    lesson_id: str
    title: str
    summary: str | None
    kind: str
    language: str
    decimals: int
    round_intermediate: bool
    steps: tuple[Step, ...]
    given: tuple[Quantity, ...] = ()
    network: NetworkShape | None = None
    conv: ConvShape | None = None
    optimize: OptimizeShape | None = None
    recurrent: RecurrentShape | None = None
    graph: GraphShape | None = None
    #: A dense lesson's runs, in the order they were trained (none: the lesson trains once).
    runs: tuple[RunShape, ...] = ()
