"""The rules of ``training.normalize`` that a schema cannot state.

Which statistics go with which method (min and max with ``minmax``, mean and std with
``standard``), one per input or output, ranges and deviations that are not zero (x' would be a
division by zero), statistics that can be computed at all (a column with the same value in every
sample has none), targets to scale, and a conversion back that is a line (one layer of linear
neurons). Like ``stepper.lesson.checks``, these read the plain data and look only at values of
the shape they need, leaving any other shape to the schema.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stepper.lesson.checks import Found, _is_real, _plural
from stepper.lesson.errors import msg
from stepper.notation import subscript

#: The statistics each method takes, in the order they are written.
STATISTICS: dict[str, tuple[str, str]] = {"minmax": ("min", "max"), "standard": ("mean", "std")}


def long_form(normalize: Any) -> dict[str, Any] | None:
    """``normalize`` as a mapping (``minmax`` is ``{method: minmax}``); None when it is neither
    a known method nor a mapping with one (the schema says why)."""
    if isinstance(normalize, str):
        normalize = {"method": normalize}
    if not isinstance(normalize, dict) or normalize.get("method") not in STATISTICS:
        return None
    return normalize


@dataclass(frozen=True, slots=True)
class _Side:
    """The inputs (``letter`` x, one statistic per input) or the targets (y, one per output)
    of a lesson that normalises, and where their given statistics are written."""

    method: str
    letter: str
    count: int | None
    where: tuple[Any, ...]

    def var(self, j: int) -> str:
        return self.letter + subscript(str(j))

    @property
    def scaled(self) -> str:
        return self.letter + "′"


def check_normalize(data: dict[str, Any], inputs: int | None, found: list[Found]) -> None:
    """Every problem of ``training.normalize`` in a dense lesson's data."""
    training = data.get("training")
    spec = long_form(training.get("normalize")) if isinstance(training, dict) else None
    if training is None or spec is None:
        return
    here: tuple[Any, ...] = ("training", "normalize")
    method = spec["method"]
    layers = _layers(data)
    samples = [s for s in training.get("samples") or [] if isinstance(s, dict)]
    side = _Side(method, "x", inputs, (*here, "inputs"))
    _check_side(side, spec.get("inputs"), [s.get("x") for s in samples], found)
    targets = spec.get("targets", False)
    if targets is not False and targets is not None:
        ys = [s.get("y") for s in samples if s.get("y") is not None]
        if not ys:
            found.append(Found((*here, "targets"), msg("check.norm.no_targets")))
        elif training.get("loss") == "cross_entropy":
            found.append(Found((*here, "targets"), msg("check.norm.cross_entropy")))
        else:
            side = _Side(method, "y", _neurons(layers[-1]) if layers else None, (*here, "targets"))
            _check_side(side, targets if isinstance(targets, dict) else None, ys, found)
    if spec.get("convert_back") is True:
        _check_convert_back(layers, (*here, "convert_back"), found)


def _layers(data: dict[str, Any]) -> list[Any]:
    net = data.get("network")
    layers = net.get("layers") if isinstance(net, dict) else None
    return layers if isinstance(layers, list) else []


def _neurons(layer: Any) -> int | None:
    rows = layer.get("weights") if isinstance(layer, dict) else None
    return len(rows) if isinstance(rows, list) and rows else None


def _check_side(side: _Side, given: Any, columns: list[Any], found: list[Found]) -> None:
    """The given statistics of one side, or else that each column of the samples has a
    spread to compute them from."""
    pair = STATISTICS[side.method]
    stats = given if isinstance(given, dict) else {}
    named = {k: v for k, v in stats.items() if v is not None}
    for name in named:
        if name not in pair and name in ("min", "max", "mean", "std"):
            other = next(m for m, p in STATISTICS.items() if name in p)
            words = msg(
                "check.norm.wrong_statistic",
                name=name,
                method=side.method,
                other=other,
                first=pair[0],
                second=pair[1],
            )
            found.append(Found((*side.where, name), words, on_key=True))
    present = [name for name in pair if name in named]
    if len(present) == 1:
        missing = next(name for name in pair if name not in named)
        words = msg("check.norm.pair", given=present[0], missing=missing)
        found.append(Found((*side.where, present[0]), words, on_key=True))
    if len(present) == 2:
        _check_given(side, named, found)
    elif not present:
        _check_spread(side, columns, found)


def _check_given(side: _Side, stats: dict[str, Any], found: list[Found]) -> None:
    """One number per input (output) in each statistic; max above min; std above 0."""
    pair = STATISTICS[side.method]
    lists = {name: stats[name] for name in pair if isinstance(stats[name], list)}
    for name, values in lists.items():
        if side.count is not None and len(values) != side.count:
            expected = _plural(side.count, "input" if side.letter == "x" else "output")
            words = msg("check.norm.length", name=name, given=len(values), expected=expected)
            found.append(Found((*side.where, name), words))
    if len(lists) < 2 or any(not all(_is_real(v) for v in vs) for vs in lists.values()):
        return
    first, second = (lists[name] for name in pair)
    for j, (a, b) in enumerate(zip(first, second, strict=False), 1):
        if side.method == "minmax" and not b > a:
            words = msg("check.norm.range", var=side.var(j), scaled=side.scaled, low=a, high=b)
            found.append(Found((*side.where, "max", j - 1), words))
        elif side.method == "standard" and not b > 0:
            words = msg("check.norm.std", var=side.var(j), scaled=side.scaled, std=b)
            found.append(Found((*side.where, "std", j - 1), words))


def _check_spread(side: _Side, columns: list[Any], found: list[Found]) -> None:
    """Statistics computed from the samples need each column to take two values at least."""
    rows = [c for c in columns if isinstance(c, list) and all(_is_real(v) for v in c)]
    if not rows or side.count is None or any(len(r) != side.count for r in rows):
        return  # the sizes are reported elsewhere
    first, second = STATISTICS[side.method]
    for j in range(1, side.count + 1):
        values = {float(r[j - 1]) for r in rows}
        if len(values) > 1:
            continue
        value = values.pop()
        words = msg(
            "check.norm.constant",
            var=side.var(j),
            scaled=side.scaled,
            value=int(value) if value.is_integer() else value,
            method=side.method,
            first=first,
            second=second,
            side="inputs" if side.letter == "x" else "targets",
        )
        found.append(Found(side.where[:-1], words, on_key=True))


def _check_convert_back(layers: list[Any], where: tuple[Any, ...], found: list[Found]) -> None:
    """The conversion back writes the trained network as a line in the original units, which
    it is only for one layer of linear neurons."""
    if len(layers) != 1:
        found.append(
            Found(
                where, msg("check.norm.convert_back_layers", layers=_plural(len(layers), "layer"))
            )
        )
        return
    activation = layers[0].get("activation") if isinstance(layers[0], dict) else None
    names = activation if isinstance(activation, list) else [activation]
    if not all(a in ("linear", "identity") for a in names):
        found.append(Found(where, msg("check.norm.convert_back_linear")))


def normalization_steps(training: dict[str, Any], inputs: int, outputs: int, weights: int) -> int:
    """How many input-phase steps (and steps converting back) ``normalize`` adds: each
    statistic computed from the samples, each scaled input and target, each weight converted."""
    spec = long_form(training.get("normalize"))
    if spec is None:
        return 0
    samples = [s for s in training.get("samples") or [] if isinstance(s, dict)]
    targets = [s for s in samples if s.get("y") is not None]

    def side(given: Any, count: int, rows: int) -> int:
        stats = given if isinstance(given, dict) else {}
        computed = not any(stats.get(n) is not None for n in STATISTICS[spec["method"]])
        return (2 * count if computed else 0) + count * rows

    total = side(spec.get("inputs"), inputs, len(samples))
    scaled = spec.get("targets", False)
    if scaled is not False and scaled is not None:
        total += side(scaled, outputs, len(targets))
    if spec.get("convert_back") is True:
        total += weights
    return total


def check_norm_notes(data: dict[str, Any], found: list[Found]) -> None:
    """A note on a normalisation key the lesson never makes (no ``normalize``, a statistic of
    the other method or given in the file, targets not scaled, no ``convert_back``) would
    never be shown: an error, as for any other key. In a lesson with runs a note names the run
    (``norm.xmin[1]``), and the run's own ``normalize`` (or else the lesson's) decides."""
    notes = data.get("notes")
    training = data.get("training")
    if not isinstance(notes, dict) or not isinstance(training, dict):
        return
    runs = {
        run["id"]: run
        for run in training.get("runs") or []
        if isinstance(run, dict) and isinstance(run.get("id"), str)
    }
    for key in notes:
        head = key.partition("[")[0] if isinstance(key, str) else ""
        run_id, dot, name = head.rpartition(".")
        if name not in _NORM_KEYS or (dot and run_id not in runs):
            continue  # not a normalisation key, or a run the runs' checks report
        normalize = runs[run_id].get("normalize") if dot else None
        spec = long_form(normalize if normalize is not None else training.get("normalize"))
        if spec is None or name not in _made(spec):
            why = msg("check.norm.note", name=name)
            found.append(Found(("notes", key), msg("check.note_nowhere", key=key, why=why), True))


#: The step names (before the brackets) that normalisation makes.
_NORM_KEYS = frozenset(
    [f"{side}{stat}" for side in "xy" for stat in ("min", "max", "mean", "std", "n")] + ["w_orig"]
)


def _made(spec: dict[str, Any]) -> set[str]:
    """The step names a lesson's ``normalize`` makes."""
    pair = STATISTICS[spec["method"]]
    made = {"xn"}
    sides = {"x": spec.get("inputs")}
    targets = spec.get("targets", False)
    if targets is not False and targets is not None:
        made.add("yn")
        sides["y"] = targets if isinstance(targets, dict) else None
    for side, given in sides.items():
        stats = given if isinstance(given, dict) else {}
        if not any(stats.get(name) is not None for name in pair):
            made |= {side + name for name in pair}
    if spec.get("convert_back") is True:
        made.add("w_orig")
    return made
