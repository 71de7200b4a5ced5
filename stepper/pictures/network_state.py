"""What the network picture knows at one position of a walk: values revealed, read, computed.

The layout (``stepper.pictures.network``) asks this module, for a quantity's key, what to write
(``w₁₂ = 0.3``, ``u₁ = ?`` or ``δ₁`` alone) and what it means now (the current quantity, one the
step reads, a weight updated in this iteration). An index of the steps by key is kept for the
last solutions drawn, so that a 784-32-10 network is drawn about as fast as a two-neuron one.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from rich.cells import cell_len

from stepper.i18n import label
from stepper.notation import Sym
from stepper.numbers import given, pretty
from stepper.pictures.blocks import Piece, Spaced
from stepper.pictures.scene import Role
from stepper.solution_cache import PerSolution
from stepper.steps import (
    CHECK,
    NetworkShape,
    Phase,
    Quantity,
    Solution,
    Step,
    checked,
    run_of,
)

#: Activations whose names are translated (the others are written as the lesson writes them).
#: Keys whose values belong to one iteration (and to one sample, when the step has one).
_PER_ITERATION = frozenset({"u", "y", "e", "d", "drop", "loss", "batch_loss"})


@dataclass(slots=True)
class _Index:
    """The steps of one solution by key, built once, so that no lookup scans the steps.

    ``last[key]`` is the position of the key's last step and ``previous[k]`` that of the step
    before ``k`` with the same key (-1 if none): a chain, not a list per key, because a
    784-32-10 lesson has 51,000 keys and as many small lists would cost more than the rest.
    """

    solution: Solution
    last: dict[str, int]
    previous: list[int]
    sample_at: list[int | None]
    alpha: Quantity | None
    #: In a lesson trained several ways: where each step's run starts (by position), and
    #: where each run ends (by its start), the steps being keyed without their run's prefix,
    #: so that the picture of a run reads as that of a lesson without runs. Empty without runs.
    starts: list[int] = field(default_factory=list)
    ends: dict[int, int] = field(default_factory=dict)
    #: Each run's α, by the position where the run starts.
    alphas: dict[int, Quantity | None] = field(default_factory=dict)
    _given: dict[str, Quantity] | None = None
    symbols: dict[str, str] = field(default_factory=dict)
    widths: dict[str, int] = field(default_factory=dict)
    #: What each step reads and computes, by its position: found once, since a 784-input u
    #: reads 1,570 keys and the picture is drawn anew at every key press.
    looks: dict[int, _Look] = field(default_factory=dict)

    def look(self, k: int) -> _Look:
        """What step ``k`` reads and points at (see ``_Look``)."""
        if k not in self.looks:
            self.looks[k] = _Look.of(self.solution.steps[k], self.solution)
        return self.looks[k]

    @classmethod
    def build(cls, solution: Solution) -> _Index:
        steps = solution.steps
        last: dict[str, int] = {}
        previous = [-1] * len(steps)
        sample_at: list[int | None] = [None] * len(steps)
        sample: int | None = None
        runs = solution.runs
        starts: list[int] = []
        owner: object = None
        for k, step in enumerate(steps):
            key = step.key
            if runs:
                run, key = run_of(key, runs)
                starts.append(k if run is not owner or not k else starts[-1])
                owner = run
            p = last.get(key)
            if p is not None:
                previous[k] = p
            last[key] = k
            if step.sample is not None:
                sample = step.sample
            sample_at[k] = sample
        ends = {start: k + 1 for k, start in enumerate(starts)}  # the last position wins
        alphas = {start: _alpha(solution, start) for start in dict.fromkeys(starts)}
        return cls(solution, last, previous, sample_at, _alpha(solution, 0), starts, ends, alphas)

    def positions(self, key: str, before: int | None = None) -> Iterator[int]:
        """Positions of the steps of ``key``, latest first (only those before ``before``)."""
        k = self.last.get(key, -1)
        while k >= 0:
            if before is None or k < before:
                yield k
            k = self.previous[k]

    def given(self, key: str) -> Quantity | None:
        """The lesson's initial value of a weight ``w[l,i,j]``."""
        given_ = self.solution.given
        net = self.solution.network
        name, idx = parse(key)
        if net is not None and name == "w" and len(idx) == 3:  # given lists weights row by row
            layer, i, j = idx
            fan_ins = [net.inputs, *(shape.size for shape in net.layers)]
            pos = sum(net.layers[k].size * (fan_ins[k] + 1) for k in range(layer - 1))
            pos += (i - 1) * (fan_ins[layer - 1] + 1) + j
            if 0 <= pos < len(given_) and given_[pos].key == key:
                return given_[pos]
        if self._given is None:
            self._given = {q.key: q for q in given_}
        return self._given.get(key)


def _alpha(solution: Solution, start: int) -> Quantity | None:
    """The learning rate the first increment from position ``start`` on reads."""
    runs = solution.runs
    for step in solution.steps[start:]:
        if run_of(step.key, runs)[1].startswith("dw["):
            return next((q for q in step.operands if run_of(q.key, runs)[1] == "alpha"), None)
    return None


#: The index of each solution drawn lately (see stepper.solution_cache).
_index = PerSolution(_Index.build, 2)


@lru_cache(maxsize=1 << 16)
def parse(key: str) -> tuple[str, tuple[int, ...]]:
    """``w[1,2,0]`` -> ("w", (1, 2, 0)); ``loss`` -> ("loss", ()). Kept for the keys seen
    lately: a picture of a 784-input u parses the 1,570 keys it reads at every key press."""
    name, _, rest = key.partition("[")
    try:
        return name, tuple(int(p) for p in rest[:-1].split(",")) if rest else ()
    except ValueError:
        return name, ()


@dataclass(frozen=True, slots=True)
class _Look:
    """What one step reads (``reads``), which items of elided lists it points at (``focus``)
    and which it computes itself (``own``), as the picture's keys."""

    target: str
    reads: frozenset[str]
    focus: dict[str, set[int]]
    own: dict[str, set[int]]

    @classmethod
    def of(cls, step: Step, solution: Solution) -> _Look:
        runs = solution.runs
        reads: set[str] = set()
        focus: dict[str, set[int]] = {}
        for q in step.operands:
            key = _synapse(run_of(q.key, runs)[1])
            if key not in reads:
                reads.add(key)
                _note_focus(focus, key)
        target = _synapse(run_of(step.key, runs)[1])
        _note_focus(focus, target)
        own: dict[str, set[int]] = {}
        _note_focus(own, target)
        return cls(target, frozenset(reads), focus, own)


def _synapse(key: str) -> str:
    """A weight's increment Δw is drawn on its synapse: ``dw[1,2,0]`` -> ``w[1,2,0]``."""
    return key[1:] if key.startswith("dw[") else key


def sub(n: int) -> str:
    """``n`` in subscript digits."""
    return Sym("x", (n,)).unicode()[1:]


@dataclass(slots=True)
class Position(Spaced):
    """One position of the walk: what is revealed, what is read, how numbers are written."""

    solution: Solution
    net: NetworkShape
    index: _Index
    revealed: int
    iteration: int
    sample: int
    step: Step | None
    target: str | None
    reads: frozenset[str]
    focus: dict[str, set[int]]
    lang: str
    spaced: bool = True
    #: Which neuron, input or synapse the current step itself computes: drawn whatever else
    #: is elided (a softmax reads the whole layer, yet its own neuron must show).
    own: dict[str, set[int]] = field(default_factory=dict)
    #: ``check.`` in the check phase: each neuron's slots then show the values computed
    #: again with the new weights.
    prefix: str = ""
    #: In a lesson with runs, the positions of the steps of the run looked at: the picture
    #: shows that run alone.
    run: range | None = None

    @classmethod
    def build(
        cls, solution: Solution, net: NetworkShape, revealed: int, current: int | None, lang: str
    ) -> Position:
        steps = solution.steps
        index = _index(solution)
        revealed = max(0, min(revealed, len(steps)))
        if current is not None and not 0 <= current < len(steps):
            current = None
        ref = current if current is not None else revealed - 1 if revealed else None
        iteration = steps[ref].iteration if ref is not None else steps[0].iteration
        sample = index.sample_at[ref] if ref is not None else None
        if sample is None or not 1 <= sample <= len(net.samples):
            sample = 1
        step = steps[current] if current is not None else None
        look = index.look(current) if current is not None else None
        target = look.target if look is not None else None
        reads = look.reads if look is not None else frozenset()
        focus = look.focus if look is not None else {}
        own = look.own if look is not None else {}
        prefix = CHECK if ref is not None and steps[ref].phase is Phase.CHECK else ""
        run = None
        if index.starts:
            at = ref if ref is not None else 0
            run = range(index.starts[at], index.ends[index.starts[at]])
        return cls(solution, net, index, revealed, iteration, sample, step, target, reads, focus,
                   lang, own=own, prefix=prefix, run=run)  # fmt: skip

    @property
    def alpha(self) -> Quantity | None:
        """The learning rate of the lesson, or of the run looked at."""
        if self.run is not None:
            return self.index.alphas.get(self.run.start)
        return self.index.alpha

    def keyed(self, key: str) -> str:
        """The key whose value the picture shows for ``key`` now: in the check phase, a
        forward quantity's ``check.`` one (a given number, y₀ = 1, stays itself)."""
        return checked(key, self.index.last) if self.prefix else key

    def latest(self, key: str) -> Step | None:
        """The latest revealed step of ``key``; of this iteration and sample where they matter
        (in the check phase, the check's, and the δ that made the update)."""
        steps = self.solution.steps
        key = self.keyed(key)
        per_iteration = parse(key.removeprefix(CHECK))[0] in _PER_ITERATION
        for k in self.index.positions(key, self.revealed):
            if self.run is not None and k not in self.run:
                if k < self.run.start:
                    return None  # before the run: the lesson's own weights
                continue
            step = steps[k]
            if step.iteration > self.iteration:  # revealed past the step being looked at
                continue
            if not per_iteration:
                return step
            if step.iteration < self.iteration:
                return None
            if step.sample is None or step.sample == self.sample:
                return step
        return None

    def value_width(self, key: str) -> int:
        """The widest this key's value is ever written, so that the layout never jumps."""
        width = self.index.widths.get(key)
        if width is None:
            steps = self.solution.steps
            shown = [
                pretty(steps[k].shown)
                for at in (key, CHECK + key)
                for k in self.index.positions(at)
            ]
            q = self.index.given(key)
            if q is not None:
                shown.append(pretty(given(q.value)))
            width = max((cell_len(s) for s in shown), default=1)
            self.index.widths[key] = width
        return width

    def symbol(self, key: str, fallback: Sym) -> str:
        """How this lesson writes ``key`` (z₁ or ỹ₁, δ₃ or γ₁, w₁₂ or t₃₂)."""
        text = self.index.symbols.get(key)
        if text is None:
            sym = fallback
            k = self.index.last.get(key)
            q = self.index.given(key) if k is None else None
            if k is not None:
                sym = self.solution.steps[k].sym
            elif q is not None:
                sym = q.sym
            text = replace(sym, sample=None).unicode()
            self.index.symbols[key] = text
        return text

    def exists(self, key: str) -> bool:
        return key in self.index.last

    def role(self, key: str, otherwise: Role = Role.PLAIN) -> Role:
        key = self.keyed(key)
        if key == self.target:
            return Role.CURRENT
        return Role.READ if key in self.reads else otherwise

    def more(self, n: int) -> str:
        return label("picture.more", self.lang, n=n)

    def activation(self, name: str) -> str:
        """The activation's name in the lesson's language (tanh as ``display.tanh`` writes it,
        softmax as it is)."""
        return self.net.tanh if name == "tanh" else label(f"activation.{name}", self.lang)

    def fan_in(self, layer: int) -> int:
        return self.net.inputs if layer == 1 else self.net.layers[layer - 2].size

    def is_last(self, layer: int) -> bool:
        return layer == len(self.net.layers)

    # --- slots: a symbol and its value ---------------------------------------------------------

    def slot(self, key: str, sym: str) -> Piece:
        """``sym = value`` once revealed, ``sym = ?`` while being computed, else ``sym`` alone."""
        key = self.keyed(key)
        step = self.latest(key)
        if step is not None:
            return Piece(f"{sym}{self.eq}{pretty(step.shown)}", self.role(key), key)
        if key == self.target:
            return Piece(f"{sym}{self.eq}?", Role.CURRENT, key)
        return Piece(sym, Role.PENDING, key)

    def slot_width(self, key: str, sym: str) -> int:
        return cell_len(sym) + len(self.eq) + self.value_width(key)

    def scaled(self, letter: str, j: int) -> str | None:
        """The key of this sample's scaled input (``xn[j]``) or target (``yn[j]``) when the
        lesson normalises them: the picture then shows what the network sees."""
        key = f"{letter}n[{j}]"  # in a lesson with runs, of the run looked at
        if key not in self.index.last:
            return None
        if self.run is None:
            return key
        return key if any(k in self.run for k in self.index.positions(key)) else None

    def sample_slot(self, key: str, sym: str) -> Piece:
        """``x′₁ = 0.5``: a quantity computed once per sample (in the input phase), shown for
        the current sample in every iteration once revealed."""
        steps = self.solution.steps
        for k in self.index.positions(key, self.revealed):
            if steps[k].sample == self.sample:
                return Piece(f"{sym}{self.eq}{pretty(steps[k].shown)}", self.role(key), key)
        if key == self.target:
            return Piece(f"{sym}{self.eq}?", Role.CURRENT, key)
        return Piece(sym, Role.PENDING, key)

    def given_slot(self, key: str, sym: str, value: float) -> Piece:
        return Piece(f"{sym}{self.eq}{pretty(given(value))}", self.role(key, Role.GIVEN), key)

    def weight(self, layer: int, i: int, j: int) -> Piece:
        """A synapse: ``w₁₂ = 0.3``, or ``w₁₂ → 0.2874`` once updated in this iteration."""
        key = f"w[{layer},{i},{j}]"
        sym = self.symbol(key, Sym("w", (i, j)))
        step = self.latest(key)
        if step is None:
            q = self.index.given(key)
            value = pretty(given(q.value)) if q else "?"
            return Piece(f"{sym}{self.eq}{value}", self.role(key, Role.GIVEN), key)
        updated = step.iteration == self.iteration
        role = self.role(key, Role.UPDATED if updated else Role.PLAIN)
        return Piece(f"{sym}{self.arrow if updated else self.eq}{pretty(step.shown)}", role, key)

    def weight_width(self, layer: int, i: int, j: int) -> int:
        key = f"w[{layer},{i},{j}]"
        return self.slot_width(key, self.symbol(key, Sym("w", (i, j))))

    def target_value(self, i: int) -> float | None:
        targets = self.net.targets[self.sample - 1] if self.net.targets else None
        return targets[i - 1] if targets is not None and i <= len(targets) else None


def _note_focus(focus: dict[str, set[int]], key: str) -> None:
    """Remember which item of an elided list a key points at: an input, a neuron, a synapse."""
    name, idx = parse(key.removeprefix(CHECK))
    if name in ("x", "xn") and len(idx) == 1:
        focus.setdefault("x", set()).add(idx[0])
    elif name in _PER_ITERATION and len(idx) == 2:
        focus.setdefault(f"n{idx[0]}", set()).add(idx[1])
    elif name == "w" and len(idx) == 3:
        layer, i, j = idx
        focus.setdefault(f"n{layer}", set()).add(i)
        focus.setdefault(f"w{layer},{i}", set()).add(j)
        focus.setdefault(f"n{layer - 1}" if layer > 1 else "x", set()).add(j)


# --- elision: which items of a long list to draw -----------------------------------------------


def pick(
    items: range, rows: int, focus: Collection[int], ends: bool, own: Collection[int] = ()
) -> list[int | None]:
    """Which of ``items`` to draw in at most ``rows`` rows: the first ones and the focus.

    ``own`` (what the current step computes) is always drawn. With ``ends`` the first item
    is always drawn, and the last one when there is room (w₁₀ … w₁,₇₈₄ shows where the list
    starts and ends). None marks an elision, one row of "… N more", where items are left out.
    """
    n = len(items)
    if n <= rows:
        return list(items)
    wanted: set[int] = set()
    for x in focus:  # three are enough to know it is not a focus (a u reads 785 weights)
        if x in items:  # items is a range of step 1
            wanted.add(x - items.start)
            if len(wanted) > 2:
                break
    must = wanted if len(wanted) <= 2 else set()  # a step reading a whole layer: no focus
    must |= {x - items.start for x in own if x in items}  # but what it computes, always
    if ends:
        must.add(0)
        if _rows(n, must | {n - 1}) <= rows:
            must.add(n - 1)
    head = 0
    while head < n and _rows(n, set(range(head + 1)) | must) <= rows:
        head += 1
    chosen = sorted(set(range(max(head, 0 if must else 1))) | must)
    out: list[int | None] = []
    previous = -1
    for k in chosen:
        if k > previous + 1:
            out.append(None)
        out.append(items[k])
        previous = k
    if previous < n - 1:
        out.append(None)
    return out


def _rows(n: int, chosen: set[int]) -> int:
    """Rows taken by the ``chosen`` positions of ``n`` items and the elisions between them."""
    rows, previous = 0, -1
    for k in sorted(chosen):
        rows += 1 + (k > previous + 1)
        previous = k
    return rows + (previous < n - 1)


def gaps(items: range, picked: Sequence[int | None]) -> list[int]:
    """How many items each None of ``picked`` stands for, in order."""
    counts: list[int] = []
    previous = items.start - 1
    for k, x in enumerate(picked):
        if x is None:
            following = next((y for y in picked[k + 1 :] if y is not None), items.stop)
            counts.append(following - previous - 1)
        else:
            previous = x
    return counts
