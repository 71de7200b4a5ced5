"""The network as drawn in class: inputs, neurons and weighted synapses, with the numbers so far.

``network_picture`` turns a solved dense lesson and a position in it (how many steps are
revealed, which one is being computed) into Unicode text: the inputs with x₀ = 1, each layer's
neurons with their activation, the weights on the synapses that enter them, and every value
already revealed beside its node. The neuron being computed and the quantities it reads are
highlighted; weights updated in this iteration replace the old ones, written with → for =.

It is headless on purpose (Rich only, never Textual): the Textual app shows it in a widget,
but the plain REPL, other printers and the tests print it with a Rich console without paying
for Textual's import, and a test checks that importing it loads no Textual. It reads only the
solution, never the engine, and is a pure function of its arguments; an index of the steps by
key is kept for the last solutions drawn, so that a 784-32-10 network is drawn about as fast
as a two-neuron one.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field, replace

from rich.cells import cell_len
from rich.console import RenderableType
from rich.style import Style
from rich.text import Text

from stepper.i18n import label
from stepper.notation import Sym
from stepper.numbers import given, pretty
from stepper.solution_cache import PerSolution
from stepper.steps import NetworkShape, Quantity, Solution, Step

#: The neuron the current step computes, and the slot of the value being computed.
CURRENT_STYLE = Style(bold=True, reverse=True)
#: What the current step reads: synapses, inputs, values of this or other neurons.
READ_STYLE = Style(bold=True, color="cyan")
#: A weight already updated in this iteration (also written with → instead of =).
UPDATED_STYLE = Style(color="green")
#: A quantity not revealed yet: only its symbol is written.
PENDING_STYLE = Style(dim=True)
HEADER_STYLE = Style(bold=True)
MORE_STYLE = Style(dim=True, italic=True)

#: Rows the picture aims to stay within (an 80×24 terminal leaves it about 10–12).
ROW_BUDGET = 12
#: Rows it may take when a network cannot be drawn in fewer (deep or very wide layers).
ROW_LIMIT = 14
#: Rows of a neuron's synapses drawn before the list is elided (w₁₀, w₁₁, w₁₂, …, w₁,₇₈₄).
_WEIGHT_ROWS = 5
_COLUMN_GAP = 2

_ACTIVATION_NAMES: dict[str, dict[str, str]] = {
    "es": {"linear": "lineal", "identity": "lineal", "sigmoid": "sigmoide", "relu": "ReLU"},
    "en": {"identity": "linear", "relu": "ReLU"},
}

#: The junction of a neuron's fan-in bracket, by (synapse from the left, wire to the neuron,
#: line up, line down).
_JUNCTION: dict[tuple[bool, bool, bool, bool], str] = {
    (True, True, True, True): "┼",
    (True, True, True, False): "┴",
    (True, True, False, True): "┬",
    (True, True, False, False): "─",
    (True, False, True, True): "┤",
    (True, False, False, True): "╮",
    (True, False, True, False): "╯",
    (True, False, False, False): "─",
    (False, True, True, True): "├",
    (False, True, True, False): "╰",
    (False, True, False, True): "╭",
    (False, True, False, False): "─",
    (False, False, True, True): "│",
    (False, False, True, False): "╵",
    (False, False, False, True): "╷",
    (False, False, False, False): " ",
}

#: Keys whose values belong to one iteration (and to one sample, when the step has one).
_PER_ITERATION = frozenset({"u", "y", "e", "d", "loss", "batch_loss"})


def network_picture(
    solution: Solution, revealed: int, current: int | None, lang: str, width: int
) -> RenderableType:
    """The network of ``solution`` with ``steps[:revealed]`` written in, ``current`` highlighted.

    ``current`` is the index in ``solution.steps`` of the step being computed, or None (the
    title screen). The text is at most ``width`` cells wide: layers side by side when they fit,
    one under another when they do not, and long layers elided with "… N más/more". A conv
    lesson is drawn by ``stepper.picture_conv`` (image ∗ kernel = map); a lesson with neither
    gives an empty text.
    """
    if solution.kind == "optimize":  # the contour lines of f, and the iterates' paths on them
        from stepper.picture_optimize import optimize_picture

        return optimize_picture(solution, revealed, current, lang, width)
    if solution.conv is not None:  # a conv lesson is drawn as the blackboard's image ∗ kernel
        from stepper.picture_conv import conv_picture

        return conv_picture(solution, revealed, current, lang, width)
    net = solution.network
    if net is None or not net.layers or not solution.steps or width <= 0:
        return Text("")
    scene = _Scene.build(solution, net, revealed, current, lang)
    best: _Plan | None = None
    for weight_rows in (_WEIGHT_ROWS, _WEIGHT_ROWS - 1):  # fewer synapse rows if too tall
        scene.weight_rows = weight_rows
        for build, spaced in (
            (_horizontal, True),
            (_horizontal, False),
            (_stacked, True),
            (_stacked, False),
        ):
            plan = build(scene, width, spaced)
            if plan is not None and (best is None or plan.key() > best.key()):
                best = plan
            done = best is not None and best.complete and best.rows <= ROW_BUDGET
            if build is _horizontal and done:
                break
        if best is not None and best.rows <= ROW_BUDGET:
            break
    if best is None:  # narrower than any layout: the narrowest one, cropped
        best = _stacked(scene, 10**6, False)
        assert best is not None
    text = Text(no_wrap=True, overflow="crop")
    for k, line in enumerate(best.lines):
        if k:
            text.append("\n")
        line.rstrip()
        line.truncate(width)
        text.append_text(line)
    return text


# --- what is known at this position ------------------------------------------------------------


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
    _given: dict[str, Quantity] | None = None
    symbols: dict[str, str] = field(default_factory=dict)
    widths: dict[str, int] = field(default_factory=dict)

    @classmethod
    def build(cls, solution: Solution) -> _Index:
        steps = solution.steps
        last: dict[str, int] = {}
        previous = [-1] * len(steps)
        sample_at: list[int | None] = [None] * len(steps)
        sample: int | None = None
        for k, step in enumerate(steps):
            p = last.get(step.key)
            if p is not None:
                previous[k] = p
            last[step.key] = k
            if step.sample is not None:
                sample = step.sample
            sample_at[k] = sample
        first_dw = next((st for st in steps if st.key.startswith("dw[")), None)
        alpha = None
        if first_dw is not None:
            alpha = next((q for q in first_dw.operands if q.key == "alpha"), None)
        return cls(solution, last, previous, sample_at, alpha)

    def positions(self, key: str, before: int | None = None) -> Iterator[int]:
        """Positions of the steps of ``key``, latest first (only those before ``before``)."""
        k = self.last.get(key, -1)
        while k >= 0:
            if before is None or k < before:
                yield k
            k = self.previous[k]

    def given(self, key: str) -> Quantity | None:
        """The lesson's initial value of a weight ``w[l,i,j]``."""
        given = self.solution.given
        net = self.solution.network
        name, idx = _parse(key)
        if net is not None and name == "w" and len(idx) == 3:  # given lists weights row by row
            layer, i, j = idx
            fan_ins = [net.inputs, *(shape.size for shape in net.layers)]
            pos = sum(net.layers[k].size * (fan_ins[k] + 1) for k in range(layer - 1))
            pos += (i - 1) * (fan_ins[layer - 1] + 1) + j
            if 0 <= pos < len(given) and given[pos].key == key:
                return given[pos]
        if self._given is None:
            self._given = {q.key: q for q in given}
        return self._given.get(key)


#: The index of each solution drawn lately (see stepper.solution_cache).
_index = PerSolution(_Index.build, 2)


def _parse(key: str) -> tuple[str, tuple[int, ...]]:
    """``w[1,2,0]`` -> ("w", (1, 2, 0)); ``loss`` -> ("loss", ())."""
    name, _, rest = key.partition("[")
    try:
        return name, tuple(int(p) for p in rest[:-1].split(",")) if rest else ()
    except ValueError:
        return name, ()


def _synapse(key: str) -> str:
    """A weight's increment Δw is drawn on its synapse: ``dw[1,2,0]`` -> ``w[1,2,0]``."""
    return key[1:] if key.startswith("dw[") else key


@dataclass(slots=True)
class _Scene:
    """One position of the walk: what is revealed, what is read, how numbers are written."""

    solution: Solution
    net: NetworkShape
    index: _Index
    revealed: int
    iteration: int
    sample: int
    step: Step | None
    target: str | None
    reads: set[str]
    focus: dict[str, set[int]]
    lang: str
    spaced: bool = True
    weight_rows: int = _WEIGHT_ROWS

    @classmethod
    def build(
        cls, solution: Solution, net: NetworkShape, revealed: int, current: int | None, lang: str
    ) -> _Scene:
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
        target = _synapse(step.key) if step is not None else None
        reads: set[str] = set()
        focus: dict[str, set[int]] = {}
        if step is not None:
            for q in step.operands:
                key = _synapse(q.key)
                if key not in reads:
                    reads.add(key)
                    _note_focus(focus, key)
            _note_focus(focus, _synapse(step.key))
        return cls(solution, net, index, revealed, iteration, sample, step, target, reads, focus,
                   lang)  # fmt: skip

    def latest(self, key: str) -> Step | None:
        """The latest revealed step of ``key``; of this iteration and sample where they matter."""
        steps = self.solution.steps
        per_iteration = _parse(key)[0] in _PER_ITERATION
        for k in self.index.positions(key, self.revealed):
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
            shown = [pretty(steps[k].shown) for k in self.index.positions(key)]
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

    def style(self, key: str) -> Style | None:
        if key == self.target:
            return CURRENT_STYLE
        return READ_STYLE if key in self.reads else None

    @property
    def eq(self) -> str:
        return " = " if self.spaced else "="

    @property
    def arrow(self) -> str:
        return " → " if self.spaced else "→"

    def more(self, n: int) -> str:
        return label("picture.more", self.lang, n=n)

    def activation(self, name: str) -> str:
        return _ACTIVATION_NAMES.get(self.lang, _ACTIVATION_NAMES["en"]).get(name, name)

    def fan_in(self, layer: int) -> int:
        return self.net.inputs if layer == 1 else self.net.layers[layer - 2].size

    def is_last(self, layer: int) -> bool:
        return layer == len(self.net.layers)


def _note_focus(focus: dict[str, set[int]], key: str) -> None:
    """Remember which item of an elided list a key points at: an input, a neuron, a synapse."""
    name, idx = _parse(key)
    if name == "x" and len(idx) == 1:
        focus.setdefault("x", set()).add(idx[0])
    elif name in _PER_ITERATION and len(idx) == 2:
        focus.setdefault(f"n{idx[0]}", set()).add(idx[1])
    elif name == "w" and len(idx) == 3:
        layer, i, j = idx
        focus.setdefault(f"n{layer}", set()).add(i)
        focus.setdefault(f"w{layer},{i}", set()).add(j)
        focus.setdefault(f"n{layer - 1}" if layer > 1 else "x", set()).add(j)


# --- text primitives ---------------------------------------------------------------------------


def _text(part: str, style: Style | None = None) -> Text:
    text = Text()
    text.append(part, style)
    return text


def _pad(text: Text, width: int) -> Text:
    gap = width - text.cell_len
    if gap > 0:
        text.append(" " * gap)
    return text


@dataclass(slots=True)
class _Block:
    """A rectangle of text: lines no wider than ``width``."""

    width: int
    lines: list[Text]


def _hjoin(blocks: Sequence[_Block], gap: int) -> list[Text]:
    height = max((len(b.lines) for b in blocks), default=0)
    lines = []
    for r in range(height):
        line = Text()
        for k, block in enumerate(blocks):
            if k:
                line.append(" " * gap)
            if r < len(block.lines):
                line.append_text(block.lines[r])
            if k < len(blocks) - 1:
                _pad(line, sum(b.width for b in blocks[: k + 1]) + gap * k)
        lines.append(line)
    return lines


def _pick(items: range, rows: int, focus: Collection[int], ends: bool) -> list[int | None]:
    """Which of ``items`` to draw in at most ``rows`` rows: the first ones and the focus.

    With ``ends`` the first item is always drawn, and the last one when there is room
    (w₁₀ … w₁,₇₈₄ shows where the list starts and ends). None marks an elision, one row of
    "… N more", where items are left out.
    """
    n = len(items)
    if n <= rows:
        return list(items)
    wanted = {items.index(x) for x in focus if x in items}
    must = wanted if len(wanted) <= 2 else set()  # a step reading a whole layer: no focus
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


def _gaps(items: range, picked: Sequence[int | None]) -> list[int]:
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


# --- slots: a symbol and its value -------------------------------------------------------------


def _slot(scene: _Scene, key: str, sym: str) -> Text:
    """``sym = value`` once revealed, ``sym = ?`` while being computed, else ``sym`` alone."""
    step = scene.latest(key)
    if step is not None:
        return _text(f"{sym}{scene.eq}{pretty(step.shown)}", scene.style(key))
    if key == scene.target:
        return _text(f"{sym}{scene.eq}?", CURRENT_STYLE)
    return _text(sym, PENDING_STYLE)


def _slot_width(scene: _Scene, key: str, sym: str) -> int:
    return cell_len(sym) + len(scene.eq) + scene.value_width(key)


def _given_slot(scene: _Scene, key: str, sym: str, value: float) -> Text:
    return _text(f"{sym}{scene.eq}{pretty(given(value))}", scene.style(key))


def _sub(n: int) -> str:
    return Sym("x", (n,)).unicode()[1:]


def _inputs_width(scene: _Scene, picked: Sequence[int | None]) -> int:
    """The widest these inputs are written in any sample, so that a batch does not shift."""
    width = 0
    for j in picked:
        if j is not None:
            values = [1.0] if j == 0 else [x[j - 1] for x in scene.net.samples]
            widest = max(cell_len(pretty(given(v))) for v in values)
            width = max(width, cell_len(f"x{_sub(j)}{scene.eq}") + widest)
    return width


def _alpha(scene: _Scene) -> Text | None:
    """The learning rate α, beside the inputs, for the lessons that train."""
    q = scene.index.alpha
    return None if q is None else _given_slot(scene, "alpha", q.sym.unicode(), q.value)


def _inputs(scene: _Scene, picked: Sequence[int | None]) -> list[Text]:
    """x₀ = 1 and the current sample's inputs; "… N more" where elided."""
    x = scene.net.samples[scene.sample - 1]
    counts = iter(_gaps(range(scene.net.inputs + 1), picked))
    out = []
    for j in picked:
        if j is None:
            out.append(_text(scene.more(next(counts)), MORE_STYLE))
        else:
            out.append(_given_slot(scene, f"x[{j}]", f"x{_sub(j)}", x[j - 1] if j else 1.0))
    return out


def _weight(scene: _Scene, layer: int, i: int, j: int) -> Text:
    """A synapse: ``w₁₂ = 0.3``, or ``w₁₂ → 0.2874`` once updated in this iteration."""
    key = f"w[{layer},{i},{j}]"
    sym = scene.symbol(key, Sym("w", (i, j)))
    style = scene.style(key)
    step = scene.latest(key)
    if step is None:
        q = scene.index.given(key)
        return _text(f"{sym}{scene.eq}{pretty(given(q.value)) if q else '?'}", style)
    updated = step.iteration == scene.iteration
    if updated and style is None:
        style = UPDATED_STYLE
    return _text(f"{sym}{scene.arrow if updated else scene.eq}{pretty(step.shown)}", style)


def _weight_width(scene: _Scene, layer: int, i: int, j: int) -> int:
    key = f"w[{layer},{i},{j}]"
    return _slot_width(scene, key, scene.symbol(key, Sym("w", (i, j))))


def _target(scene: _Scene, i: int) -> float | None:
    targets = scene.net.targets[scene.sample - 1] if scene.net.targets else None
    return targets[i - 1] if targets is not None and i <= len(targets) else None


# --- neurons -----------------------------------------------------------------------------------


def _neuron_slots(scene: _Scene, layer: int, i: int) -> dict[str, tuple[str, str]]:
    """The value slots of neuron i of ``layer``: u, output y, δ, ε -> (key, symbol)."""
    shape = scene.net.layers[layer - 1]
    number = shape.offset + i
    last = scene.is_last(layer)
    out = Sym("y", (i,), tilde=True) if last else Sym(shape.out_letter, (number,))
    slots = {
        "u": (f"u[{layer},{i}]", scene.symbol(f"u[{layer},{i}]", Sym("u", (number,)))),
        "y": (f"y[{layer},{i}]", scene.symbol(f"y[{layer},{i}]", out)),
    }
    if scene.exists(f"d[{layer},{i}]"):
        slots["d"] = (f"d[{layer},{i}]", scene.symbol(f"d[{layer},{i}]", Sym("delta", (number,))))
    if last and scene.exists(f"e[{i}]"):
        slots["e"] = (f"e[{i}]", scene.symbol(f"e[{i}]", Sym("eps", (i,))))
    return slots


def _glyph(scene: _Scene, layer: int, i: int) -> str:
    """The neuron itself, as the circle of the lecture: (3 lineal)."""
    shape = scene.net.layers[layer - 1]
    return f"({shape.offset + i} {scene.activation(shape.activations[i - 1])})"


@dataclass(slots=True)
class _Layer:
    """Some neurons of one layer, measured so that their columns line up."""

    layer: int
    neurons: list[int | None]
    synapses: dict[int, list[int | None]]
    w_width: int
    g_width: int
    o_gap: int
    o_width: int

    @property
    def width(self) -> int:
        return self.w_width + 3 + self.g_width + self.o_gap + self.o_width

    @property
    def neuron_row(self) -> int:
        """The row of the neuron's circle: under u, over δ, about the middle of its synapses."""
        n = max((len(s) for s in self.synapses.values()), default=3)
        return max(1, (n - 1) // 2)

    @property
    def height(self) -> int:
        n = max((len(s) for s in self.synapses.values()), default=3)
        return max(n, self.neuron_row + 2)

    @property
    def out_at(self) -> int:
        """The column where the outputs (z, ỹ) start."""
        return self.w_width + 3 + self.g_width + self.o_gap


def _measure(scene: _Scene, layer: int, neurons: list[int | None]) -> _Layer:
    fan_in = scene.fan_in(layer)
    w_width = g_width = o_width = 0
    synapses: dict[int, list[int | None]] = {}
    o_gap = 1
    for i in neurons:
        if i is None:
            continue
        inputs = range(fan_in + 1)
        limit = scene.weight_rows if fan_in + 1 > _WEIGHT_ROWS else fan_in + 1
        rows = _pick(inputs, limit, scene.focus.get(f"w{layer},{i}", ()), True)
        synapses[i] = rows
        for count in _gaps(inputs, rows):
            w_width = max(w_width, cell_len(scene.more(count)))
        for j in rows:
            if j is not None:
                w_width = max(w_width, _weight_width(scene, layer, i, j))
        slots = _neuron_slots(scene, layer, i)
        g_width = max(g_width, cell_len(_glyph(scene, layer, i)) + 2)
        for pos in ("u", "d"):
            if pos in slots:
                g_width = max(g_width, 1 + _slot_width(scene, *slots[pos]))
        for pos in ("y", "e"):
            if pos in slots:
                o_width = max(o_width, _slot_width(scene, *slots[pos]))
        t = _target(scene, i)
        if t is not None and scene.is_last(layer):
            o_width = max(o_width, cell_len(f"y{_sub(i)}{scene.eq}{pretty(given(t))}"))
        if scene.is_last(layer) and ("e" in slots or t is not None):
            o_gap = 2
    return _Layer(layer, neurons, synapses, w_width, g_width, o_gap, o_width)


def _neuron(scene: _Scene, draw: _Layer, i: int) -> _Block:
    """One neuron as drawn in class: synapses fan in, u above, δ below, the output to the right.

    w₁₀ = 0.1  ──╮ u₁ = 0.29
    w₁₁ = −0.2 ──┼─(1 tanh)─── z₁ = 0.28213
    w₁₂ = 0.3  ──╯ γ₁ = 0.32522
    """
    layer = draw.layer
    rows = draw.synapses[i]
    counts = iter(_gaps(range(scene.fan_in(layer) + 1), rows))
    n = len(rows)
    m = draw.neuron_row
    bottom = max(n - 1, m)
    slots = _neuron_slots(scene, layer, i)
    step = scene.step
    current = step is not None and (step.layer, step.neuron) == (layer, i)
    out_at = draw.out_at
    lines = []
    for r in range(draw.height):
        j = rows[r] if r < n else None
        line = Text()
        if j is not None:
            line.append_text(_weight(scene, layer, i, j))
        elif r < n:
            line.append(scene.more(next(counts)), MORE_STYLE)
        if r <= bottom:
            fill = draw.w_width + 1 - line.cell_len
            line.append(" ")
            if j is not None:
                line.append("─" * fill, scene.style(f"w[{layer},{i},{j}]"))
            elif r < n:  # the synapses left out, drawn dotted
                line.append("┄" * fill, MORE_STYLE)
            else:
                line.append(" " * fill)
            line.append(_JUNCTION[r < n, r == m, r > 0, r < bottom])
        if r == m:
            glyph = _glyph(scene, layer, i)
            line.append("─")
            line.append(glyph, CURRENT_STYLE if current else None)
            line.append("─" * (out_at - 1 - line.cell_len))
            line.append(" ")
            line.append_text(_slot(scene, *slots["y"]))
        elif r in (m - 1, m + 1):
            pos = "u" if r < m else "d"
            if pos in slots:
                _pad(line, draw.w_width + 3)
                line.append(" ")
                line.append_text(_slot(scene, *slots[pos]))
            beside = _beside_output(scene, slots, layer, i, above=r < m)
            if beside is not None:
                _pad(line, out_at)
                line.append_text(beside)
        lines.append(line)
    return _Block(draw.width, lines)


def _beside_output(
    scene: _Scene, slots: dict[str, tuple[str, str]], layer: int, i: int, above: bool
) -> Text | None:
    """At an output: the wanted y above ỹ, the error ε below it."""
    if not scene.is_last(layer):
        return None
    if above:
        t = _target(scene, i)
        return None if t is None else _given_slot(scene, f"target[{i}]", f"y{_sub(i)}", t)
    return _slot(scene, *slots["e"]) if "e" in slots else None


def _elided_neurons(scene: _Scene, count: int, indent: int = 0) -> Text:
    """Neurons left out, drawn as one more circle: (… 30 más)."""
    text = Text(" " * indent)
    text.append(f"({scene.more(count)})", MORE_STYLE)
    return text


def _header(scene: _Scene, layer: int, right_at: int = 0) -> Text:
    """capa 1 · salidas, then z₀ = 1 over a hidden layer's outputs, or the loss of the pair."""
    name = label("picture.layer", scene.lang, l=layer)
    if scene.is_last(layer):
        name += " · " + label("picture.outputs", scene.lang)
    text = _text(name, HEADER_STYLE)
    extra: list[Text] = []
    if not scene.is_last(layer):
        key = f"y[{layer},0]"
        sym = scene.symbol(key, Sym(scene.net.layers[layer - 1].out_letter, (0,)))
        extra.append(_given_slot(scene, key, sym, 1.0))
    else:
        for key, fallback in (("loss", Sym("eps2")), ("batch_loss", Sym("Fo"))):
            if scene.exists(key):
                extra.append(_slot(scene, key, scene.symbol(key, fallback)))
    for k, part in enumerate(extra):
        at = right_at if k == 0 and right_at >= text.cell_len + 2 else text.cell_len + 2
        _pad(text, at)
        text.append_text(part)
    return text


# --- layouts -----------------------------------------------------------------------------------


@dataclass(slots=True)
class _Plan:
    lines: list[Text]
    rows: int  # without the blank lines added only because there was room
    shown: int
    complete: bool
    horizontal: bool
    spaced: bool

    def key(self) -> tuple[bool, bool, int, bool, int, bool]:
        """Within the rows; more neurons; side by side; fewer rows; with spaces."""
        rows = self.rows
        return (
            rows <= ROW_LIMIT,
            rows <= ROW_BUDGET,
            self.shown,
            self.horizontal,
            -rows,
            self.spaced,
        )


def _choose(scene: _Scene, layer: int, count: int) -> list[int | None]:
    size = scene.net.layers[layer - 1].size
    return _pick(range(1, size + 1), count, scene.focus.get(f"n{layer}", ()), False)


def _horizontal(scene: _Scene, width: int, spaced: bool) -> _Plan | None:
    """The inputs, then one column per layer left to right, its neurons one under another."""
    scene.spaced = spaced
    net = scene.net
    extra = [t for t in (_alpha(scene), _sample_note(scene)) if t is not None]
    rows = ROW_BUDGET - 1 - (len(extra) + 1 if extra else 0)
    picked = _pick(range(net.inputs + 1), rows, scene.focus.get("x", ()), True)
    column = [_text(label("picture.inputs", scene.lang), HEADER_STYLE), *_inputs(scene, picked)]
    if extra:
        column += [Text(), *extra]
    width_x = max(_inputs_width(scene, picked), *(t.cell_len for t in column))
    blocks = [_Block(width_x, column)]
    draws = []
    total = blocks[0].width
    for layer in range(1, len(net.layers) + 1):
        size = net.layers[layer - 1].size
        height = _measure(scene, layer, [1]).height
        gap = 1 if 1 + size * height + size - 1 <= ROW_BUDGET else 0
        count = size
        neurons = _choose(scene, layer, count)
        while count > 1 and _column_rows(neurons, height, gap) > ROW_BUDGET:
            count -= 1
            neurons = _choose(scene, layer, count)
        draw = _measure(scene, layer, neurons)
        draws.append((draw, gap))
        total += _COLUMN_GAP + draw.width
        if total > width:
            return None
    shown = 0
    for draw, gap in draws:
        size = net.layers[draw.layer - 1].size
        header = _header(scene, draw.layer, draw.out_at)
        lines = [header]
        counts = iter(_gaps(range(1, size + 1), draw.neurons))
        for k, i in enumerate(draw.neurons):
            if k and gap:
                lines.append(Text())
            if i is None:
                lines.append(_elided_neurons(scene, next(counts), draw.w_width + 3))
            else:
                lines += _neuron(scene, draw, i).lines
                shown += 1
        blocks.append(_Block(max(draw.width, header.cell_len), lines))
    if sum(b.width for b in blocks) + _COLUMN_GAP * (len(blocks) - 1) > width:
        return None
    complete = shown == sum(layer.size for layer in net.layers)
    lines = _hjoin(blocks, _COLUMN_GAP)
    return _Plan(lines, len(lines), shown, complete, True, spaced)


def _column_rows(neurons: Sequence[int | None], height: int, gap: int) -> int:
    return 1 + sum(height if i is not None else 1 for i in neurons) + gap * (len(neurons) - 1)


def _stacked(scene: _Scene, width: int, spaced: bool) -> _Plan | None:
    """The inputs on one line, then each layer as a band, its neurons side by side."""
    scene.spaced = spaced
    net = scene.net
    shown = 0
    bands: list[list[Text]] = []
    for layer in range(1, len(net.layers) + 1):
        band = _band(scene, layer, width)
        if band is None:
            return None
        bands.append(band[0])
        shown += band[1]
    lines = [_input_line(scene, width)]
    rows = 1 + sum(len(b) for b in bands)
    spare = ROW_BUDGET - rows
    for band_lines in bands:
        if spare > 0:
            lines.append(Text())
            spare -= 1
        lines += band_lines
    if any(line.cell_len > width for line in lines):
        return None
    complete = shown == sum(layer.size for layer in net.layers)
    return _Plan(lines, rows, shown, complete, False, spaced)


def _band(scene: _Scene, layer: int, width: int) -> tuple[list[Text], int] | None:
    """One layer under its header, neurons side by side in at most two rows, or one and "…"."""
    size = scene.net.layers[layer - 1].size
    probe = _measure(scene, layer, list(range(1, min(size, 8) + 1)))
    if probe.width > width:
        return None
    gap = 3 if 2 * probe.width + 3 <= width or size == 1 else 2
    per_row = max(1, (width + gap) // (probe.width + gap))
    neurons: list[int | None] = list(range(1, size + 1))
    count = per_row + 1
    while size > 2 * per_row:
        neurons = _choose(scene, layer, count)
        counts = iter(_gaps(range(1, size + 1), neurons))
        used = sum(
            probe.width if i is not None else len(f"({scene.more(next(counts))})") for i in neurons
        )
        if used + gap * (len(neurons) - 1) <= width or count == 1:
            break
        count -= 1
    draw = _measure(scene, layer, neurons)
    counts = iter(_gaps(range(1, size + 1), neurons))
    blocks = []
    for i in neurons:
        if i is None:
            text = _elided_neurons(scene, next(counts))
            blocks.append(_Block(text.cell_len, [Text()] * draw.neuron_row + [text]))
        else:
            blocks.append(_neuron(scene, draw, i))
    lines = [_header(scene, layer)]
    row: list[_Block] = []
    for block in blocks:
        if row and sum(b.width + gap for b in row) + block.width > width:
            lines += _hjoin(row, gap)
            row = []
        row.append(block)
    lines += _hjoin(row, gap)
    return lines, sum(i is not None for i in neurons)


def _sample_note(scene: _Scene) -> Text | None:
    """Which pair the inputs are, when the lesson has several."""
    if len(scene.net.samples) <= 1:
        return None
    return _text(f"({label('sample', scene.lang, s=scene.sample)})", MORE_STYLE)


def _input_line(scene: _Scene, width: int) -> Text:
    """entradas  x₀ = 1  x₁ = 0.1  x₂ = 0.7, elided in the middle when too long."""
    head = _text(label("picture.inputs", scene.lang), HEADER_STYLE)
    note = _sample_note(scene)
    if note is not None:
        head.append(" ")
        head.append_text(note)
    items = range(scene.net.inputs + 1)
    rows = min(len(items), max(3, width // 6))
    alpha = _alpha(scene)
    while True:
        line = head.copy()
        for slot in _inputs(scene, _pick(items, rows, scene.focus.get("x", ()), True)):
            line.append("  ")
            line.append_text(slot)
        if alpha is not None and line.cell_len + 4 + alpha.cell_len <= width:
            line.append("    ")
            line.append_text(alpha)
        if line.cell_len <= width or rows <= 3:
            return line
        rows -= 1
