"""No displayed symbol means two things: in one lesson, nor, for the lecture's own letters,
across the course (docs/lessons.md, "Letters").

A symbol is what a reader sees (its letter, tilde, Δ and tag; indices and superscripts only
pick one of a family); what it means is read off the key of the step or number it names, not
off the symbol, so the test cannot agree with a wrong letter by construction. Every built-in
lesson is read, so a lesson added later is checked too.
"""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

from stepper import formulas
from stepper.catalog import builtin_ids
from stepper.notation import Sym
from stepper.printers import typst_math
from stepper.steps import Solution
from tests.conftest import solved

#: What a key's name stands for where two names mean one thing, or one name two things: an
#: optimiser's ``v`` is momentum's velocity (the increment its variable moves by, as AdaDelta's
#: ``delta``) but Adam's second moment; momentum's β and Adam's β₁, β₂ are each the decay rate
#: of a running average; a padded cell is a pixel of the (padded) image; a recurrent lesson's
#: output weights ``t[i,j]`` (and ``dt``) are the lecture's second-layer weights, which a dense
#: lesson keys ``w[2,i,j]``.
SYNONYMS = {
    ("adam", "beta1"): "beta",
    ("adam", "beta2"): "beta",
    ("momentum", "v"): "increment",
    ("nesterov", "v"): "increment",
    ("adadelta", "delta"): "increment",
    ("adam", "v"): "second moment",
    ("adam", "vhat"): "corrected second moment",
    ("", "pad"): "x",
    ("", "t"): "w",
    ("", "dt"): "dw",
}
#: The lecture's network notation: letters that mean one thing in every lesson that shows them.
LECTURE = ("u", "v", "z", "t", "w", "x", "y", "ỹ", "ε", "ε²", "δ", "γ", "α", "Δw", "Δt", "Fₒ")

Meanings = dict[str, set[str]]


def head(sym: Sym) -> str:
    """The symbol as its family reads: ε for every ε₁, ε₂; δᶜ for every δᶜ₁₁; ∂L/∂w for
    every ∂L/∂w₂₀."""
    return sym.family().unicode()


def meaning(key: str, solution: Solution) -> str:
    """What a key names: its name without indices, prefixes (check., a run's, an optimiser's)
    and, for an optimiser's own quantities, qualified by the optimiser."""
    stem = key.split("[", 1)[0]
    name = stem.rsplit(".", 1)[-1]
    if solution.graph is not None:
        return graph_meaning(name, key, solution)
    shape = solution.optimize
    if shape is None:
        return SYNONYMS.get(("", name), name)
    if name in shape.variables:
        return f"variable {name}"
    # An optimiser's prefix may follow a start's (``start2.adam.x``).
    owner = [o.family for o in shape.optimizers if o.prefix and f".{o.prefix}" in f".{key}"]
    optimizer = owner[0] if owner else shape.optimizers[0].family
    return SYNONYMS.get((optimizer, name), name)


def graph_meaning(name: str, key: str, solution: Solution) -> str:
    """A graph's inputs and nodes are the author's names, as an optimize lesson's variables,
    each a family by its letter as the symbol is (w20 and w21 are w₂₀ and w₂₁, both w's); an
    input keeps its meaning after the step (x → x − α·dL/dx, as w → w + Δw does). A local
    derivative ∂L/∂d and a gradient dL/dd are two symbols, ∂ and d."""
    assert solution.graph is not None
    run = solution.graph.run_of(key)
    inside = key.split("[", 1)[1].rstrip("]") if "[" in key else ""
    if name in ("val", "new"):
        return f"variable {inside[0]}"
    if not inside and any(n.name == name for n in run.nodes):
        return f"variable {name[0]}"
    return name


def meanings(solution: Solution) -> Meanings:
    """Each symbol the lesson shows, with what it stands for wherever it is shown."""
    found: Meanings = defaultdict(set)
    for step in solution.steps:
        for sym, key in [(step.sym, step.key), *((q.sym, q.key) for q in step.operands)]:
            found[head(sym)].add(meaning(key, solution))
    return found


@pytest.fixture(scope="module")
def course() -> dict[str, Meanings]:
    return {lesson_id: meanings(solved(lesson_id)) for lesson_id in builtin_ids()}


def test_the_meanings_are_read_off_the_keys() -> None:
    """The reading itself: forward-1's v are its hidden outputs (``y``), optimizers-1's
    momentum and Adam keep two different things under the one key name ``v``."""
    assert meanings(solved("forward-1"))["v"] == {"y"}
    optimizers = meanings(solved("optimizers-1"))
    found = {m for ms in optimizers.values() for m in ms}
    assert {"increment", "second moment", "variable x", "eps"} <= found


@pytest.mark.parametrize("lesson_id", builtin_ids())
def test_no_symbol_means_two_things_in_a_lesson(
    course: dict[str, Meanings], lesson_id: str
) -> None:
    twice = {sym: sorted(m) for sym, m in course[lesson_id].items() if len(m) > 1}
    assert not twice, f"{lesson_id}: one symbol, several meanings: {twice}"


def test_the_lectures_letters_mean_one_thing_in_every_lesson(
    course: dict[str, Meanings],
) -> None:
    """ε is always an output's error, v and z a hidden output, t a second layer's weight, ỹ
    the network's output: an optimiser's or a convolution's quantity takes another letter.
    A lesson's own variables (f(x, y), f(w)) are the author's names and are left out."""
    seen: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for lesson_id, found in course.items():
        for sym in LECTURE:
            for what in found.get(sym, set()):
                if not what.startswith("variable "):
                    seen[sym][what].append(lesson_id)
    twice = {sym: dict(by) for sym, by in seen.items() if len(by) > 1}
    assert not twice, twice
    assert {"u", "ε", "δ", "ỹ", "v", "z", "t"} <= set(seen)  # the test reads something


@pytest.mark.parametrize("lesson_id", builtin_ids())
def test_no_theta_for_relus_step(lesson_id: str) -> None:
    """ReLU's derivative is written [a > 0] (1 when a > 0, else 0), not θ(a), a letter the
    lecture never uses; the text form keeps heaviside(a), which a program evaluates."""
    for step in solved(lesson_id).steps:
        shown = [formulas.formula(step, "unicode"), formulas.substituted(step, "unicode")]
        for form in (*shown, step.explanation):
            assert "θ" not in form, (step.key, form)
        for form in (formulas.formula(step, "latex"), formulas.substituted(step, "latex")):
            assert not re.search(r"\\theta\b", form), (step.key, form)
        typst = typst_math.compiled(step.template, step.params, len(step.operands))
        assert "theta" not in str(typst), (step.key, typst)
