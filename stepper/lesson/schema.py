"""The lesson format as pydantic models: strict types, no unknown fields, finite numbers.

Strict mode means a quoted "0.3" is not silently taken for a number and ``true`` is not 1:
an instructor who typed it that way made a mistake and should hear about it. Whatever the
models cannot say (row lengths, layers that chain, limits) ``stepper.lesson.checks`` says.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    StringConstraints,
    Tag,
)
from pydantic_core import PydanticCustomError

from stepper.messages import DEFAULT_LANGUAGE, languages

if TYPE_CHECKING:
    Language = str
else:
    #: The languages with a catalogue (``stepper.messages``): adding a catalogue adds one.
    Language = Literal[languages()]
Activation = Literal["linear", "identity", "tanh", "sigmoid", "relu", "softmax"]
Loss = Literal["sse", "half_sse", "cross_entropy"]
Letter = Annotated[str, StringConstraints(pattern=r"^[a-zA-Z]$")]
Number = float

#: Text in one language, or one text per language ({es: ..., en: ...}).
Localized = str | dict[Language, str]


class Strict(BaseModel):
    """Base of every lesson model: strict, closed and finite."""

    model_config = ConfigDict(strict=True, extra="forbid", allow_inf_nan=False, frozen=True)


class Display(Strict):
    decimals: int = Field(default=4, ge=0, le=12)
    round_intermediate: bool = False
    decimal_comma: bool = False
    #: How the hyperbolic tangent is written: tgh as the Spanish lecture does, or tanh; none:
    #: tgh when the lesson is shown in Spanish, tanh in English.
    tanh: Literal["tgh", "tanh"] | None = None


#: One neuron's entry of a dropout mask: 1 keeps it, 0 drops it (strict: not true, not 1.0).
Bit = Annotated[int, Field(ge=0, le=1)]


def _mask_form(value: object) -> str:
    """Which form a mask is written in: one list per sample when any item is a list, else one
    0/1 per neuron; decided first, so that a typo is reported once, in the form meant."""
    items = value if isinstance(value, list) else []
    return "list[list[int]]" if any(isinstance(i, list) for i in items) else "list[int]"


#: One 0/1 per neuron of the layer, or one such list per sample.
Mask = Annotated[
    Annotated[list[Bit], Field(min_length=1), Tag("list[int]")]
    | Annotated[
        list[Annotated[list[Bit], Field(min_length=1)]], Field(min_length=1), Tag("list[list[int]]")
    ],
    Discriminator(_mask_form),
]


class Dropout(Strict):
    """Dropout on a layer's outputs in training: the lesson fixes the mask, so that the
    arithmetic can be followed and repeated (a framework draws it at random)."""

    rate: Number = Field(ge=0, lt=1)
    mask: Mask

    def for_sample(self, s: int) -> list[int]:
        """The mask of sample ``s`` (1-based): the one mask, or the sample's own."""
        mask = self.mask
        return mask[s - 1] if isinstance(mask[0], list) else mask


class Layer(Strict):
    activation: Activation | list[Activation]
    weights: list[list[Number]]
    symbol: Letter | None = None
    output_symbol: Letter | None = None
    #: false: the layer is frozen (transfer learning): no Δw, no new weights.
    trainable: bool = True
    dropout: Dropout | None = None

    def activations(self) -> list[str]:
        """One activation per neuron, ``identity`` spelled ``linear``."""
        names = (
            self.activation
            if isinstance(self.activation, list)
            else ([self.activation] * len(self.weights))
        )
        return ["linear" if a == "identity" else a for a in names]


class Network(Strict):
    inputs: int = Field(ge=1)
    layers: list[Layer] = Field(min_length=1)
    #: true: two linear layers shown as one, W = t·w (``stepper.engine.collapse``).
    collapse: bool = False


#: A category's name, as the lesson writes it (gato, <PAD>): any non-empty text.
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class Category(Strict):
    """A sample's input given as one category of a list instead of numbers: the network
    sees its one-hot vector, one input per category, 1 at the category's place."""

    category: Name
    of: list[Name] = Field(min_length=1)

    def index(self) -> int:
        """The category's place in ``of``, counted from 1 as the inputs x₁…x_K are."""
        return self.of.index(self.category) + 1


def _input_form(value: object) -> str:
    """Which form a sample's x is written in: a mapping is a category, anything else a list of
    numbers. Deciding first reports a typo once, in the form the author meant."""
    return "Category" if isinstance(value, dict | Category) else "list[float]"


#: A sample's inputs: numbers, or a category to be one-hot encoded.
Inputs = Annotated[
    Annotated[list[Number], Tag("list[float]")] | Annotated[Category, Tag("Category")],
    Discriminator(_input_form),
]


class Sample(Strict):
    x: Inputs
    y: list[Number] | None = None

    def values(self) -> list[float]:
        """The inputs x₁…x_N as numbers: a category's one-hot vector."""
        x = self.x
        if isinstance(x, Category):
            k = x.index()
            return [1.0 if j == k else 0.0 for j in range(1, len(x.of) + 1)]
        return x


Scaling = Literal["minmax", "standard"]


class Statistics(Strict):
    """Given statistics of the inputs (or the targets), one number per input (or output):
    min and max for ``minmax``, mean and std for ``standard``. ``stepper.lesson.checks``
    says which pairs go with which method, and that ranges and deviations are not zero."""

    min: list[Number] | None = None
    max: list[Number] | None = None
    mean: list[Number] | None = None
    std: list[Number] | None = None


def _short_or_mapping(value: object) -> str:
    """Which form a ``normalize`` or ``targets`` value is written in: a mapping, or the short
    form (a word, true/false). Deciding first, instead of trying both, reports a mistake
    inside a mapping where it is, not as "a mapping is not a word". The tags are names the
    loader leaves out of a location. A model (when a lesson is dumped) is a mapping too."""
    return "dict" if isinstance(value, dict | BaseModel) else "literal"


class Normalize(Strict):
    """How a dense lesson scales its inputs (and its targets, when asked) before training,
    with the statistics given or computed from the samples."""

    method: Scaling
    inputs: Statistics | None = None
    targets: Annotated[
        Annotated[bool, Tag("literal")] | Annotated[Statistics, Tag("dict")],
        Discriminator(_short_or_mapping),
    ] = False
    convert_back: bool = False

    def scales_targets(self) -> bool:
        return self.targets is not False


#: ``normalize``: a method's name, or the long form.
NormalizeField = Annotated[
    Annotated[Scaling, Tag("literal")] | Annotated[Normalize, Tag("dict")],
    Discriminator(_short_or_mapping),
]


#: A run's id: the prefix of its step keys (``sgd.w[1,1,0]``), so no dot, and not ``check``.
RunId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_-]*$")]


class Run(Strict):
    """One way of training a dense lesson, side by side with its other runs: its ``id`` and
    ``title`` name it, and every other field is the field of ``training`` with the same name: a
    run that gives it trains with that value instead (``stepper.engine.runs``). Overriding one
    more training field is one more field here, with its description in the catalogues."""

    id: RunId
    title: Localized | None = None
    learning_rate: Number | None = Field(default=None, gt=0)
    batch_size: int | None = Field(default=None, ge=1)
    epochs: int | None = Field(default=None, ge=1)
    normalize: NormalizeField | None = None

    def changes(self) -> dict[str, int | float | str | Normalize]:
        """The training fields this run sets, in the order of the fields above."""
        return {
            name: getattr(self, name)
            for name in type(self).model_fields
            if name in Training.model_fields
            and name in self.model_fields_set
            and getattr(self, name) is not None
        }


class Training(Strict):
    learning_rate: Number | None = None
    loss: Loss = "sse"
    samples: list[Sample] = Field(min_length=1)
    batch_size: int = Field(default=1, ge=1)
    epochs: int = Field(default=1, ge=1)
    runs: list[Run] | None = Field(default=None, min_length=1, max_length=10)
    normalize: NormalizeField | None = None

    def normalization(self) -> Normalize | None:
        """``normalize`` in its long form (``minmax`` is ``{method: minmax}``)."""
        if isinstance(self.normalize, str):
            return Normalize(method=self.normalize)
        return self.normalize


class Grid(Strict):
    """Values a variant may take: min, max and the step between them (min, min + step, …)."""

    min: Number
    max: Number
    step: Number = Field(gt=0)


class Variants(Strict):
    """Which numbers of a dense, recurrent or graph lesson vary between exam variants, and how
    (``stepper.variation``)."""

    weights: Grid | None = None
    inputs: Grid | None = None
    targets: Grid | None = None
    learning_rate: Grid | None = None
    saturate: bool = False


class Exam(Strict):
    """The header of an exam printed from the lesson (``--worksheet=exam``, ``--key``,
    ``--format moodle``); each field may be given or overridden on the command line."""

    course: Localized | None = None
    instructor: str | None = None
    #: A date as YAML writes one (2027-01-20) or any text ("20 de enero de 2027").
    date: str | datetime.date | None = None
    points: Number | None = Field(default=None, gt=0, le=1000)
    instructions: Localized | None = None


class Explanation(Strict):
    """A lesson's own words for a step: ``replace`` the built-in explanation, or ``append``
    to it (each one text or one per language)."""

    replace: Localized | None = None
    append: Localized | None = None


#: A step key, or a pattern of keys with * (dw[1,*], u[*]).
KeyPattern = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z_.*][A-Za-z0-9_.*]*(\[[A-Za-z0-9*,]+\])?$")
]
PhaseName = Literal["shape", "input", "forward", "error", "backward", "update", "check"]


class LessonBase(Strict):
    id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")] | None = None
    title: Localized | None = None
    language: Language = DEFAULT_LANGUAGE
    summary: Localized | None = None
    display: Display = Display()
    notes: dict[str, Localized] = Field(default_factory=dict)
    explanations: dict[KeyPattern, Explanation] = Field(default_factory=dict)
    phases: list[PhaseName] | None = Field(default=None, min_length=1)
    variants: Variants | None = None
    exam: Exam | None = None
    #: The file the lesson was loaded from and its name in messages, set by the loader, so a
    #: problem found while solving can still be located in it.
    _source: tuple[str, str] | None = PrivateAttr(default=None)


class DenseLesson(LessonBase):
    kind: Literal["dense"] = "dense"
    network: Network
    training: Training


Padding = Literal["valid", "same"] | Annotated[int, Field(ge=0, le=64)]
#: A matrix has at least one row, and a row at least one number (an empty one would crash the
#: shape checks, and means nothing).
Row = Annotated[list[Number], Field(min_length=1)]
Matrix = Annotated[list[Row], Field(min_length=1)]


def _matrix_form(value: object) -> str:
    """Which form a matrix-or-channels value is written in: channels (a list of matrices) when
    more of its items hold lists than hold numbers (empty items do not vote), else one matrix.
    Deciding first, instead of trying both forms, reports a typo once, in the form the author
    meant, not once per cell of the other. The tags are the names pydantic gives the branches,
    which the loader leaves out of a location.
    """
    items = value if isinstance(value, list) else []
    deep = [isinstance(i, list) and any(isinstance(j, list) for j in i) for i in items]
    flat = [
        not isinstance(i, list) or (bool(i) and not d) for i, d in zip(items, deep, strict=True)
    ]
    return "list[list[list[float]]]" if sum(deep) > sum(flat) else "list[list[float]]"


#: One matrix, or one matrix per channel (an RGB image, a kernel over several channels).
MatrixOrChannels = Annotated[
    Annotated[Matrix, Tag("list[list[float]]")]
    | Annotated[list[Matrix], Field(min_length=1), Tag("list[list[list[float]]]")],
    Discriminator(_matrix_form),
]


class Kernel(Strict):
    name: Localized | None = None
    weights: MatrixOrChannels
    bias: Number = 0.0
    padding: Padding | None = None

    def channels(self) -> list[Matrix]:
        """One matrix per channel (a single matrix is one channel)."""
        w = self.weights
        return [w] if w and isinstance(w[0][0], int | float) else w  # type: ignore[return-value]


class Pool(Strict):
    kind: Literal["max", "average"] = "max"
    size: int = Field(ge=1, le=64)
    stride: int | None = Field(default=None, ge=1, le=64)


class Head(Strict):
    weights: Matrix
    activation: Literal["softmax"] = "softmax"


class ShapeOnly(Strict):
    """The lecture's sizing example: sizes only, no numbers in the cells."""

    input: list[Annotated[int, Field(ge=1, le=1_000_000)]] = Field(min_length=3, max_length=3)
    kernels: int = Field(ge=1, le=100_000)
    kernel_size: int = Field(ge=1, le=1_000)


class ConvLesson(LessonBase):
    kind: Literal["conv"]
    image: MatrixOrChannels | None = None
    kernels: list[Kernel] = Field(default_factory=list)
    padding: Padding = "valid"
    stride: int = Field(default=1, ge=1, le=64)
    activation: Literal["relu", "none"] = "none"
    pool: Pool | None = None
    dense: Head | None = None
    target: list[Number] | None = None
    learning_rate: Number | None = None
    logits: list[Number] | None = Field(default=None, min_length=1)
    shape: ShapeOnly | None = None

    def channels(self) -> list[Matrix]:
        """The image as one matrix per channel."""
        im = self.image
        if not im:
            return []
        return [im] if isinstance(im[0][0], int | float) else im


#: A variable of an optimize lesson: a letter, maybe followed by digits (x, y, w1, x12).
VARIABLE = r"^[A-Za-z][0-9]{0,2}$"
OptimizerName = Literal["gradient_descent", "momentum", "nesterov", "adagrad", "adadelta", "adam"]

#: The hyper-parameters each optimiser takes, in the order its formulas use them, with their
#: defaults (those of the papers and of torch.optim); None: the lesson must give it.
HYPERPARAMETERS: dict[str, dict[str, float | None]] = {
    "gradient_descent": {"learning_rate": None},
    "momentum": {"learning_rate": None, "momentum": 0.9},
    "nesterov": {"learning_rate": None, "momentum": 0.9},
    "adagrad": {"learning_rate": None, "epsilon": 1e-10},
    "adadelta": {"learning_rate": 1.0, "rho": 0.9, "epsilon": 1e-6},
    "adam": {"learning_rate": None, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8},
}


class Optimizer(Strict):
    """One optimiser of an optimize lesson and its hyper-parameters (α, β, ρ, β1, β2, ε);
    ``stepper.lesson.formula`` checks that each belongs to the optimiser named."""

    name: OptimizerName
    id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_-]*$")] | None = None
    learning_rate: Number | None = Field(default=None, gt=0)
    momentum: Number | None = Field(default=None, ge=0, lt=1)
    rho: Number | None = Field(default=None, ge=0, lt=1)
    beta1: Number | None = Field(default=None, ge=0, lt=1)
    beta2: Number | None = Field(default=None, ge=0, lt=1)
    epsilon: Number | None = Field(default=None, gt=0)

    def settings(self) -> dict[str, float]:
        """Every hyper-parameter this optimiser uses, the defaults filled in."""
        out: dict[str, float] = {}
        for field, default in HYPERPARAMETERS[self.name].items():
            value = getattr(self, field)
            out[field] = float(value if value is not None else (default or 0.0))
        return out


def _start_form(value: object) -> str:
    """Which form a start is written in: several points when any of its items is a list (a
    list of points), else one point. Deciding first reports a typo once, in the form meant."""
    items = value if isinstance(value, list) else []
    return "list[list[float]]" if any(isinstance(i, list) for i in items) else "list[float]"


#: A point of an optimize lesson: one number per variable.
Point = Annotated[list[Number], Field(min_length=1, max_length=10)]
#: One start point, or several (each walked by every optimiser, to compare where they end).
PointOrPoints = Annotated[
    Annotated[Point, Tag("list[float]")]
    | Annotated[list[Point], Field(min_length=1, max_length=10), Tag("list[list[float]]")],
    Discriminator(_start_form),
]


class OptimizeLesson(LessonBase):
    """A function of named variables, a start point (or several), and optimisers that
    minimise it."""

    kind: Literal["optimize"]
    function: str  # what it may hold, and its limits: stepper.lesson.formula
    variables: list[Annotated[str, StringConstraints(pattern=VARIABLE)]] = Field(
        min_length=1, max_length=10
    )
    start: PointOrPoints
    iterations: int = Field(default=1, ge=1, le=10_000)
    optimizers: list[Optimizer] = Field(min_length=1, max_length=10)

    def starts(self) -> list[list[float]]:
        """Every start point (one point is a list of one)."""
        points = [p for p in self.start if isinstance(p, list)]
        if points:
            return [[float(v) for v in point] for point in points]
        return [[float(v) for v in self.start if not isinstance(v, list)]]


CellName = Literal["rnn", "lstm", "gru"]

#: Each cell's gates, in the order its formulas take them (``stepper.engine.recurrent``).
CELL_GATES: dict[str, tuple[str, ...]] = {
    "rnn": ("h",),
    "lstm": ("f", "i", "g", "o"),
    "gru": ("r", "z", "n"),
}


def _not_flat(value: object) -> object:
    """A list of numbers where a list of lists goes (``[0.1, 0.5, 0.3]`` for one gate row) is
    the likeliest slip in a recurrent lesson: refused as one mistake (the loader says how to
    write it), not as one "expected a list" per number."""
    if (
        isinstance(value, list)
        and value
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    ):
        raise PydanticCustomError("flat_rows", "a list of numbers where lists go")
    return value


#: A recurrent lesson's matrix, sequence or targets: lists of numbers, a flat list refused.
Rows = Annotated[Matrix, BeforeValidator(_not_flat)]


class Gates(Strict):
    """A recurrent cell's weights: one matrix per gate, a row per hidden unit, each row
    ``[bias, w_x1 … w_xN, w_h1 … w_hM]``. Every gate of every cell is a field here, so that a
    misspelt gate is an unknown field; ``stepper.lesson.recurrent_checks`` says which gates
    belong to the lesson's cell and that each matrix has the cell's shape."""

    h: Rows | None = None
    f: Rows | None = None
    i: Rows | None = None
    g: Rows | None = None
    o: Rows | None = None
    r: Rows | None = None
    z: Rows | None = None
    n: Rows | None = None

    def given(self) -> dict[str, list[list[float]]]:
        """The gates the lesson gives, by name, in the order of the fields above."""
        return {
            name: getattr(self, name)
            for name in type(self).model_fields
            if getattr(self, name) is not None
        }


class RecurrentOutput(Strict):
    """The dense layer on a recurrent cell's hidden state: ỹ = s(T · [1, h])."""

    activation: Literal["linear", "identity", "tanh", "sigmoid"] = "linear"
    weights: Rows
    #: true: an output and a target at every time step, else only after the last one.
    every_step: bool = False


class Initial(Strict):
    """The states before the first time step (zeros when not given); c only for an LSTM."""

    h: list[Number] | None = None
    c: list[Number] | None = None


class RecurrentTraining(Strict):
    """How a recurrent lesson learns: one update after the whole sequence."""

    learning_rate: Number | None = Field(default=None, gt=0)
    loss: Literal["sse", "half_sse"] = "sse"


class RecurrentLesson(LessonBase):
    """A recurrent cell unrolled over a sequence: forward through time, backpropagation
    through time, and one update of every gate's weights."""

    kind: Literal["recurrent"]
    cell: CellName
    inputs: int = Field(ge=1, le=64)
    hidden: int = Field(ge=1, le=64)
    sequence: Rows = Field(max_length=100)
    initial: Initial | None = None
    gates: Gates
    output: RecurrentOutput | None = None
    #: y after the last step (one list), or one list per step with ``output.every_step``.
    targets: Rows | None = None
    training: RecurrentTraining | None = None


#: How an ``expression`` is cut into nodes: one per operation (CS231n's circuits), or with
#: sigmoid and tanh kept whole (σ's local derivative is then σ(1 − σ)).
Split = Literal["operations", "functions"]


class GraphLesson(LessonBase):
    """An expression as a computational graph: each node's value forward, then the chain rule
    node by node from the output back to the inputs, and maybe one descent step on some inputs.
    What a formula may hold: ``stepper.lesson.formula`` (GRAPH_FUNCTIONS); the checks past the
    schema (exactly one of nodes and expression, cycles, names, domains): ``graph_checks``."""

    kind: Literal["graph"]
    #: Named intermediate results in order, each a formula over the inputs and earlier nodes.
    nodes: dict[Annotated[str, StringConstraints(pattern=VARIABLE)], str] | None = Field(
        default=None, min_length=1, max_length=60
    )
    #: Or one formula, split into the nodes of its expression tree (n1, n2, …).
    expression: str | None = None
    #: With ``expression``: one granularity, or several, each worked as its own graph (its
    #: keys prefixed ``operations.`` / ``functions.``).
    split: Split | Annotated[list[Split], Field(min_length=1, max_length=2)] = "operations"
    inputs: dict[Annotated[str, StringConstraints(pattern=VARIABLE)], Number] = Field(
        min_length=1, max_length=20
    )
    #: The node whose gradient is computed (default: the last).
    output: Annotated[str, StringConstraints(pattern=VARIABLE)] | None = None
    #: With it, one descent step x → x − α·∂out/∂x on each input in ``trainable``.
    learning_rate: Number | None = Field(default=None, gt=0)
    #: The inputs the descent step moves (default: every input).
    trainable: list[Annotated[str, StringConstraints(pattern=VARIABLE)]] | None = Field(
        default=None, min_length=1
    )

    def splits(self) -> list[str]:
        """The granularities worked, in order (one for a lesson with ``nodes``)."""
        if self.expression is None:
            return ["operations"]
        return list(dict.fromkeys([self.split] if isinstance(self.split, str) else self.split))


Lesson = DenseLesson | ConvLesson | OptimizeLesson | RecurrentLesson | GraphLesson


def localized(text: Localized | None, lang: str, fallback: str) -> str | None:
    """``text`` in ``lang``; a one-language text serves every language."""
    if text is None:
        return None
    if isinstance(text, str):
        return text
    return text.get(lang) or text.get(fallback) or next(iter(text.values()), None)


#: Every model of the format, for messages that suggest a field name and for the docs test.
MODELS: tuple[type[Strict], ...] = (
    Explanation,
    Grid,
    Variants,
    Exam,
    Kernel,
    Pool,
    Head,
    ShapeOnly,
    ConvLesson,
    Display,
    Dropout,
    Layer,
    Network,
    Category,
    Sample,
    Statistics,
    Normalize,
    Training,
    Run,
    LessonBase,
    DenseLesson,
    Optimizer,
    OptimizeLesson,
    Gates,
    RecurrentOutput,
    Initial,
    RecurrentTraining,
    RecurrentLesson,
    GraphLesson,
)
