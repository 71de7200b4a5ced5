"""Convolutional lessons, cell by cell as the lecture computes them.

Shapes first (the output size (D − N + 2p)/s + 1, the number of values and parameters), then
every cell of every feature map (the window's products summed, per channel and then in
total), ReLU per cell, pooling per window, the dense head and its softmax, the cross-entropy,
and with a learning rate one gradient step back through all of them to the kernels; then the
check: the same forward pass with the new kernels, biases and head, and its loss again.

The convolution is the lecture's and every framework's: the kernel slides without flipping.
The lecture's own worked cell sums its window column by column (7×1 + 4×1 + 3×1 + 2×0 + …),
and so do these formulas.
"""

from __future__ import annotations

import math

from stepper.engine.base import Recorder
from stepper.engine.blame import zero_probability
from stepper.explain import explain, explain_count
from stepper.lesson.conv_checks import out_size, padding_of
from stepper.lesson.schema import ConvLesson, localized
from stepper.notation import MAP_LETTERS, Sym
from stepper.numbers import given
from stepper.steps import ConvShape, Phase, Quantity, Solution

Grid = list[list[Quantity]]


def _given(sym: Sym, key: str, value: float) -> Quantity:
    return Quantity(sym, key, value, given(value))


def _size(letter: str, value: int) -> Quantity:
    """A size the lesson states (D, N, p, s, K, C, F, S), named by its letter."""
    return Quantity(Sym(letter), letter, float(value), str(value))


class ConvRun(Recorder):
    """One pass over a conv lesson, collecting its steps."""

    def __init__(self, lesson: ConvLesson, lang: str, *, rounding: bool) -> None:
        super().__init__(lesson, lang, rounding=rounding)
        self.lesson = lesson
        self.image = lesson.channels()
        self.many_kernels = len(lesson.kernels) > 1
        self.many_channels = len(self.image) > 1
        self.pixels = [
            [
                [self._pixel(ch, r, c, v) for c, v in enumerate(row, 1)]
                for r, row in enumerate(matrix, 1)
            ]
            for ch, matrix in enumerate(self.image, 1)
        ]
        self.kernels = [
            [
                [
                    [
                        _given(self._kernel_sym(k, ch, m, n), f"k[{k},{ch},{m},{n}]", v)
                        for n, v in enumerate(row, 1)
                    ]
                    for m, row in enumerate(matrix, 1)
                ]
                for ch, matrix in enumerate(kernel.channels(), 1)
            ]
            for k, kernel in enumerate(lesson.kernels, 1)
        ]
        self.biases = [
            _given(Sym("b", (k,)), f"b[{k}]", kernel.bias)
            for k, kernel in enumerate(lesson.kernels, 1)
        ]
        self.alpha = _given(Sym("alpha"), "alpha", lesson.learning_rate or 0.0)
        self.head_weights = [
            [_given(Sym("w", (i, j)), f"w[1,{i},{j}]", v) for j, v in enumerate(row)]
            for i, row in enumerate(lesson.dense.weights if lesson.dense else [], 1)
        ]

    # Notation ------------------------------------------------------------------------------

    def _pixel(self, ch: int, r: int, c: int, v: float) -> Quantity:
        sym = Sym("x", (r, c), sample=ch if self.many_channels else None)
        return _given(sym, f"x[{ch},{r},{c}]", v)

    def _kernel_sym(self, k: int, ch: int, m: int, n: int, *, delta: bool = False) -> Sym:
        if self.many_kernels and self.many_channels:
            mark: int | str | None = f"{k},{ch}"
        elif self.many_kernels or self.many_channels:
            mark = k if self.many_kernels else ch
        else:
            mark = None
        return Sym("k", (m, n), sample=mark, delta=delta)

    def _map_sym(self, letter: str, k: int, r: int, c: int, tag: str | None = None) -> Sym:
        return Sym(letter, (r, c), sample=k if self.many_kernels else None, tag=tag)

    # Shapes --------------------------------------------------------------------------------

    def shapes(self) -> None:
        """The lecture's sizing: output side, values, parameters; the same after pooling."""
        lesson = self.lesson
        if lesson.shape is not None:
            side, n, ch = lesson.shape.input[0], lesson.shape.kernel_size, lesson.shape.input[2]
            count = lesson.shape.kernels
            pad = (
                (n - 1) // 2
                if lesson.padding == "same"
                else (0 if lesson.padding == "valid" else int(lesson.padding))
            )
        elif self.image and lesson.kernels and len(self.image[0]) == len(self.image[0][0]):
            # The lecture's sizes are for a square D×D image; a D×E one would get O from D
            # alone and a wrong count K·O·O, so it gets no sizes (its cells are all there).
            side, ch, count = len(self.image[0]), len(self.image), len(lesson.kernels)
            geometries = {
                (len(k.channels()[0]), padding_of(lesson, k, len(k.channels()[0])))
                for k in lesson.kernels
            }
            if len(geometries) > 1:
                self._sizes_per_kernel(side)
                return
            n, pad = geometries.pop()
        else:
            return
        out = out_size(side, n, pad, lesson.stride)
        size = self.emit(
            "size",
            Phase.SHAPE,
            None,
            template="conv_size",
            params=(_floors(side - n + 2 * pad, lesson.stride),),
            sym=Sym("O"),
            operands=[_size("D", side), _size("N", n), _size("p", pad), _size("s", lesson.stride)],
            value=float(out),
            explanation=explain("shape.size", self.lang),
        )
        self.emit(
            "values",
            Phase.SHAPE,
            None,
            template="product",
            params=(),
            sym=Sym("V"),
            operands=[_size("K", count), size, size],
            value=float(count * out * out),
            explanation=explain("shape.values", self.lang, count=count, side=out),
        )
        self.emit(
            "params",
            Phase.SHAPE,
            None,
            template="kernel_params",
            params=(),
            sym=Sym("P"),
            operands=[_size("K", count), _size("N", n), _size("N", n), _size("C", ch)],
            value=float(count * (n * n * ch + 1)),
            explanation=explain_count("shape.params", count, self.lang),
        )
        if lesson.pool is None:
            return
        stride = lesson.pool.stride or lesson.pool.size
        pooled = out_size(out, lesson.pool.size, 0, stride)
        psize = self.emit(
            "pool_size",
            Phase.SHAPE,
            None,
            template="pool_size",
            params=(_floors(out - lesson.pool.size, stride),),
            sym=Sym("Q"),
            operands=[size, _size("F", lesson.pool.size), _size("S", stride)],
            value=float(pooled),
            explanation=explain("shape.pool_size", self.lang),
        )
        self.emit(
            "pool_values",
            Phase.SHAPE,
            None,
            template="product",
            params=(),
            sym=Sym("W"),
            operands=[_size("K", count), psize, psize],
            value=float(count * pooled * pooled),
            explanation=explain("shape.pool_values", self.lang, count=count, side=pooled),
        )

    def _sizes_per_kernel(self, side: int) -> None:
        """Kernels of different sizes or paddings (valid beside same): one size each."""
        for k, kernel in enumerate(self.lesson.kernels, 1):
            n = len(kernel.channels()[0])
            pad = padding_of(self.lesson, kernel, n)
            self.emit(
                f"size[{k}]",
                Phase.SHAPE,
                None,
                template="conv_size",
                params=(_floors(side - n + 2 * pad, self.lesson.stride),),
                sym=Sym("O", sample=k),
                operands=[
                    _size("D", side),
                    _size("N", n),
                    _size("p", pad),
                    _size("s", self.lesson.stride),
                ],
                value=float(out_size(side, n, pad, self.lesson.stride)),
                explanation=explain("shape.size", self.lang),
            )

    # Forward -------------------------------------------------------------------------------

    def _padded(self, ch: int, r: int, c: int) -> Quantity:
        """Pixel (r, c) of channel ch, 1-based; outside the image, a padding zero."""
        rows, cols = len(self.image[0]), len(self.image[0][0])
        if 1 <= r <= rows and 1 <= c <= cols:
            return self.pixels[ch - 1][r - 1][c - 1]
        sym = Sym("x", (r, c), sample=ch if self.many_channels else None)
        return Quantity(sym, "pad", 0.0, "0")

    def _window(self, k: int, ch: int, r0: int, c0: int) -> list[Quantity]:
        """(x, k) pairs of a window, column by column as the lecture sums them."""
        weights = self.kernels[k - 1][ch - 1]
        pairs: list[Quantity] = []
        for n in range(1, len(weights) + 1):
            for m in range(1, len(weights) + 1):
                pairs += [self._padded(ch, r0 + m - 1, c0 + n - 1), weights[m - 1][n - 1]]
        return pairs

    def convolve(self) -> list[Grid]:
        """Every cell of every feature map."""
        maps: list[Grid] = []
        rows, cols = len(self.image[0]), len(self.image[0][0])
        for k, kernel in enumerate(self.lesson.kernels, 1):
            n = len(kernel.channels()[0])
            pad = padding_of(self.lesson, kernel, n)
            s = self.lesson.stride
            bias = self.biases[k - 1]
            with_bias = bias.value != 0
            grid: Grid = []
            for r in range(1, out_size(rows, n, pad, s) + 1):
                row: list[Quantity] = []
                for c in range(1, out_size(cols, n, pad, s) + 1):
                    r0, c0 = (r - 1) * s + 1 - pad, (c - 1) * s + 1 - pad
                    row.append(self._cell(k, r, c, r0, c0, bias=bias if with_bias else None))
                grid.append(row)
            maps.append(grid)
        return maps

    def _cell(self, k: int, r: int, c: int, r0: int, c0: int, *, bias: Quantity | None) -> Quantity:
        padded = (
            r0 < 1
            or c0 < 1
            or r0 + len(self.kernels[k - 1][0]) - 1 > len(self.image[0])
            or c0 + len(self.kernels[k - 1][0]) - 1 > len(self.image[0][0])
        )
        tail = explain("conv.bias", self.lang) if bias else ""
        if padded:
            tail += explain("conv.padding", self.lang)
        words = explain("conv.cell", self.lang, k=k, r=r, c=c, r0=r0, c0=c0, bias=tail)
        if not self.many_channels:
            pairs = self._window(k, 1, r0, c0)
            operands = [*pairs, bias] if bias else pairs
            return self.emit(
                f"conv[{k},{r},{c}]",
                Phase.FORWARD,
                None,
                template="window",
                params=(1 if bias else 0,),
                sym=self._map_sym(MAP_LETTERS["conv"], k, r, c),
                operands=operands,
                value=_dot(pairs) + (bias.value if bias else 0.0),
                explanation=self.once("cell", words),
                layer=k,
                neuron=None,
            )
        sums = []
        for ch in range(1, len(self.image) + 1):
            pairs = self._window(k, ch, r0, c0)
            sums.append(
                self.emit(
                    f"chan[{k},{ch},{r},{c}]",
                    Phase.FORWARD,
                    None,
                    template="window",
                    params=(0,),
                    sym=Sym(
                        MAP_LETTERS["chan"], (r, c), sample=f"{k},{ch}" if self.many_kernels else ch
                    ),
                    operands=pairs,
                    value=_dot(pairs),
                    explanation=self.once(
                        "part", explain("conv.channel", self.lang, k=k, ch=ch, r=r, c=c)
                    ),
                    layer=k,
                )
            )
        operands = [*sums, bias] if bias else sums
        total = sum(q.value for q in operands)
        return self.emit(
            f"conv[{k},{r},{c}]",
            Phase.FORWARD,
            None,
            template="sum",
            params=(),
            sym=self._map_sym(MAP_LETTERS["conv"], k, r, c),
            operands=operands,
            value=total,
            explanation=self.once(
                "cell",
                explain(
                    "conv.total", self.lang, bias=explain("conv.bias", self.lang) if bias else ""
                ),
            ),
            layer=k,
        )

    def rectify(self, maps: list[Grid]) -> list[Grid]:
        return [
            [
                [
                    self.emit(
                        f"relu[{k},{r},{c}]",
                        Phase.FORWARD,
                        None,
                        template="activation",
                        params=("relu",),
                        sym=self._map_sym(MAP_LETTERS["relu"], k, r, c),
                        operands=[z],
                        value=max(0.0, z.value),
                        explanation=explain("relu", self.lang),
                        layer=k,
                    )
                    for c, z in enumerate(row, 1)
                ]
                for r, row in enumerate(grid, 1)
            ]
            for k, grid in enumerate(maps, 1)
        ]

    def pool(self, maps: list[Grid]) -> tuple[list[Grid], list[list[list[list[Quantity]]]]]:
        """Pooled maps, and each pooled cell's window (for the way back)."""
        spec = self.lesson.pool
        assert spec is not None
        size, stride = spec.size, spec.stride or spec.size
        pooled: list[Grid] = []
        windows: list[list[list[list[Quantity]]]] = []
        for k, grid in enumerate(maps, 1):
            rows = out_size(len(grid), size, 0, stride)
            cols = out_size(len(grid[0]), size, 0, stride)
            out_grid: Grid = []
            win_grid: list[list[list[Quantity]]] = []
            for r in range(1, rows + 1):
                out_row: list[Quantity] = []
                win_row: list[list[Quantity]] = []
                for c in range(1, cols + 1):
                    window = [
                        grid[(r - 1) * stride + i][(c - 1) * stride + j]
                        for i in range(size)
                        for j in range(size)
                    ]
                    win_row.append(window)
                    out_row.append(self._pool_cell(k, r, c, window, size))
                out_grid.append(out_row)
                win_grid.append(win_row)
            pooled.append(out_grid)
            windows.append(win_grid)
        return pooled, windows

    def _pool_cell(self, k: int, r: int, c: int, window: list[Quantity], size: int) -> Quantity:
        sym = self._map_sym(MAP_LETTERS["pool"], k, r, c)
        assert self.lesson.pool is not None
        if self.lesson.pool.kind == "max":
            best = max(window, key=lambda q: q.value)
            winner = best.sym.unicode()
            return self.emit(
                f"pool[{k},{r},{c}]",
                Phase.FORWARD,
                None,
                template="pool_max",
                params=(),
                sym=sym,
                operands=window,
                value=best.value,
                explanation=self.once(
                    "pool", explain("pool.max", self.lang, size=size, winner=winner)
                ),
                layer=k,
            )
        return self.emit(
            f"pool[{k},{r},{c}]",
            Phase.FORWARD,
            None,
            template="mean",
            params=(),
            sym=sym,
            operands=window,
            value=sum(q.value for q in window) / len(window),
            explanation=self.once("pool", explain("pool.average", self.lang, size=size)),
            layer=k,
        )

    def head(self, flat: list[Quantity]) -> list[Quantity]:
        """The logits u_i = w_i0 + Σ_j w_ij f_j of the dense head."""
        assert self.lesson.dense is not None
        one = Quantity(Sym("f", (0,)), "f[0]", 1.0, "1")
        inputs = [one, *flat]
        self.head_inputs = inputs
        logits = []
        for i, row in enumerate(self.head_weights, 1):
            operands = [q for pair in zip(row, inputs, strict=True) for q in pair]
            logits.append(
                self.emit(
                    f"u[1,{i}]",
                    Phase.FORWARD,
                    None,
                    template="sum_products",
                    params=(),
                    sym=Sym("u", (i,)),
                    operands=operands,
                    value=_dot(operands),
                    explanation=explain("head.u", self.lang, i=i),
                    layer=1,
                    neuron=i,
                )
            )
        return logits

    def softmax(self, logits: list[Quantity]) -> list[Quantity]:
        top = max(q.value for q in logits)
        total = math.fsum(math.exp(q.value - top) for q in logits)
        return [
            self.emit(
                f"y[1,{i}]",
                Phase.FORWARD,
                None,
                template="softmax",
                params=(),
                sym=Sym("y", (i,), tilde=True),
                operands=[u, *logits],
                value=math.exp(u.value - top) / total,
                explanation=explain("y.softmax", self.lang, u=u.sym.unicode()),
                layer=1,
                neuron=i,
            )
            for i, u in enumerate(logits, 1)
        ]

    def loss(self, probs: list[Quantity]) -> list[Quantity]:
        assert self.lesson.target is not None
        targets = [
            _given(Sym("y", (i,)), f"target[{i}]", v) for i, v in enumerate(self.lesson.target, 1)
        ]
        operands = [q for pair in zip(targets, probs, strict=True) for q in pair]
        for t, p in zip(targets, probs, strict=True):
            if t.value and p.value <= 0:
                raise zero_probability(self.lesson, p, self.rounding)
        value = -sum(
            t.value * math.log(p.value) for t, p in zip(targets, probs, strict=True) if t.value
        )
        self.emit(
            "loss",
            Phase.ERROR,
            None,
            template="loss",
            params=("cross_entropy",),
            sym=Sym("L"),
            operands=operands,
            value=value,
            explanation=self.once("log", explain("loss.cross_entropy", self.lang)),
        )
        return targets

    # Backward ------------------------------------------------------------------------------

    def backward(
        self,
        targets: list[Quantity],
        probs: list[Quantity],
        layers: list[tuple[str, list[Grid]]],
        windows: list[list[list[list[Quantity]]]] | None,
    ) -> tuple[list[Quantity], list[Grid]]:
        """δ of the classes, then the error at every cell back to the convolution's maps."""
        deltas = [
            self.emit(
                f"d[1,{i}]",
                Phase.BACKWARD,
                None,
                template="difference",
                params=(),
                sym=Sym("delta", (i,)),
                operands=[t, p],
                value=t.value - p.value,
                explanation=explain("d.head", self.lang, i=i),
                layer=1,
                neuron=i,
            )
            for i, (t, p) in enumerate(zip(targets, probs, strict=True), 1)
        ]
        name, flat_maps = layers[-1]
        tag = MAP_LETTERS[name]
        errors: list[Grid] = []
        j = 0
        for k, grid in enumerate(flat_maps, 1):
            egrid: Grid = []
            for r, row in enumerate(grid, 1):
                erow: list[Quantity] = []
                for c, cell in enumerate(row, 1):
                    j += 1
                    pairs = [q for i, d in enumerate(deltas) for q in (d, self.head_weights[i][j])]
                    erow.append(
                        self.emit(
                            f"d{name}[{k},{r},{c}]",
                            Phase.BACKWARD,
                            None,
                            template="sum_products",
                            params=(),
                            sym=self._map_sym("delta", k, r, c, tag=tag),
                            operands=pairs,
                            value=_dot(pairs),
                            explanation=explain("grad.flat", self.lang, cell=cell.sym.unicode()),
                            layer=k,
                        )
                    )
                egrid.append(erow)
            errors.append(egrid)
        at = len(layers) - 1
        if windows is not None:
            at -= 1
            errors = self._unpool(layers[at][0], layers[at][1], errors, windows)
        if layers[at][0] == "relu":
            errors = self._unrelu(layers[at][1], errors)
        return deltas, errors

    def _unpool(
        self,
        name: str,
        maps: list[Grid],
        errors: list[Grid],
        windows: list[list[list[list[Quantity]]]],
    ) -> list[Grid]:
        """Max pooling sends each window's error to its winner only; average shares it."""
        assert self.lesson.pool is not None
        kind = self.lesson.pool.kind
        tag = MAP_LETTERS[name]
        out: list[Grid] = []
        for k, grid in enumerate(maps, 1):
            receives: dict[str, list[Quantity]] = {}
            for r, window_row in enumerate(windows[k - 1]):
                for c, window in enumerate(window_row):
                    err = errors[k - 1][r][c]
                    if kind == "max":
                        best = max(window, key=lambda q: q.value)
                        receives.setdefault(best.key, []).append(err)
                    else:
                        for q in window:
                            receives.setdefault(q.key, []).append(err)
            egrid: Grid = []
            for r, row in enumerate(grid, 1):
                erow: list[Quantity] = []
                for c, cell in enumerate(row, 1):
                    got = receives.get(cell.key, [])
                    sym = self._map_sym("delta", k, r, c, tag=tag)
                    key = f"d{name}[{k},{r},{c}]"
                    if not got:
                        erow.append(
                            self.emit(
                                key,
                                Phase.BACKWARD,
                                None,
                                template="zero",
                                params=(),
                                sym=sym,
                                operands=[],
                                value=0.0,
                                explanation=explain("grad.max.lose", self.lang),
                                layer=k,
                            )
                        )
                    elif kind == "max":
                        erow.append(
                            self.emit(
                                key,
                                Phase.BACKWARD,
                                None,
                                template="sum" if len(got) > 1 else "copy",
                                params=(),
                                sym=sym,
                                operands=got,
                                value=sum(q.value for q in got),
                                explanation=explain("grad.max.win", self.lang),
                                layer=k,
                            )
                        )
                    else:
                        count = self.lesson.pool.size**2
                        erow.append(
                            self.emit(
                                key,
                                Phase.BACKWARD,
                                None,
                                template="divide",
                                params=(count,),
                                sym=sym,
                                operands=got,
                                value=sum(q.value for q in got) / count,
                                explanation=explain_count("grad.average", count, self.lang),
                                layer=k,
                            )
                        )
                egrid.append(erow)
            out.append(egrid)
        return out

    def _unrelu(self, relu_maps: list[Grid], errors: list[Grid]) -> list[Grid]:
        """Through ReLU: the error passes where the cell was positive."""
        return [
            [
                [
                    self.emit(
                        f"dconv[{k},{r},{c}]",
                        Phase.BACKWARD,
                        None,
                        template="delta_output",
                        params=("relu",),
                        sym=self._map_sym("delta", k, r, c, tag=MAP_LETTERS["conv"]),
                        operands=[err, relu_maps[k - 1][r - 1][c - 1]],
                        value=err.value
                        * (1.0 if relu_maps[k - 1][r - 1][c - 1].value > 0 else 0.0),
                        explanation=explain("grad.relu", self.lang),
                        layer=k,
                    )
                    for c, err in enumerate(row, 1)
                ]
                for r, row in enumerate(grid, 1)
            ]
            for k, grid in enumerate(errors, 1)
        ]

    # Update --------------------------------------------------------------------------------

    def update_head(self, deltas: list[Quantity]) -> None:
        """Δw = α f δ for every weight of the head, and the new weights (which the check
        phase reads)."""
        for i, (row, d) in enumerate(zip(self.head_weights, deltas, strict=True), 1):
            for j, (w, f) in enumerate(zip(row, self.head_inputs, strict=True)):
                dw = self.emit(
                    f"dw[1,{i},{j}]",
                    Phase.UPDATE,
                    None,
                    template="increment",
                    params=(1,),
                    sym=Sym("w", (i, j), delta=True),
                    operands=[self.alpha, f, d],
                    value=self.alpha.value * f.value * d.value,
                    explanation=explain(
                        "dw.cross_entropy",  # a head learns only from a target, by cross-entropy
                        self.lang,
                        w=w.sym.unicode(),
                        x=f.sym.unicode(),
                        d=Sym(d.sym.letter, ()).unicode(),
                    ),
                    layer=1,
                    neuron=i,
                )
                row[j] = self.renewed(f"w[1,{i},{j}]", w, dw, layer=1, neuron=i)

    def update_kernels(self, errors: list[Grid]) -> None:
        """Δk = α Σ δ x over the map's cells (a correlation of the image with the error), and
        the new kernels and biases (which the check phase reads)."""
        s = self.lesson.stride
        for k, kernel in enumerate(self.lesson.kernels, 1):
            n = len(kernel.channels()[0])
            pad = padding_of(self.lesson, kernel, n)
            cells = [
                (r, c, e) for r, row in enumerate(errors[k - 1], 1) for c, e in enumerate(row, 1)
            ]
            for ch in range(1, len(self.image) + 1):
                for m in range(1, n + 1):
                    for nn in range(1, n + 1):
                        old = self.kernels[k - 1][ch - 1][m - 1][nn - 1]
                        pairs = [
                            q
                            for r, c, e in cells
                            for q in (
                                e,
                                self._padded(ch, (r - 1) * s + m - pad, (c - 1) * s + nn - pad),
                            )
                        ]
                        dk = self.emit(
                            f"dk[{k},{ch},{m},{nn}]",
                            Phase.UPDATE,
                            None,
                            template="increment_sum",
                            params=(),
                            sym=self._kernel_sym(k, ch, m, nn, delta=True),
                            operands=[self.alpha, *pairs],
                            value=self.alpha.value * _dot(pairs),
                            explanation=explain("dk", self.lang, w=old.sym.unicode()),
                            layer=k,
                        )
                        self.kernels[k - 1][ch - 1][m - 1][nn - 1] = self.renewed(
                            f"k[{k},{ch},{m},{nn}]", old, dk, layer=k
                        )
            bias = self.biases[k - 1]
            db = self.emit(
                f"db[{k}]",
                Phase.UPDATE,
                None,
                template="increment_total",
                params=(),
                sym=Sym("b", (k,), delta=True),
                operands=[self.alpha, *(e for _, _, e in cells)],
                value=self.alpha.value * sum(e.value for _, _, e in cells),
                explanation=explain("db", self.lang, k=k),
                layer=k,
            )
            self.biases[k - 1] = self.renewed(f"b[{k}]", bias, db, layer=k)

    # The whole lesson ----------------------------------------------------------------------

    def solution(self) -> Solution:
        lesson = self.lesson
        self.shapes()
        layers, windows, probs = self.forward()
        if lesson.target is not None and probs:
            targets = self.loss(probs)
            if lesson.learning_rate and lesson.dense:
                deltas, errors = self.backward(targets, probs, layers, windows)
                self.update_head(deltas)
                if lesson.kernels:
                    self.update_kernels(errors)
                with self.checking():  # did the step help? the same forward, the new weights
                    self.loss(self.forward()[2])
        return self.finish(lesson, "conv", conv=self.shape())

    def forward(
        self,
    ) -> tuple[
        list[tuple[str, list[Grid]]], list[list[list[list[Quantity]]]] | None, list[Quantity]
    ]:
        """The maps layer by layer (named for the way back), the pooling windows, and the
        class probabilities (none without a head or logits)."""
        lesson = self.lesson
        layers: list[tuple[str, list[Grid]]] = []
        windows = None
        if self.image:
            maps = self.convolve() if lesson.kernels else self.pixels
            layers.append(("conv", maps))
            if lesson.activation == "relu":
                maps = self.rectify(maps)
                layers.append(("relu", maps))
            if lesson.pool:
                maps, windows = self.pool(maps)
                layers.append(("pool", maps))
        probs: list[Quantity] = []
        if lesson.dense:
            flat = [q for grid in layers[-1][1] for row in grid for q in row]
            probs = self.softmax(self.head(flat))
        elif lesson.logits:
            logits = [
                _given(Sym("u", (i,)), f"u[1,{i}]", v) for i, v in enumerate(lesson.logits, 1)
            ]
            probs = self.softmax(logits)
        return layers, windows, probs

    def shape(self) -> ConvShape:
        lesson = self.lesson
        rows = len(self.image[0]) if self.image else 0
        cols = len(self.image[0][0]) if self.image else 0
        paddings, maps = [], []
        for kernel in lesson.kernels:
            n = len(kernel.channels()[0])
            pad = padding_of(lesson, kernel, n)
            paddings.append(pad)
            maps.append(
                (out_size(rows, n, pad, lesson.stride), out_size(cols, n, pad, lesson.stride))
            )
        pool = None
        if lesson.pool:
            pool = (lesson.pool.kind, lesson.pool.size, lesson.pool.stride or lesson.pool.size)
        return ConvShape(
            image=tuple(tuple(tuple(row) for row in m) for m in self.image),
            kernels=tuple(
                tuple(tuple(tuple(row) for row in m) for m in k.channels()) for k in lesson.kernels
            ),
            names=tuple(
                localized(k.name, self.lang, lesson.language) or f"{i}"
                for i, k in enumerate(lesson.kernels, 1)
            ),
            biases=tuple(k.bias for k in lesson.kernels),
            paddings=tuple(paddings),
            stride=lesson.stride,
            maps=tuple(maps),
            relu=lesson.activation == "relu",
            pool=pool,
            classes=len(lesson.dense.weights) if lesson.dense else len(lesson.logits or []),
        )


def _floors(numerator: int, stride: int) -> int:
    """1 when a size formula must round down (the stride does not divide), else 0."""
    return 1 if numerator % stride else 0


def _dot(pairs: list[Quantity]) -> float:
    """Σ a·b over consecutive pairs, in order (as the substitution reads)."""
    total = 0.0
    for a, b in zip(pairs[0::2], pairs[1::2], strict=True):
        total += a.value * b.value
    return total
