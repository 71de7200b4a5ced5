"""Authoring support: the JSON Schema of lesson files and commented starter lessons.

``stepper schema`` prints a JSON Schema generated from the pydantic models that validate
lessons (``stepper.lesson.schema``), so an editor with a YAML language server checks and
completes a lesson as it is typed; its hover texts are the English field help of the
catalogues (the messages ``field.MODEL.FIELD`` of ``stepper.messages``). The schema says
what the models say (fields, types, ranges, closed mappings); the rules across fields (row
lengths, layers that chain, limits) stay with ``stepper check``, which has the last word.

``stepper new KIND NAME`` writes a starter lesson of that kind: a small working example with a
comment in the chosen language above every field. The text is generated here, from templates
whose ``@Model.field`` lines stand for that field's help and ``@@key`` lines for the message
``starter.KEY``; it never overwrites a file.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import textwrap
import typing
from pathlib import Path
from typing import Any

from stepper import messages
from stepper.lesson.errors import LessonError, Problem, msg
from stepper.lesson.schema import MODELS, Lesson, Strict

#: Where the header of a starter lesson expects the schema, beside the lesson.
SCHEMA_FILE = "stepper-lesson.schema.json"
HEADER = f"# yaml-language-server: $schema={SCHEMA_FILE}"


def field_help(model: type[Strict], field: str, lang: str = messages.SOURCE_LANGUAGE) -> str | None:
    """What ``field`` of ``model`` means, in ``lang``: the message ``field.MODEL.FIELD``, the
    English of which is the schema's hover text. A field of a base model (LessonBase) is found
    through the subclasses' MRO. None when nobody wrote it."""
    for cls in model.__mro__:
        template = messages.lookup(f"field.{cls.__name__}.{field}", lang)
        if template is not None:
            return template.format(
                languages=" | ".join(messages.languages()), default=messages.DEFAULT_LANGUAGE
            )
    return None


# --- The JSON Schema --------------------------------------------------------------------------


def _kinds() -> dict[str, type[Strict]]:
    """Every lesson kind of the format (``stepper.lesson.schema.Lesson``) and its model."""
    out: dict[str, type[Strict]] = {}
    for model in typing.get_args(Lesson):
        (kind,) = typing.get_args(model.model_fields["kind"].annotation)
        out[str(kind)] = model
    return out


#: The lesson kinds, dense first, and the model of each.
KINDS = _kinds()


def json_schema(lang: str = messages.SOURCE_LANGUAGE) -> dict[str, Any]:
    """The JSON Schema of a lesson file: one of the lesson kinds, told apart by ``kind`` (a
    dense lesson may leave it out), generated from the models that validate lessons; each
    field's description (an editor's hover text) in ``lang``."""
    from pydantic import TypeAdapter

    generated = TypeAdapter(Lesson).json_schema(mode="validation")
    defs: dict[str, Any] = generated["$defs"]
    by_name = {model.__name__: model for model in MODELS}
    for name, definition in defs.items():
        model = by_name.get(name)
        if model is None:
            continue
        for field, prop in definition.get("properties", {}).items():
            text = field_help(model, field, lang)
            if text is not None:
                prop["description"] = text
    # The kind picks the model (if/then/else rather than oneOf): an editor then reports a
    # mistake against the kind the author wrote, not "matches none of three schemas".
    choice: dict[str, Any] = {"$ref": "#/$defs/DenseLesson"}
    for kind in reversed([k for k in KINDS if k != "dense"]):
        choice = {
            "if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
            "then": {"$ref": f"#/$defs/{KINDS[kind].__name__}"},
            "else": choice,
        }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "stepper lesson",
        "description": messages.lookup("schema.description", lang),
        "type": "object",
        "properties": {
            "kind": {
                "enum": list(KINDS),
                "default": "dense",
                "description": messages.lookup("schema.kind", lang),
            }
        },
        **choice,
        "$defs": defs,
    }


# --- Starter lessons --------------------------------------------------------------------------

# Templates: a line "@Model.field [@Model.field ...]" stands for those fields' help, as comments
# indented like the next line; "@@key" for the message starter.KEY; <NAME> for a value filled in.
_COMMON = """\
@LessonBase.id
id: <ID>
@LessonBase.title
title: <TITLE>
@LessonBase.language
language: <LANG>
@LessonBase.summary
summary: >
  <SUMMARY>
"""

_DISPLAY = """\
@LessonBase.display
display:
  @Display.decimals
  decimals: 4
  @Display.round_intermediate
  round_intermediate: false
  @Display.decimal_comma
  decimal_comma: false
  @Display.tanh
  # tanh: tgh
"""

_DENSE = """\
@DenseLesson.kind
kind: dense
<DISPLAY>
@DenseLesson.network
network:
  @Network.inputs
  inputs: 2
  @@optional @Network.collapse
  # collapse: false
  @Network.layers
  layers:
    @Layer.activation
    - activation: [linear, tanh]
      @Layer.weights
      weights:
        - [0.1, -0.2, 0.3]
        - [0.5, 0.4, -0.6]
      @Layer.symbol
      symbol: w
      @@optional @Layer.output_symbol
      # output_symbol: z
      @@optional @Layer.trainable
      # trainable: true
      @@optional @Layer.dropout @Dropout.rate @Dropout.mask
      # dropout:
      #   rate: 0.5
      #   mask: [1, 0]
@DenseLesson.training
training:
  @Training.learning_rate
  learning_rate: 0.1
  @Training.loss
  loss: sse
  @Training.samples
  samples:
    @Sample.x
    - x: [0.1, 0.7]
      @Sample.y
      y: [0.2, 1.0]
    @@optional @Category.category @Category.of
    # - x: {category: gato, of: [perro, gato]}
  @Training.batch_size
  batch_size: 1
  @Training.epochs
  epochs: 1
  @Training.runs @Run.id @Run.title @Run.learning_rate @Run.batch_size @Run.epochs @Run.normalize
  # runs:
  #   - {id: sgd, title: SGD, batch_size: 1}
  #   - {id: slow, learning_rate: 0.05, epochs: 2}
  @@optional @Training.normalize @Normalize.method
  # normalize: minmax
  @Normalize.inputs @Normalize.targets @Normalize.convert_back
  @Statistics.min @Statistics.max @Statistics.mean @Statistics.std
  # normalize: {method: minmax, inputs: {min: [0, 0], max: [1, 1]}, targets: false}
@LessonBase.notes
notes:
  w[1,2,2]: <NOTE>
@LessonBase.explanations @Explanation.replace @Explanation.append
# explanations:
#   "u[*]":
#     append: "..."
@LessonBase.phases
# phases: [forward, error, backward, update, check]
"""

_CONV = """\
@ConvLesson.kind
kind: conv
<DISPLAY>
@ConvLesson.image
image:
  - [7, 2, 3, 3, 8]
  - [4, 5, 3, 8, 4]
  - [3, 3, 2, 8, 4]
  - [2, 8, 7, 2, 7]
  - [5, 4, 4, 5, 4]
@ConvLesson.kernels
kernels:
  @Kernel.name
  - name: <KERNEL>
    @Kernel.weights
    weights: [[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]]
    @Kernel.bias
    bias: 0
    @@optional @Kernel.padding
    # padding: same
@ConvLesson.padding
padding: valid
@ConvLesson.stride
stride: 1
@ConvLesson.activation
activation: relu
@ConvLesson.pool
pool:
  @Pool.kind
  kind: max
  @Pool.size
  size: 2
  @Pool.stride
  stride: 1
@ConvLesson.dense
dense:
  @Head.weights
  weights:
    - [0.1, 0.02, -0.01, 0.01, 0.03]
    - [-0.1, -0.02, 0.01, 0.02, -0.01]
  @Head.activation
  activation: softmax
@ConvLesson.target
target: [1, 0]
@ConvLesson.learning_rate
learning_rate: 0.1
@LessonBase.notes
notes:
  conv[1,1,1]: <NOTE>
@LessonBase.explanations @Explanation.replace @Explanation.append
# explanations:
#   "conv[*]":
#     append: "..."
@LessonBase.phases
# phases: [shape, forward, error, backward, update, check]
@@conv_alternatives
@ConvLesson.logits
# logits: [2.0, 1.0, 0.1]
@ConvLesson.shape @ShapeOnly.input @ShapeOnly.kernels @ShapeOnly.kernel_size
# shape:
#   input: [28, 28, 1]
#   kernels: 32
#   kernel_size: 3
@@dense_only
"""

_OPTIMIZE = """\
@OptimizeLesson.kind
kind: optimize
<DISPLAY>
@OptimizeLesson.function
function: x**2 + y**2
@OptimizeLesson.variables
variables: [x, y]
@OptimizeLesson.start
start: [1, 2]
@@several_starts
# start: [[1, 2], [-1.5, 0.5]]
@OptimizeLesson.iterations
iterations: 3
@OptimizeLesson.optimizers
optimizers:
  @Optimizer.name
  - name: gradient_descent
    @Optimizer.learning_rate
    learning_rate: 0.1
    @@optional @Optimizer.id
    # id: gd
  @@optimize_more
  @Optimizer.momentum
  # - {name: momentum, learning_rate: 0.1, momentum: 0.9}
  @Optimizer.rho
  # - {name: adadelta, rho: 0.9, epsilon: 1.0e-6}
  @Optimizer.beta1 @Optimizer.beta2 @Optimizer.epsilon
  # - {name: adam, learning_rate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1.0e-8}
@LessonBase.notes
notes:
  grad[x]: <NOTE>
@LessonBase.explanations @Explanation.replace @Explanation.append
# explanations:
#   "grad[*]":
#     append: "..."
@LessonBase.phases
# phases: [forward, update]
@@dense_only
"""

_RECURRENT = """\
@RecurrentLesson.kind
kind: recurrent
<DISPLAY>
@RecurrentLesson.cell
cell: lstm
@RecurrentLesson.inputs
inputs: 1
@RecurrentLesson.hidden
hidden: 1
@RecurrentLesson.sequence
sequence:
  - [0.1]
  - [0.7]
@RecurrentLesson.initial
initial:
  @Initial.h
  h: [0.2]
  @Initial.c
  c: [0.5]
@RecurrentLesson.gates
gates:
  @Gates.f
  f: [[0.1, 0.5, 0.3]]
  @Gates.i
  i: [[0.0, 0.4, 0.2]]
  @Gates.g
  g: [[0.0, 0.6, -0.1]]
  @Gates.o
  o: [[0.1, 0.3, 0.2]]
  @@recurrent_cells
  @Gates.h
  # h: [[0.1, 0.5, 0.8]]
  @Gates.r
  # r: [[0.1, 0.5, 0.3]]
  @Gates.z
  # z: [[0.0, 0.4, 0.2]]
  @Gates.n
  # n: [[0.0, 0.6, -0.1]]
@RecurrentLesson.output
output:
  @RecurrentOutput.activation
  activation: linear
  @RecurrentOutput.weights
  weights: [[0.0, 1.0]]
  @RecurrentOutput.every_step
  every_step: false
@RecurrentLesson.targets
targets: [[1.0]]
@RecurrentLesson.training
training:
  @RecurrentTraining.learning_rate
  learning_rate: 0.1
  @RecurrentTraining.loss
  loss: sse
@LessonBase.notes
notes:
  c[1,1]: <NOTE>
@LessonBase.explanations @Explanation.replace @Explanation.append
# explanations:
#   "u[f,*,1]":
#     append: "..."
@LessonBase.phases
# phases: [forward, error, backward, update, check]
"""

_GRAPH = """\
@GraphLesson.kind
kind: graph
<DISPLAY>
@GraphLesson.nodes
nodes:
  e: a*b
  d: e + c
  L: d*f
@GraphLesson.expression @GraphLesson.split
# expression: sigmoid(w0*x0 + w1*x1 + w2)
# split: [operations, functions]
@GraphLesson.inputs
inputs: {a: 2, b: -3, c: 10, f: -2}
@GraphLesson.output
output: L
@GraphLesson.learning_rate
learning_rate: 0.01
@GraphLesson.trainable
trainable: [a, b, c, f]
@LessonBase.notes
notes:
  grad[e]: <NOTE>
@LessonBase.explanations @Explanation.replace @Explanation.append
# explanations:
#   "local[*,a]":
#     append: "..."
@LessonBase.phases
# phases: [forward, backward]
"""

#: The exam header, commented out: a lesson of any kind may be printed as an exam.
#: The exam variants of a lesson of weights, inputs and targets (dense and recurrent).
_VARIANTS = """\
@LessonBase.variants
variants:
  @@grid @Grid.min @Grid.max @Grid.step
  @Variants.weights
  weights: {min: -0.9, max: 0.9, step: 0.1}
  @Variants.inputs
  inputs: {min: 0.1, max: 0.9, step: 0.1}
  @Variants.targets
  targets: {min: -1, max: 1, step: 0.1}
  @Variants.learning_rate
  learning_rate: {min: 0.05, max: 0.3, step: 0.05}
  @Variants.saturate
  saturate: false
"""

#: A graph's variants draw its inputs and α: it has no weights or targets.
_GRAPH_VARIANTS = "".join(
    line
    for line in _VARIANTS.splitlines(keepends=True)
    if "weights" not in line and "targets" not in line
)

_EXAM = """\
@LessonBase.exam @Exam.course @Exam.instructor @Exam.date @Exam.points @Exam.instructions
# exam:
#   course: "..."
#   instructor: "..."
#   date: 2027-01-20
#   points: 0.5
#   instructions: "..."
"""

#: The starter of each kind, for ``stepper new``.
STARTERS = {
    "dense": _DENSE + _VARIANTS + _EXAM,
    "conv": _CONV + _EXAM,
    "optimize": _OPTIMIZE + _EXAM,
    "recurrent": _RECURRENT + _VARIANTS + _EXAM,
    "graph": _GRAPH + _GRAPH_VARIANTS + _EXAM,
}
_MARK = re.compile(r"@@(\w+)|@(\w+)\.(\w+)")
#: Width of a comment line in a starter.
WIDTH = 92


def _wrap(text: str, width: int, first: str, rest: str) -> list[str]:
    """``text`` wrapped into comment lines, never breaking a `code span` (a command)."""
    spans = re.sub(r"`[^`]*`", lambda m: m.group(0).replace(" ", "\0"), text)
    spans = re.sub(r" ([=−+*/]) ", "\0\\1\0", spans)  # a short formula stays on one line
    lines = textwrap.wrap(
        spans,
        width,
        initial_indent=first,
        subsequent_indent=rest,
        break_on_hyphens=False,
        break_long_words=False,
    )
    return [line.replace("\0", " ") for line in lines]


def _comment(line: str, lang: str) -> list[str]:
    """The comment lines a marker line stands for, indented as the line is. On a line of
    several fields, those of another model than the first are its fields: indented more."""
    indent = line[: len(line) - len(line.lstrip())]
    by_name = {model.__name__: model for model in MODELS}
    out: list[str] = []
    first_model: str | None = None
    for match in _MARK.finditer(line):
        if match.group(1):
            text, deeper = messages.text(f"starter.{match.group(1)}", lang), False
        else:
            model, field = match.group(2), match.group(3)
            help_text = field_help(by_name[model], field, lang)
            if help_text is None:  # a field nobody has explained yet: the tests say so
                raise KeyError(f"{model}.{field}")
            text = f"{field}: {help_text}"
            first_model = first_model or model
            deeper = model != first_model
        lead = f"{indent}#   " if deeper else f"{indent}# "
        out += _wrap(text, WIDTH, lead, lead + "  ")
    return out


def _quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar (a JSON string is one)."""
    return json.dumps(text, ensure_ascii=False)


def starter(
    kind: str, name: str, lang: str = messages.DEFAULT_LANGUAGE, file: str | None = None
) -> str:
    """The text of a starter lesson of ``kind`` with the id ``name``, commented in ``lang``;
    ``file`` is the file's name as its comments give it (default NAME.yaml)."""
    file = file or f"{name}.yaml"

    def texts(key: str) -> str:
        return messages.text(f"starter.{key}", lang, kind=kind, file=file, schema=SCHEMA_FILE)

    body = _COMMON + STARTERS[kind].replace("<DISPLAY>\n", _DISPLAY)
    values = {
        "<ID>": name,
        "<TITLE>": _quoted(texts(f"{kind}_title")),
        "<LANG>": lang,
        "<NOTE>": _quoted(texts(f"{kind}_note")),
        "<KERNEL>": _quoted(texts("conv_kernel")),
    }
    lines = [HEADER]
    for paragraph in ("intro", "editor"):
        lines += _wrap(texts(paragraph), WIDTH, "# ", "# ")
    lines.append("")
    for raw in body.splitlines():
        if raw.lstrip().startswith("@"):
            lines += _comment(raw, lang)
            continue
        if raw.strip() == "<SUMMARY>":  # a folded block: wrapped, each line indented
            indent = raw[: len(raw) - len(raw.lstrip())]
            lines += textwrap.wrap(
                texts(f"{kind}_summary"), WIDTH, initial_indent=indent, subsequent_indent=indent
            )
            continue
        line = raw
        for placeholder, value in values.items():
            line = line.replace(placeholder, value)
        lines.append(line)
    return "\n".join(lines) + "\n"


def target_path(name: str) -> Path:
    """The file ``stepper new`` writes for NAME: NAME.yaml, or NAME when it ends in .yaml or
    .yml; in the current folder unless NAME names another."""
    path = Path(name)
    if path.suffix in (".yaml", ".yml"):
        return path
    return path.with_name(path.name + ".yaml")


def new_lesson(kind: str, name: str, lang: str = messages.DEFAULT_LANGUAGE) -> Path:
    """Write a starter lesson of ``kind`` for NAME and return its path; LessonError when the
    name is not a lesson id, the file exists (it is never overwritten) or cannot be written."""
    from pydantic import ValidationError

    from stepper.lesson.schema import LessonBase

    path = target_path(name)
    shown = str(path)
    lesson_id = path.stem
    try:
        LessonBase.model_validate({"id": lesson_id})
    except ValidationError:
        raise LessonError([Problem(shown, msg("cli.bad_id", id=lesson_id))]) from None
    if path.exists() or path.is_symlink():
        raise LessonError([Problem(shown, msg("cli.exists"))])
    if not path.parent.is_dir():
        raise LessonError([Problem(shown, msg("cli.no_folder", folder=path.parent))])
    try:
        write_new(path, starter(kind, lesson_id, lang, shown))
    except FileExistsError:
        raise LessonError([Problem(shown, msg("cli.exists"))]) from None
    except OSError as exc:
        raise LessonError(
            [Problem(shown, msg("cli.cannot_write_file", reason=exc.strerror or exc))]
        ) from None
    return path


def write_new(path: Path, text: str) -> None:
    """Write ``text`` to the new file ``path`` atomically, and never over an existing file:
    the whole text goes to a temporary file beside it, which is then hard-linked to ``path``
    (a link fails when ``path`` exists, even when it appeared a moment ago). Where the file
    system has no hard links, the name is taken with an exclusive create and the text put in
    place with ``stepper.atomic.write_atomic``."""
    # Not mkstemp: its file is private (0600), and a lesson gets the usual permissions.
    temp = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temp, path)
        except FileExistsError:
            raise
        except OSError:  # no hard links here (some network and FAT file systems)
            _write_exclusive(path, text)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)


def _write_exclusive(path: Path, text: str) -> None:
    from stepper.atomic import write_atomic

    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
    try:
        write_atomic(path, text)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        raise
