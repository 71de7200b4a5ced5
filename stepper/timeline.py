"""Where a step of a recurrent lesson sits: the time step t and the gate its key names.

The recurrent engine keeps time in the key (``u[f,2,1]``, ``h[2,1]``, ``dh[1,1]``, ``y[2,1]``
with outputs at every step; ``sample`` is None on every step), so the readers (the app's
history and status line, ``--plain``'s headers, the printed sections) read it from there,
and say ``t = 2`` where a dense lesson says which pair it is. The keys summed over time (the
increments ``dw[f,1,0]``, the new weights ``w[f,1,0]``, the output's ``t[1,1]`` and ``dt``) and
the output read after the last step (``y[1]``, ``e[1]``, ``loss``) sit at no time step.
"""

from __future__ import annotations

import re

from stepper.graph_timeline import where_in_graph
from stepper.i18n import label
from stepper.steps import Phase, Solution, Step

_KEY = re.compile(r"^(?:[\w-]+\.)*(\w+)\[([^\]]*)\]$")
#: Quantities indexed by gate, time and unit (``u[G,t,i]``, ``d[G,t,i]``).
_BY_GATE = ("u", "d")
#: Quantities that are no time step's: the weights, their increments, the output weights.
_TIMELESS = ("w", "dw", "t", "dt", "x")


def _parts(key: str) -> tuple[str, list[str]] | None:
    found = _KEY.match(key)
    if found is None:
        return None
    return found.group(1), [a.strip() for a in found.group(2).split(",")]


def time_of(key: str) -> int | None:
    """The time step ``key`` names (1-based; 0 for an initial state), or None when the
    quantity belongs to no one step (an increment summed over time, a new weight, the output
    after the last step)."""
    parts = _parts(key)
    if parts is None:
        return None
    name, args = parts
    if name in _TIMELESS:
        return None
    if name in _BY_GATE and len(args) == 3 and not args[0].isdigit():
        args = args[1:]
    if len(args) == 2 and args[0].isdigit() and args[1].isdigit():
        return int(args[0])
    return None


def gate_of(key: str) -> str | None:
    """The gate a gate-indexed key names (``f`` of ``u[f,2,1]``, ``dw[f,1,0]``, ``w[f,1,0]``),
    None for the others (a gate's own value ``f[2,1]`` is named by its quantity)."""
    parts = _parts(key)
    if parts is None:
        return None
    _, args = parts
    return args[0] if len(args) == 3 and not args[0].isdigit() else None


def where_in_time(step: Step, lang: str) -> list[str]:
    """Where a step of a recurrent lesson sits, as a heading says it after the phase: at a
    time step (``t = 2``), at the output read after the last one (``salida``); in the update,
    whose weights (``puerta de olvido``, the output's); else nowhere in particular."""
    name = step.key.rsplit(".", 1)[-1].split("[", 1)[0]
    if name in ("e", "loss"):  # the errors and the loss, together whatever their time step
        return [label("time.output", lang)] if step.phase == Phase.CHECK else []
    t = time_of(step.key)
    if t is not None:
        return [label("time", lang, t=t)]
    gate = gate_of(step.key)
    if step.phase == Phase.UPDATE and gate is not None:  # a gate's weights, all together
        text = label(f"gate.{gate}", lang)
        return [text[:1].lower() + text[1:]]
    # The output's steps: its weights' update, and in the check its value with its error and
    # the loss (the check has no error phase of its own to put them under).
    weights = step.phase == Phase.UPDATE and name in ("t", "dt")
    if name == "y" or step.phase == Phase.CHECK or weights:
        return [label("time.output", lang)]
    return []


def where(step: Step, solution: Solution | None, lang: str) -> list[str]:
    """How a heading names the step's place: the phase, then the time step in a recurrent
    lesson (which updates once, after the whole sequence: its iteration says nothing), the
    node in a graph lesson (``stepper.graph_timeline``), the iteration and the pair in the
    others."""
    parts = [label(f"phase.{step.phase}", lang)]
    if solution is not None and solution.recurrent is not None:
        return parts + where_in_time(step, lang)
    if solution is not None and solution.graph is not None:
        return parts + where_in_graph(step, solution.graph, lang)
    parts.append(label("iteration", lang, i=step.iteration))
    if step.sample is not None:
        parts.append(label("sample", lang, s=step.sample))
    return parts
