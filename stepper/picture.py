"""The network as drawn in class: inputs, neurons and weighted synapses, with the numbers so far.

``network_picture`` turns a solved dense lesson and a position in it (how many steps are
revealed, which one is being computed) into Unicode text: the inputs with x₀ = 1, each layer's
neurons with their activation, the weights on the synapses that enter them, and every value
already revealed beside its node. The neuron being computed and the quantities it reads are
highlighted; weights updated in this iteration replace the old ones, marked with →.

It is headless on purpose (Rich only, no Textual): the Textual app shows it in a widget, the
plain REPL and the tests print it with a Rich console, and a test of import hygiene keeps the
core free of Textual. It reads only the solution, never the engine, and is a pure function of
its arguments; an index of the steps by key is kept per solution so that a 784-32-10 network
is drawn as fast as a two-neuron one.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace

from rich.cells import cell_len
from rich.console import RenderableType
from rich.style import Style
from rich.text import Text

from stepper.i18n import label
from stepper.notation import Sym
from stepper.numbers import given, pretty
from stepper.steps import NetworkShape, Quantity, Solution, Step

#: The neuron that the current step computes, and the slot of the value it is computing.
CURRENT_STYLE = Style(bold=True, reverse=True)
#: The quantities the current step reads (synapses, inputs, values of other neurons).
READ_STYLE = Style(bold=True, color="cyan")
#: A weight already updated in this iteration (also marked with → instead of =).
UPDATED_STYLE = Style(color="green")
#: A quantity of the network not revealed yet: only its symbol is written.
PENDING_STYLE = Style(dim=True)
HEADER_STYLE = Style(bold=True)
MORE_STYLE = Style(dim=True, italic=True)

#: Rows the picture aims to stay within (an 80×24 terminal leaves it about 10–12).
ROW_BUDGET = 12
_COLUMN_GAP = 2
_BLOCK_GAP = 3
#: Weight rows of a neuron and input rows drawn whole; longer lists are elided.
_MAX_WEIGHT_ROWS = 5
_MAX_INPUT_ROWS = ROW_BUDGET - 2

_ACTIVATION_NAMES: dict[str, dict[str, str]] = {
    "es": {"linear": "lineal", "identity": "lineal", "sigmoid": "sigmoide", "relu": "ReLU"},
    "en": {"identity": "linear", "relu": "ReLU"},
}

#: Box-drawing junction of the fan-in bracket, by (wire from the left, wire to the right,
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

_PER_SAMPLE = frozenset({"u", "y", "e", "d"})


def network_picture(
    solution: Solution, revealed: int, current: int | None, lang: str, width: int
) -> RenderableType:
    """The network of ``solution`` with ``steps[:revealed]`` written in, ``current`` highlighted.

    ``current`` is the index in ``solution.steps`` of the step being computed, or None (the
    title screen). The text is at most ``width`` cells wide: layers side by side when they fit,
    one under another when they do not, and long layers elided with "… N más/more".
    """
    net = solution.network
    if net is None or not solution.steps or width <= 0:
        return Text("")
    scene = _Scene.build(solution, net, revealed, current, lang)
    best: _Plan | None = None
    for plan in (
        _horizontal(scene, width, spaced=True),
        _horizontal(scene, width, spaced=False),
        _stacked(scene, width, spaced=True),
        _stacked(scene, width, spaced=False),
    ):
        if plan is not None and (best is None or plan.better_than(best)):
            best = plan
    if best is None:  # too narrow for any layout: the narrowest one, cropped
        best = _stacked(scene, 10**6, spaced=False)
        assert best is not None
    text = Text(no_wrap=True, overflow="crop", end="")
    for k, line in enumerate(best.lines):
        if k:
            text.append("\n")
        text.append_text(line)
    text.rstrip()
    return text


# --- what is known at this position ------------------------------------------------------------


@dataclass(slots=True)
class _Index:
    """The steps of one solution by key, built once: lookups then cost no scan of the steps."""

    by_key: dict[str, list[int]]
    sample_at: list[int | None]
    given: dict[str, Quantity]
    symbols: dict[str, str] = field(default_factory=dict)
    widths: dict[str, int] = field(default_factory=dict)

    @classmethod
    def build(cls, solution: Solution) -> _Index:
        by_key: dict[str, list[int]] = {}
        sample_at: list[int | None] = []
        last: int | None = None
        for k, step in enumerate(solution.steps):
            by_key.setdefault(step.key, []).append(k)
            if step.sample is not None:
                last = step.sample
            sample_at.append(last)
        return cls(by_key, sample_at, {q.key: q for q in solution.given})


#: The indexes of the last few solutions drawn (a walk draws one solution many times; an edit
#: of the lesson solves it again). Solutions take no weak references, so the cache is small.
_INDEXES: OrderedDict[int, tuple[Solution, _Index]] = OrderedDict()
_CACHED = 4


def _index(solution: Solution) -> _Index:
    key = id(solution)
    hit = _INDEXES.get(key)
    if hit is not None and hit[0] is solution:
        _INDEXES.move_to_end(key)
        return hit[1]
    index = _Index.build(solution)
    _INDEXES[key] = (solution, index)
    while len(_INDEXES) > _CACHED:
        _INDEXES.popitem(last=False)
    return index


def _parse(key: str) -> tuple[str, tuple[int, ...]]:
    """``w[1,2,0]`` -> ("w", (1, 2, 0))."""
    name, _, rest = key.partition("[")
    if not rest:
        return name, ()
    try:
        return name, tuple(int(p) for p in rest[:-1].split(","))
    except ValueError:
        return name, ()


@dataclass(slots=True)
class _Scene:
    """One position of the walk: what is revealed, what is read, and how numbers are written."""

    solution: Solution
    net: NetworkShape
    index: _Index
    revealed: int
    iteration: int
    sample: int
    step: Step | None
    target: str | None
    reads: set[str]
    lang: str
    focus: dict[str, set[int]]
    spaced: bool = True

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
        target = None
        reads: set[str] = set()
        focus: dict[str, set[int]] = {}
        if step is not None:
            target = step.key.replace("dw[", "w[", 1) if step.key.startswith("dw[") else step.key
            for q in step.operands:
                key = q.key.replace("dw[", "w[", 1) if q.key.startswith("dw[") else q.key
                if key not in reads:
                    reads.add(key)
                    _note_focus(focus, key)
            _note_focus(focus, target)
        return cls(solution, net, index, revealed, iteration, sample, step, target, reads, lang,
                   focus)  # fmt: skip

    # values

    def latest(self, key: str) -> Step | None:
        """The latest revealed step of ``key`` that belongs to this iteration and sample."""
        positions = self.index.by_key.get(key)
        if not positions:
            return None
        steps = self.solution.steps
        k = bisect_left(positions, self.revealed) - 1
        if _parse(key)[0] not in _PER_SAMPLE:
            return steps[positions[k]] if k >= 0 else None
        while k >= 0:
            step = steps[positions[k]]
            if step.iteration != self.iteration:
                return None
            if step.sample is None or step.sample == self.sample:
                return step
            k -= 1
        return None

    def value_width(self, key: str) -> int:
        """The widest this key's value is ever written, so the layout does not jump."""
        width = self.index.widths.get(key)
        if width is None:
            steps = self.solution.steps
            shown = [pretty(steps[k].shown) for k in self.index.by_key.get(key, ())]
            if key in self.index.given:
                shown.append(pretty(given(self.index.given[key].value)))
            width = max((cell_len(s) for s in shown), default=1)
            self.index.widths[key] = width
        return width

    def symbol(self, key: str, fallback: Sym) -> str:
        """How the lecture writes ``key`` in this lesson (z₁ or ỹ₁, δ₃ or γ₁, w₁₂ or t₃₂)."""
        text = self.index.symbols.get(key)
        if text is None:
            sym = fallback
            positions = self.index.by_key.get(key)
            if positions:
                sym = self.solution.steps[positions[0]].sym
            elif key in self.index.given:
                sym = self.index.given[key].sym
            text = replace(sym, sample=None).unicode()
            self.index.symbols[key] = text
        return text

    def exists(self, key: str) -> bool:
        return key in self.index.by_key

    def style(self, key: str) -> Style | None:
        if key == self.target:
            return CURRENT_STYLE
        if key in self.reads:
            return READ_STYLE
        return None

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


def _note_focus(focus: dict[str, set[int]], key: str) -> None:
    """Remember which elided items a key points at: an input, a neuron, a synapse."""
    name, idx = _parse(key)
    if name == "x" and idx:
        focus.setdefault("x", set()).add(idx[0])
    elif name in _PER_SAMPLE and len(idx) == 2:
        focus.setdefault(f"n{idx[0]}", set()).add(idx[1])
    elif name == "e" and idx:
        focus.setdefault("e", set()).add(idx[0])
    elif name == "w" and len(idx) == 3:
        focus.setdefault(f"n{idx[0]}", set()).add(idx[1])
        focus.setdefault(f"w{idx[0]},{idx[1]}", set()).add(idx[2])
        if idx[0] > 1:
            focus.setdefault(f"n{idx[0] - 1}", set()).add(idx[2])
        else:
            focus.setdefault("x", set()).add(idx[2])


# --- drawing primitives ------------------------------------------------------------------------


@dataclass(slots=True)
class _Block:
    """A rectangle of text: lines no wider than ``width``."""

    width: int
    lines: list[Text]


def _text(*parts: tuple[str, Style | None]) -> Text:
    text = Text()
    for part, style in parts:
        text.append(part, style)
    return text


def _pad(text: Text, width: int) -> Text:
    gap = width - text.cell_len
    if gap > 0:
        text.append(" " * gap)
    return text


def _hjoin(blocks: Sequence[_Block], gap: int) -> _Block:
    height = max((len(b.lines) for b in blocks), default=0)
    lines = []
    for r in range(height):
        line = Text()
        for k, block in enumerate(blocks):
            if k:
                line.append(" " * gap)
            part = block.lines[r].copy() if r < len(block.lines) else Text()
            line.append_text(_pad(part, block.width))
        lines.append(line)
    width = sum(b.width for b in blocks) + gap * max(0, len(blocks) - 1)
    return _Block(width, lines)


def _pick(
    items: Sequence[int], rows: int, focus: Collection[int], keep_last: bool
) -> list[int | None]:
    """Which items to draw in at most ``rows`` rows: the first ones, the focus, maybe the last.

    None marks an elision (one row, "… N more"), placed where items are left out.
    """
    if len(items) <= rows:
        return list(items)
    must = {x for x in items if x in focus}
    if len(must) > 2:  # a step that reads a whole layer: show its start, as without focus
        must = set()
    if keep_last:
        must.add(items[-1])
    chosen = set(must)
    for x in items:
        if x in chosen:
            continue
        trial = chosen | {x}
        if _rows(items, trial) > rows:
            break
        chosen = trial
    if not chosen:
        chosen = {items[0]}
    out: list[int | None] = []
    for x in items:
        if x in chosen:
            out.append(x)
        elif not out or out[-1] is not None:
            out.append(None)
    return out


def _rows(items: Sequence[int], chosen: set[int]) -> int:
    rows, gap = 0, False
    for x in items:
        if x in chosen:
            rows, gap = rows + 1, False
        elif not gap:
            rows, gap = rows + 1, True
    return rows


def _gaps(items: Sequence[int], picked: Sequence[int | None]) -> list[int]:
    """How many items each None of ``picked`` stands for, in order."""
    shown = {x for x in picked if x is not None}
    counts: list[int] = []
    run = 0
    for x in items:
        if x in shown:
            if run:
                counts.append(run)
            run = 0
        else:
            run += 1
    if run:
        counts.append(run)
    return counts


# --- the pieces: inputs, slots, neurons --------------------------------------------------------


def _slot(scene: _Scene, key: str, sym: str) -> Text:
    """``sym = value`` once revealed, ``sym = ?`` while being computed, else ``sym`` alone."""
    step = scene.latest(key)
    style = scene.style(key)
    if step is None:
        if key == scene.target:
            return _text((f"{sym}{scene.eq}?", CURRENT_STYLE))
        return _text((sym, PENDING_STYLE))
    return _text((f"{sym}{scene.eq}{pretty(step.shown)}", style))


def _slot_width(scene: _Scene, key: str, sym: str) -> int:
    return cell_len(sym) + len(scene.eq) + scene.value_width(key)


def _given_slot(scene: _Scene, key: str, sym: str, value: float) -> Text:
    return _text((f"{sym}{scene.eq}{pretty(given(value))}", scene.style(key)))


def _input_slots(scene: _Scene, picked: Sequence[int | None]) -> list[Text]:
    x = scene.net.samples[scene.sample - 1]
    counts = iter(_gaps(range(scene.net.inputs + 1), picked))
    out = []
    for j in picked:
        if j is None:
            out.append(_text((scene.more(next(counts)), MORE_STYLE)))
        else:
            out.append(_given_slot(scene, f"x[{j}]", f"x{_sub(j)}", x[j - 1] if j else 1.0))
    return out


def _sub(n: int) -> str:
    return Sym("x", (n,)).unicode()[1:]


def _weight(scene: _Scene, layer: int, i: int, j: int) -> tuple[Text, int]:
    """A synapse: ``w₁₂ = 0.3``, or ``w₁₂ → 0.2874`` once updated in this iteration."""
    key = f"w[{layer},{i},{j}]"
    sym = scene.symbol(key, Sym("w", (i, j)))
    width = cell_len(sym) + len(scene.eq) + scene.value_width(key)
    step = scene.latest(key)
    style = scene.style(key)
    if step is not None:
        updated = step.iteration == scene.iteration
        text = f"{sym}{scene.arrow if updated else scene.eq}{pretty(step.shown)}"
        if style is None and updated:
            style = UPDATED_STYLE
        return _text((text, style)), width
    q = scene.index.given.get(key)
    value = pretty(given(q.value)) if q is not None else "?"
    return _text((f"{sym}{scene.eq}{value}", style)), width


@dataclass(slots=True)
class _LayerDraw:
    """Everything needed to draw some neurons of one layer with shared column widths."""

    layer: int
    neurons: list[int | None]
    weight_rows: dict[int, list[int | None]]
    w_width: int
    g_width: int
    o_width: int

    @property
    def width(self) -> int:
        return self.w_width + 3 + self.g_width + 1 + self.o_width


def _neuron_keys(scene: _Scene, layer: int, i: int) -> dict[str, tuple[str, str]]:
    """The value slots of neuron i of ``layer``: position -> (key, symbol)."""
    net = scene.net
    shape = net.layers[layer - 1]
    number = shape.offset + i
    last = layer == len(net.layers)
    slots: dict[str, tuple[str, str]] = {}
    slots["u"] = (f"u[{layer},{i}]", scene.symbol(f"u[{layer},{i}]", Sym("u", (number,))))
    out_sym = Sym("y", (i,), tilde=True) if last else Sym(shape.out_letter, (number,))
    slots["y"] = (f"y[{layer},{i}]", scene.symbol(f"y[{layer},{i}]", out_sym))
    if scene.exists(f"d[{layer},{i}]"):
        slots["d"] = (f"d[{layer},{i}]", scene.symbol(f"d[{layer},{i}]", Sym("delta", (number,))))
    if last and scene.exists(f"e[{i}]"):
        slots["e"] = (f"e[{i}]", scene.symbol(f"e[{i}]", Sym("eps", (i,))))
    return slots


def _target(scene: _Scene, i: int) -> float | None:
    targets = scene.net.targets[scene.sample - 1] if scene.net.targets else None
    return targets[i - 1] if targets is not None and i <= len(targets) else None


def _plan_layer(scene: _Scene, layer: int, neurons: list[int | None]) -> _LayerDraw:
    shape = scene.net.layers[layer - 1]
    fan_in = scene.net.inputs if layer == 1 else scene.net.layers[layer - 2].size
    w_width = g_width = o_width = 0
    weight_rows: dict[int, list[int | None]] = {}
    for i in neurons:
        if i is None:
            continue
        items = range(fan_in + 1)
        rows = _pick(items, _MAX_WEIGHT_ROWS, scene.focus.get(f"w{layer},{i}", ()), True)
        if len(rows) < fan_in + 1 and len(rows) == _MAX_WEIGHT_ROWS:
            rows = _pick(items, _MAX_WEIGHT_ROWS - 1, scene.focus.get(f"w{layer},{i}", ()), True)
        weight_rows[i] = rows
        for count in _gaps(items, rows):
            w_width = max(w_width, cell_len(scene.more(count)))
        for j in rows:
            if j is not None:
                w_width = max(w_width, _weight(scene, layer, i, j)[1])
        slots = _neuron_keys(scene, layer, i)
        glyph = f"─({shape.offset + i} {scene.activation(shape.activations[i - 1])})─"
        g_width = max(g_width, cell_len(glyph))
        for pos in ("u", "d"):
            if pos in slots:
                g_width = max(g_width, 1 + _slot_width(scene, *slots[pos]))
        for pos in ("y", "e"):
            if pos in slots:
                o_width = max(o_width, _slot_width(scene, *slots[pos]))
        t = _target(scene, i)
        if layer == len(scene.net.layers) and t is not None:
            o_width = max(o_width, cell_len(f"y{_sub(i)}{scene.eq}{pretty(given(t))}"))
    return _LayerDraw(layer, neurons, weight_rows, w_width, g_width, o_width)


def _neuron_block(scene: _Scene, draw: _LayerDraw, i: int) -> _Block:
    """One neuron as drawn in class: its synapses fan in, u above, δ below, the output right.

        w₁₀ = 0.1  ─╮ u₁ = 0.29
        w₁₁ = −0.2 ─┼─(1 tanh)── z₁ = 0.28213
        w₁₂ = 0.3  ─╯ γ₁ = 0.32522
    """
    layer = draw.layer
    shape = scene.net.layers[layer - 1]
    rows = draw.weight_rows[i]
    fan_in = scene.net.inputs if layer == 1 else scene.net.layers[layer - 2].size
    counts = iter(_gaps(range(fan_in + 1), rows))
    n = len(rows)
    m = max(1, (n - 1) // 2)
    height = max(n, m + 2)
    bottom = max(n - 1, m)
    slots = _neuron_keys(scene, layer, i)
    is_current = scene.step is not None and (scene.step.layer, scene.step.neuron) == (layer, i)
    lines = []
    for r in range(height):
        line = Text()
        wired = r < n and rows[r] is not None
        if r < n:
            j = rows[r]
            if j is None:
                line.append_text(_text((scene.more(next(counts)), MORE_STYLE)))
            else:
                line.append_text(_weight(scene, layer, i, j)[0])
        _pad(line, draw.w_width)
        if r <= bottom:
            wire_style = scene.style(f"w[{layer},{i},{rows[r]}]") if wired else None
            line.append(" ")
            line.append("─" if wired else " ", wire_style)
            line.append(_JUNCTION[wired, r == m, r > 0, r < bottom])
        else:
            line.append("   ")
        if r == m:
            name = f"({shape.offset + i} {scene.activation(shape.activations[i - 1])})"
            line.append("─")
            line.append(name, CURRENT_STYLE if is_current else None)
            line.append("─" * (draw.g_width - 1 - cell_len(name)))
            line.append(" ")
            line.append_text(_slot(scene, *slots["y"]))
        elif r in (m - 1, m + 1):
            pos = "u" if r == m - 1 else "d"
            if pos in slots:
                line.append(" ")
                line.append_text(_slot(scene, *slots[pos]))
            right = _right_slot(scene, slots, i, layer, top=r == m - 1)
            if right is not None:
                _pad(line, draw.w_width + 3 + draw.g_width + 1)
                line.append_text(right)
        lines.append(line)
    return _Block(draw.width, lines)


def _right_slot(
    scene: _Scene, slots: dict[str, tuple[str, str]], i: int, layer: int, top: bool
) -> Text | None:
    """Beside an output: the wanted y above ỹ, the error ε below it."""
    if layer != len(scene.net.layers):
        return None
    if top:
        t = _target(scene, i)
        return None if t is None else _given_slot(scene, f"target[{i}]", f"y{_sub(i)}", t)
    return _slot(scene, *slots["e"]) if "e" in slots else None


def _layer_header(scene: _Scene, layer: int) -> Text:
    text = label("picture.layer", scene.lang, l=layer)
    if layer == len(scene.net.layers):
        text += " · " + label("picture.outputs", scene.lang)
    return _text((text, HEADER_STYLE))


def _bias_unit(scene: _Scene, layer: int) -> Text | None:
    """z₀ = 1, the constant input that a hidden layer adds for the next layer's biases."""
    if layer >= len(scene.net.layers):
        return None
    key = f"y[{layer},0]"
    sym = scene.symbol(key, Sym(scene.net.layers[layer - 1].out_letter, (0,)))
    return _given_slot(scene, key, sym, 1.0)


def _inputs_header(scene: _Scene) -> Text:
    return _text((label("picture.inputs", scene.lang), HEADER_STYLE))


def _sample_note(scene: _Scene) -> Text | None:
    if len(scene.net.samples) <= 1:
        return None
    return _text((f"({label('sample', scene.lang, s=scene.sample)})", MORE_STYLE))


# --- layouts -----------------------------------------------------------------------------------


@dataclass(slots=True)
class _Plan:
    lines: list[Text]
    shown: int
    horizontal: bool
    spaced: bool

    def better_than(self, other: _Plan) -> bool:
        """More neurons first; then side by side; then fewer rows; then with spaces."""
        mine = (self.shown, self.horizontal, -len(self.lines), self.spaced)
        theirs = (other.shown, other.horizontal, -len(other.lines), other.spaced)
        return mine > theirs


def _neuron_choice(scene: _Scene, layer: int, count: int) -> list[int | None]:
    size = scene.net.layers[layer - 1].size
    return _pick(range(1, size + 1), count, scene.focus.get(f"n{layer}", ()), False)


def _block_height(scene: _Scene, layer: int) -> int:
    fan_in = scene.net.inputs if layer == 1 else scene.net.layers[layer - 2].size
    n = min(fan_in + 1, _MAX_WEIGHT_ROWS)
    return max(n, max(1, (n - 1) // 2) + 2)


def _horizontal(scene: _Scene, width: int, spaced: bool) -> _Plan | None:
    """Inputs, then one column per layer, left to right, neurons one under another."""
    scene.spaced = spaced
    net = scene.net
    items = range(net.inputs + 1)
    picked = _pick(items, _MAX_INPUT_ROWS, scene.focus.get("x", ()), True)
    column = [_inputs_header(scene), *_input_slots(scene, picked)]
    note = _sample_note(scene)
    if note is not None:
        column += [Text(), note]
    blocks = [_Block(max(t.cell_len for t in column), column)]
    shown = 0
    for layer in range(1, len(net.layers) + 1):
        size = net.layers[layer - 1].size
        h = _block_height(scene, layer)
        gap = 1 if 1 + size * h + (size - 1) <= ROW_BUDGET else 0
        count = size
        while count > 1 and _column_rows(size, count, h, gap) > ROW_BUDGET:
            count -= 1
        neurons = _neuron_choice(scene, layer, count)
        draw = _plan_layer(scene, layer, neurons)
        header = _layer_header(scene, layer)
        bias = _bias_unit(scene, layer)
        if bias is not None:
            _pad(header, max(draw.w_width + 3 + draw.g_width + 1, header.cell_len + 2))
            header.append_text(bias)
        lines = [header]
        counts = iter(_gaps(range(1, size + 1), neurons))
        for k, i in enumerate(neurons):
            if k and gap:
                lines.append(Text())
            if i is None:
                lines.append(_text((scene.more(next(counts)), MORE_STYLE)))
            else:
                lines += _neuron_block(scene, draw, i).lines
                shown += 1
        blocks.append(_Block(max(draw.width, header.cell_len), lines))
    joined = _hjoin(blocks, _COLUMN_GAP)
    if joined.width > width:
        return None
    return _Plan(joined.lines, shown, True, spaced)


def _column_rows(size: int, count: int, h: int, gap: int) -> int:
    if count >= size:
        return 1 + size * h + (size - 1) * gap
    return 1 + count * h + count * gap + 1  # one row for "… N more"


def _stacked(scene: _Scene, width: int, spaced: bool) -> _Plan | None:
    """Inputs on one line, then each layer as a band, its neurons side by side."""
    scene.spaced = spaced
    net = scene.net
    lines = [_input_line(scene, width)]
    shown = 0
    bands: list[list[Text]] = []
    for layer in range(1, len(net.layers) + 1):
        size = net.layers[layer - 1].size
        full = _plan_layer(scene, layer, list(range(1, size + 1)) if size <= 8 else [1])
        per_row = max(1, (width + _BLOCK_GAP) // (full.width + _BLOCK_GAP))
        if size <= per_row:
            neurons: list[int | None] = list(range(1, size + 1))
        else:
            more_width = cell_len(scene.more(size))
            fits = max(1, (width - more_width) // (full.width + _BLOCK_GAP))
            neurons = _neuron_choice(scene, layer, fits + 1)
        draw = _plan_layer(scene, layer, neurons)
        if draw.width > width:
            return None
        counts = iter(_gaps(range(1, size + 1), neurons))
        blocks = []
        for i in neurons:
            if i is None:
                text = _text((scene.more(next(counts)), MORE_STYLE))
                m = max(1, (min(_block_height(scene, layer), _MAX_WEIGHT_ROWS) - 1) // 2)
                blocks.append(_Block(text.cell_len, [Text()] * m + [text]))
            else:
                blocks.append(_neuron_block(scene, draw, i))
                shown += 1
        header = _layer_header(scene, layer)
        bias = _bias_unit(scene, layer)
        if bias is not None:
            header.append("   ")
            header.append_text(bias)
        band = [header]
        row: list[_Block] = []
        for block in blocks:
            if row and sum(b.width + _BLOCK_GAP for b in row) + block.width > width:
                band += _hjoin(row, _BLOCK_GAP).lines
                row = []
            row.append(block)
        band += _hjoin(row, _BLOCK_GAP).lines
        bands.append(band)
    spare = ROW_BUDGET - 1 - sum(len(b) for b in bands)
    for band in bands:
        if spare > 0:
            lines.append(Text())
            spare -= 1
        lines += band
    if any(line.cell_len > width for line in lines):
        return None
    return _Plan(lines, shown, False, spaced)


def _input_line(scene: _Scene, width: int) -> Text:
    """entradas: x₀ = 1  x₁ = 0.1  x₂ = 0.7, elided in the middle when too long."""
    items = range(scene.net.inputs + 1)
    head = _inputs_header(scene)
    note = _sample_note(scene)
    if note is not None:
        head.append(" ")
        head.append_text(note)
    head.append("  ")
    rows = len(items)
    while True:
        picked = _pick(items, rows, scene.focus.get("x", ()), True)
        line = head.copy()
        for k, slot in enumerate(_input_slots(scene, picked)):
            if k:
                line.append("  ")
            line.append_text(slot)
        if line.cell_len <= width or rows <= 2:
            return line
        rows -= 1
