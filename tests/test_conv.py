"""Conv lessons against arithmetic written here, in numpy, with nothing from the engine.

- Every cell of every feature map is the window's elementwise product summed (no flip), per
  channel and in total plus the bias, for padding valid / same / an integer and stride 1 or 2;
  ReLU per cell; max and average pooling, with the winner of a max window named.
- The dense head (flattened kernel by kernel, row by row), its softmax and cross-entropy.
- One training step: every increment is −α·∂L/∂θ by central finite differences of the loss of
  an independent forward pass, every new weight is old + increment, and every backward error is
  the contract's δ = −∂L/∂(that cell).
- The lecture's numbers (conv-1, shape-1, softmax of 2.0, 1.0, 0.1).
- Every conv step's substituted_text evaluates to its value, up to display rounding.
- The contract's key set: every k[k,ch,m,n] and w[1,i,j] once per iteration.

Random lessons are drawn by hypothesis (the structure) and a seeded numpy generator (the
numbers), and written as lesson text, so they go through the same loader as a user's file.
"""

from __future__ import annotations

import itertools
import json
import math
import zlib
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from numpy.lib.stride_tricks import sliding_window_view

from stepper.engine import solve
from stepper.lesson.load import lesson_from_text
from stepper.lesson.schema import ConvLesson
from stepper.printers.json_printer import step_record
from stepper.steps import Phase, Solution, Step
from tests.conftest import builtin_ids_of
from tests.conftest import builtin_lesson as cached_lesson
from tests.test_substitution import check_substitutions, evaluate

H = 1e-6
# Central differences with H = 1e-6: truncation O(H²·L''') ≈ 1e-12, rounding ≈ 1e-16·L/H ≈
# 1e-10; 1e-6 absolute + 1e-5 relative still catches any wrong factor, sign or term.
ABS, REL = 1e-6, 1e-5
# Random cases keep every ReLU input and every max window's lead at least this far from a
# kink, so that a step of H never crosses one and the finite difference is the derivative.
MARGIN = 1e-3


def close(got: float, want: float, tol: float = 1e-12) -> bool:
    """Equal up to float64 summing in another order."""
    return math.isclose(got, want, rel_tol=tol, abs_tol=tol)


def gradient_close(got: float, want: float) -> bool:
    return abs(got - want) <= ABS + REL * abs(want)


# --- A small CNN, as numbers in numpy and as lesson text ------------------------------------


Pad = str | int


@dataclass
class Net:
    """A conv lesson as arrays: image (C, R, Cc), kernels (C, n, n) each, head (classes, 1+M)."""

    image: np.ndarray
    kernels: list[np.ndarray]
    biases: list[float]
    padding: Pad = "valid"
    own_padding: list[Pad | None] = field(default_factory=list)
    stride: int = 1
    relu: bool = False
    pool: tuple[str, int, int] | None = None  # kind, size, stride
    head: np.ndarray | None = None
    target: np.ndarray | None = None
    learning_rate: float | None = None
    decimals: int = 6
    channel_list: bool = False  # write a one-channel image as [matrix] rather than matrix

    def pads(self) -> list[int]:
        out = []
        owns = self.own_padding or [None] * len(self.kernels)
        for kernel, own in zip(self.kernels, owns, strict=True):
            spec = self.padding if own is None else own
            n = kernel.shape[-1]
            out.append(0 if spec == "valid" else (n - 1) // 2 if spec == "same" else int(spec))
        return out

    def text(self) -> str:
        """The lesson as YAML (JSON is YAML): what a user would write."""
        many = self.image.shape[0] > 1 or self.channel_list

        def form(a: np.ndarray) -> Any:
            return a.tolist() if many else a[0].tolist()

        kernels: list[dict[str, Any]] = []
        for i, (k, b) in enumerate(zip(self.kernels, self.biases, strict=True)):
            entry: dict[str, Any] = {"name": f"k{i + 1}", "weights": form(k), "bias": b}
            if self.own_padding and self.own_padding[i] is not None:
                entry["padding"] = self.own_padding[i]
            kernels.append(entry)
        data: dict[str, Any] = {
            "kind": "conv",
            "title": "generated",
            "display": {"decimals": self.decimals},
            "image": form(self.image),
            "kernels": kernels,
            "padding": self.padding,
            "stride": self.stride,
            "activation": "relu" if self.relu else "none",
        }
        if self.pool:
            kind, size, stride = self.pool
            data["pool"] = {"kind": kind, "size": size, "stride": stride}
        if self.head is not None:
            data["dense"] = {"weights": self.head.tolist(), "activation": "softmax"}
        if self.target is not None:
            data["target"] = self.target.tolist()
        if self.learning_rate is not None:
            data["learning_rate"] = self.learning_rate
        return json.dumps(data)

    def solve(self, lang: str | None = None) -> Solution:
        lesson = lesson_from_text(self.text(), "generated")
        assert isinstance(lesson, ConvLesson)
        return solve(lesson, lang)


def net_from_lesson(lesson: ConvLesson) -> Net:
    """A lesson's numbers as arrays (for the built-in lessons)."""
    channels = lesson.channels()
    return Net(
        image=np.array(channels, dtype=float),
        kernels=[np.array(k.channels(), dtype=float) for k in lesson.kernels],
        biases=[k.bias for k in lesson.kernels],
        padding=lesson.padding,
        own_padding=[k.padding for k in lesson.kernels],
        stride=lesson.stride,
        relu=lesson.activation == "relu",
        pool=(
            (lesson.pool.kind, lesson.pool.size, lesson.pool.stride or lesson.pool.size)
            if lesson.pool
            else None
        ),
        head=np.array(lesson.dense.weights, dtype=float) if lesson.dense else None,
        target=np.array(lesson.target, dtype=float) if lesson.target is not None else None,
        learning_rate=lesson.learning_rate,
        decimals=lesson.display.decimals,
    )


# --- The reference forward pass ------------------------------------------------------------


def windows(a: np.ndarray, size: int, stride: int) -> np.ndarray:
    """Every size×size window of the last two axes, stride apart: (..., R, C, size, size)."""
    view = sliding_window_view(a, (size, size), axis=(-2, -1))
    return view[..., ::stride, ::stride, :, :]


def convolve(net: Net) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Per-channel window sums (C, R, Cc) and the maps (R, Cc), one of each per kernel; with
    no kernels, the image's channels are the maps (pooled directly)."""
    if not net.kernels:
        return [], list(net.image)
    sums, maps = [], []
    for kernel, bias, p in zip(net.kernels, net.biases, net.pads(), strict=True):
        padded = np.pad(net.image, ((0, 0), (p, p), (p, p)))
        win = windows(padded, kernel.shape[-1], net.stride)  # (C, R, Cc, n, n)
        per_channel = np.einsum("crwmn,cmn->crw", win, kernel)  # no flip
        sums.append(per_channel)
        maps.append(per_channel.sum(axis=0) + bias)
    return sums, maps


def pool(net: Net, a: np.ndarray) -> np.ndarray:
    assert net.pool is not None
    kind, size, stride = net.pool
    win = windows(a, size, stride)
    return win.max(axis=(-2, -1)) if kind == "max" else win.mean(axis=(-2, -1))


def softmax(u: np.ndarray) -> np.ndarray:
    e = np.exp(u - u.max())
    return e / e.sum()


def head_loss(net: Net, flat: np.ndarray) -> float:
    assert net.head is not None and net.target is not None
    y = softmax(net.head[:, 0] + net.head[:, 1:] @ flat)
    return float(-sum(t * math.log(p) for t, p in zip(net.target, y, strict=True) if t))


def from_pooled(net: Net, maps: list[np.ndarray]) -> float:
    return head_loss(net, np.concatenate([m.ravel() for m in maps]))


def from_activated(net: Net, maps: list[np.ndarray]) -> float:
    return from_pooled(net, [pool(net, m) for m in maps] if net.pool else maps)


def from_conv(net: Net, maps: list[np.ndarray]) -> float:
    return from_activated(net, [np.maximum(m, 0.0) for m in maps] if net.relu else maps)


def loss(net: Net) -> float:
    return from_conv(net, convolve(net)[1])


@dataclass
class Forward:
    sums: list[np.ndarray]
    conv: list[np.ndarray]
    act: list[np.ndarray]
    pooled: list[np.ndarray]
    flat: np.ndarray


def forward(net: Net) -> Forward:
    sums, conv = convolve(net)
    act = [np.maximum(z, 0.0) for z in conv] if net.relu else conv
    pooled = [pool(net, a) for a in act] if net.pool else act
    return Forward(sums, conv, act, pooled, np.concatenate([p.ravel() for p in pooled]))


def tied_windows(net: Net, act: list[np.ndarray]) -> list[set[tuple[int, int]]]:
    """Per map, the cells of max windows whose lead is within MARGIN (or a tie of zeros)."""
    out: list[set[tuple[int, int]]] = []
    for a in act:
        cells: set[tuple[int, int]] = set()
        if net.pool and net.pool[0] == "max":
            _, size, stride = net.pool
            win = windows(a, size, stride)
            for r, c in np.ndindex(win.shape[:2]):
                top = np.sort(win[r, c].ravel())[::-1]
                if top[0] - top[1] <= MARGIN:
                    cells |= {(r * stride + i, c * stride + j) for i, j in np.ndindex(size, size)}
        out.append(cells)
    return out


def switched_off(net: Net, act: np.ndarray, r: int, c: int) -> bool:
    """Whether a ReLU cell near 0 cannot reach the loss: every max window holding it has a
    clear winner elsewhere (or none holds it). Its kink is then flat, and harmless."""
    if not net.pool or net.pool[0] != "max":
        return False
    _, size, stride = net.pool
    for wr, wc in np.ndindex(windows(act, size, stride).shape[:2]):
        r0, c0 = wr * stride, wc * stride
        if r0 <= r < r0 + size and c0 <= c < c0 + size:
            others = act[r0 : r0 + size, c0 : c0 + size].copy()
            others[r - r0, c - c0] = -np.inf
            if others.max() <= 2 * MARGIN:
                return False
    return True


def kinked(net: Net) -> bool:
    """Whether a finite difference could cross a ReLU kink or a change of max-pool winner."""
    fwd = forward(net)
    if net.relu:
        for z, a in zip(fwd.conv, fwd.act, strict=True):
            if any(not switched_off(net, a, r, c) for r, c in np.argwhere(np.abs(z) <= MARGIN)):
                return True
    for a, cells in zip(fwd.act, tied_windows(net, fwd.act), strict=True):
        if net.relu and cells:
            # A window of zeros is a tie that does not matter: all its cells are switched off.
            _, size, stride = net.pool  # type: ignore[misc]
            win = windows(a, size, stride)
            for r, c in np.ndindex(win.shape[:2]):
                top = np.sort(win[r, c].ravel())[::-1]
                if top[0] - top[1] <= MARGIN and top[0] > 0:
                    return True
        elif cells:
            return True
    return False


# --- Drawing random CNNs -------------------------------------------------------------------


def out_side(side: int, n: int, pad: int, stride: int) -> int:
    return (side - n + 2 * pad) // stride + 1


def make_net(structure: dict[str, Any], seed: int, *, train: bool = True) -> Net | None:
    """Numbers for a structure, resampled until no kink is within MARGIN (None if none found)."""
    rng = np.random.default_rng(seed)
    channels, rows, cols = structure["channels"], structure["rows"], structure["cols"]
    for _ in range(200):
        net = Net(
            image=rng.uniform(-1, 1, (channels, rows, cols)).round(4),
            kernels=[rng.uniform(-1, 1, (channels, n, n)).round(4) for n in structure["sizes"]],
            biases=[
                round(float(rng.choice([-1, 1]) * rng.uniform(0.05, 0.5)), 4)
                for _ in structure["sizes"]
            ],
            padding=structure["padding"],
            own_padding=structure["own_padding"],
            stride=structure["stride"],
            relu=structure["relu"],
            pool=structure["pool"],
            channel_list=structure.get("channel_list", False),
        )
        if train:
            classes = structure["classes"]
            features = forward(net).flat.size
            net.head = rng.uniform(-1, 1, (classes, features + 1)).round(4)
            if structure["soft_target"]:
                target = rng.dirichlet(np.ones(classes)).round(3)
                target[-1] = round(1.0 - target[:-1].sum(), 3)
            else:
                target = np.eye(classes)[rng.integers(classes)]
            net.target = target
            net.learning_rate = round(float(rng.uniform(0.1, 1.0)), 3)
        if not kinked(net):
            return net
    return None


@st.composite
def structures(draw: st.DrawFn, sides: tuple[int, ...] = (5, 6)) -> dict[str, Any]:
    channels = draw(st.integers(1, 2))
    rows = draw(st.sampled_from(sides))
    cols = draw(st.sampled_from([rows, *sides]))
    sizes = draw(st.lists(st.sampled_from([2, 3]), min_size=1, max_size=2))
    stride = draw(st.sampled_from([1, 2]))

    def allowed(n: int) -> list[Pad]:
        return ["valid", 1] + (["same"] if n % 2 and stride == 1 else [])

    own: list[Pad | None] = [
        draw(st.sampled_from([None, *allowed(n)])) if len(sizes) > 1 else None for n in sizes
    ]
    lesson_level = ["valid", 1, "same"]
    for n, o in zip(sizes, own, strict=True):
        if o is None:
            lesson_level = [p for p in lesson_level if p in allowed(n)]
    padding = draw(st.sampled_from(lesson_level))
    net = Net(np.zeros((channels, rows, cols)), [np.zeros((channels, n, n)) for n in sizes], [])
    net.padding, net.own_padding, net.stride = padding, own, stride
    sides_out = [
        min(out_side(rows, n, p, stride), out_side(cols, n, p, stride))
        for n, p in zip(sizes, net.pads(), strict=True)
    ]
    pools: list[tuple[str, int, int] | None] = [None]
    pools += [
        (kind, size, s)
        for kind in ("max", "average")
        for size, s in ((2, 2), (2, 1), (3, 1), (3, 2))
        if size <= min(sides_out)
    ]
    return {
        "channels": channels,
        "rows": rows,
        "cols": cols,
        "sizes": sizes,
        "stride": stride,
        "padding": padding,
        "own_padding": own,
        "relu": draw(st.booleans()),
        "pool": draw(st.sampled_from(pools)),
        "classes": draw(st.integers(2, 3)),
        "soft_target": draw(st.booleans()),
        "channel_list": channels == 1 and draw(st.booleans()),
    }


def draw_net(data: st.DataObject, *, train: bool) -> Net:
    structure = data.draw(structures())
    net = make_net(structure, data.draw(st.integers(0, 2**32 - 1)), train=train)
    if net is None:
        reject()
    return net


# --- The checks ----------------------------------------------------------------------------


def by_key(solution: Solution) -> dict[str, Step]:
    keys = Counter(s.key for s in solution.steps)
    assert not [k for k, n in keys.items() if n > 1], "a key appears twice"
    return {s.key: s for s in solution.steps}


def family(steps: dict[str, Step], name: str) -> set[str]:
    return {k for k in steps if k.startswith(f"{name}[")}


def grid_keys(name: str, maps: list[np.ndarray]) -> set[str]:
    return {
        f"{name}[{k},{r + 1},{c + 1}]"
        for k, m in enumerate(maps, 1)
        for r, c in np.ndindex(m.shape)
    }


def check_cells(net: Net, solution: Solution) -> None:
    """conv / chan / relu / pool cells against the sliding windows of the reference."""
    steps = by_key(solution)
    fwd = forward(net)
    channels = net.image.shape[0]
    assert family(steps, "conv") == (grid_keys("conv", fwd.conv) if net.kernels else set())
    maps = fwd.conv if net.kernels else []
    for k, (z, sums, bias) in enumerate(zip(maps, fwd.sums, net.biases, strict=True), 1):
        for r, c in np.ndindex(z.shape):
            cell = steps[f"conv[{k},{r + 1},{c + 1}]"]
            assert close(cell.value, z[r, c]), (cell.key, cell.value, z[r, c])
            if channels > 1:
                parts = [steps[f"chan[{k},{ch},{r + 1},{c + 1}]"] for ch in range(1, channels + 1)]
                for part, want in zip(parts, sums[:, r, c], strict=True):
                    assert close(part.value, want), (part.key, part.value, want)
                total = math.fsum(p.value for p in parts) + bias
                assert close(cell.value, total), (cell.key, cell.value, total)
    if channels > 1 and net.kernels:
        want = {
            f"chan[{k},{ch},{r + 1},{c + 1}]"
            for k, z in enumerate(fwd.conv, 1)
            for ch in range(1, channels + 1)
            for r, c in np.ndindex(z.shape)
        }
        assert family(steps, "chan") == want
    else:
        assert not family(steps, "chan")

    check_relu_and_pool_cells(net, solution)


def check_relu_and_pool_cells(net: Net, solution: Solution) -> None:
    steps = by_key(solution)
    fwd = forward(net)
    if net.relu:
        assert family(steps, "relu") == grid_keys("relu", fwd.act)
        for k, a in enumerate(fwd.act, 1):
            for r, c in np.ndindex(a.shape):
                cell = steps[f"relu[{k},{r + 1},{c + 1}]"]
                assert close(cell.value, a[r, c]), (cell.key, cell.value, a[r, c])
                assert cell.value == max(0.0, steps[f"conv[{k},{r + 1},{c + 1}]"].value)
    else:
        assert not family(steps, "relu")

    if net.pool is None:
        assert not family(steps, "pool")
        return
    kind, size, stride = net.pool
    source = "relu" if net.relu else "conv" if net.kernels else "x"
    assert family(steps, "pool") == grid_keys("pool", fwd.pooled)
    for k, (a, p) in enumerate(zip(fwd.act, fwd.pooled, strict=True), 1):
        win = windows(a, size, stride)
        for r, c in np.ndindex(p.shape):
            cell = steps[f"pool[{k},{r + 1},{c + 1}]"]
            assert close(cell.value, p[r, c]), (cell.key, cell.value, p[r, c])
            members = {
                f"{source}[{k},{r * stride + i + 1},{c * stride + j + 1}]"
                for i, j in np.ndindex(size, size)
            }
            assert {q.key for q in cell.operands} == members, cell.key
            if kind != "max":
                continue
            flat = win[r, c].ravel()
            if (flat == flat.max()).sum() > 1:
                continue  # a tie: either cell is a right answer
            i, j = np.unravel_index(flat.argmax(), (size, size))
            winner_key = f"{source}[{k},{r * stride + i + 1},{c * stride + j + 1}]"
            (winner,) = [q for q in cell.operands if q.key == winner_key]
            assert winner.value == cell.value
            assert winner.sym.unicode() in cell.explanation, (cell.key, cell.explanation)
            for q in cell.operands:
                if q.sym.unicode() != winner.sym.unicode():
                    assert q.sym.unicode() not in cell.explanation, (cell.key, q.key)


def check_sizes(net: Net, solution: Solution) -> None:
    """Whatever sizing steps there are agree with the maps actually computed."""
    steps = by_key(solution)
    fwd = forward(net)
    if "size" in steps:
        assert all(z.shape == (steps["size"].value,) * 2 for z in fwd.conv), steps["size"].value
    for k, z in enumerate(fwd.conv, 1):
        if f"size[{k}]" in steps:
            assert z.shape == (steps[f"size[{k}]"].value,) * 2, k
    if "values" in steps:
        assert steps["values"].value == sum(z.size for z in fwd.conv)
    if "params" in steps:
        assert steps["params"].value == sum(k.size + 1 for k in net.kernels)
    if "pool_size" in steps:
        assert all(p.shape == (steps["pool_size"].value,) * 2 for p in fwd.pooled)
    if "pool_values" in steps:
        assert steps["pool_values"].value == sum(p.size for p in fwd.pooled)


def check_head(net: Net, solution: Solution) -> None:
    """Logits of the flattened maps, softmax, cross-entropy and δ = y − ỹ."""
    assert net.head is not None
    steps = by_key(solution)
    fwd = forward(net)
    u = net.head[:, 0] + net.head[:, 1:] @ fwd.flat
    y = softmax(u)
    classes = range(1, len(u) + 1)
    assert family(steps, "u") == {f"u[1,{i}]" for i in classes}
    assert family(steps, "y") == {f"y[1,{i}]" for i in classes}
    for i in classes:
        assert close(steps[f"u[1,{i}]"].value, u[i - 1])
        assert close(steps[f"y[1,{i}]"].value, y[i - 1])
    assert close(math.fsum(steps[f"y[1,{i}]"].value for i in classes), 1.0)
    if net.target is None:
        assert "loss" not in steps
        return
    assert close(steps["loss"].value, head_loss(net, fwd.flat))
    if net.learning_rate is None:
        assert not family(steps, "d")
        return
    for i in classes:
        assert close(steps[f"d[1,{i}]"].value, net.target[i - 1] - y[i - 1])


def finite_difference(f: Any, array: np.ndarray, index: tuple[int, ...]) -> float:
    """∂f/∂array[index], central, restoring the entry afterwards."""
    old = array[index]
    try:
        array[index] = old + H
        up = f()
        array[index] = old - H
        down = f()
    finally:
        array[index] = old
    return (up - down) / (2 * H)


def check_backward(net: Net, solution: Solution) -> None:
    """Every error cell δ = −∂L/∂(cell), by finite differences from that stage on."""
    steps = by_key(solution)
    fwd = forward(net)
    stages = [("conv", fwd.conv, from_conv)]
    if net.relu:
        stages.append(("relu", fwd.act, from_activated))
    if net.pool:
        stages.append(("pool", fwd.pooled, from_pooled))
    for name in ("conv", "relu", "pool"):
        expected = next((maps for n, maps, _ in stages if n == name), None)
        got = family(steps, f"d{name}")
        assert got == (grid_keys(f"d{name}", expected) if expected is not None else set()), name
    ties = tied_windows(net, fwd.act)
    for name, maps, rest in stages:
        values = [m.astype(float).copy() for m in maps]
        for k, m in enumerate(values, 1):
            for r, c in np.ndindex(m.shape):
                if name == "relu" and (r, c) in ties[k - 1]:
                    continue  # a tie of switched-off cells: the winner is a convention
                grad = finite_difference(lambda v=values, f=rest: f(net, v), m, (r, c))
                step = steps[f"d{name}[{k},{r + 1},{c + 1}]"]
                assert gradient_close(step.value, -grad), (step.key, step.value, -grad)


def check_update(net: Net, solution: Solution) -> None:
    """Δθ = −α ∂L/∂θ for every kernel weight, bias and head weight; θ' = θ + Δθ."""
    assert net.head is not None and net.learning_rate is not None
    steps = by_key(solution)
    alpha = net.learning_rate

    def f() -> float:
        return loss(net)

    def one(key: str, new_key: str, array: np.ndarray, index: tuple[int, ...]) -> None:
        grad = finite_difference(f, array, index)
        inc, new = steps[key], steps[new_key]
        assert gradient_close(inc.value, -alpha * grad), (key, inc.value, -alpha * grad)
        assert new.value == array[index] + inc.value, new_key

    for k, kernel in enumerate(net.kernels, 1):
        for ch, m, n in np.ndindex(kernel.shape):
            idx = f"{k},{ch + 1},{m + 1},{n + 1}"
            one(f"dk[{idx}]", f"k[{idx}]", kernel, (ch, m, n))
    biases = np.array(net.biases, dtype=float)
    saved = net.biases
    net.biases = biases  # type: ignore[assignment]  # an array, so it can be perturbed in place
    try:
        for k in range(1, len(saved) + 1):
            one(f"db[{k}]", f"b[{k}]", biases, (k - 1,))
    finally:
        net.biases = saved
    for i, j in np.ndindex(net.head.shape):
        one(f"dw[1,{i + 1},{j}]", f"w[1,{i + 1},{j}]", net.head, (i, j))


def updated_net(net: Net, steps: dict[str, Step]) -> Net:
    """The net with the new kernels, biases and head of the update steps."""
    assert net.head is not None
    kernels = [k.copy() for k in net.kernels]
    for k, kernel in enumerate(kernels, 1):
        for ch, m, n in np.ndindex(kernel.shape):
            kernel[ch, m, n] = steps[f"k[{k},{ch + 1},{m + 1},{n + 1}]"].value
    head = net.head.copy()
    for i, j in np.ndindex(head.shape):
        head[i, j] = steps[f"w[1,{i + 1},{j}]"].value
    biases = [steps[f"b[{k}]"].value for k in range(1, len(kernels) + 1)]
    return replace(net, kernels=kernels, biases=biases, head=head)


def forward_values(net: Net) -> dict[str, float]:
    """Every forward quantity of the reference by its key: cells, logits, probabilities, loss."""
    assert net.head is not None
    fwd = forward(net)
    out: dict[str, float] = {}
    channels = net.image.shape[0]
    for k, (z, sums) in enumerate(zip(fwd.conv if net.kernels else [], fwd.sums, strict=False), 1):
        for r, c in np.ndindex(z.shape):
            out[f"conv[{k},{r + 1},{c + 1}]"] = z[r, c]
            for ch in range(1, channels + 1) if channels > 1 else ():
                out[f"chan[{k},{ch},{r + 1},{c + 1}]"] = sums[ch - 1, r, c]
    stages = [("relu", fwd.act if net.relu else []), ("pool", fwd.pooled if net.pool else [])]
    for name, maps in stages:
        for k, m in enumerate(maps, 1):
            for r, c in np.ndindex(m.shape):
                out[f"{name}[{k},{r + 1},{c + 1}]"] = m[r, c]
    u = net.head[:, 0] + net.head[:, 1:] @ fwd.flat
    for i, (ui, yi) in enumerate(zip(u, softmax(u), strict=True), 1):
        out[f"u[1,{i}]"], out[f"y[1,{i}]"] = ui, yi
    out["loss"] = head_loss(net, fwd.flat)
    return out


def check_after_update(net: Net, solution: Solution) -> None:
    """The check phase is this reference's forward pass with the new kernels, biases and
    head (the values of the update steps, which check_update holds to −α ∂L/∂θ): every
    check.conv, check.chan, check.relu, check.pool, check.u, check.y cell and check.loss."""
    steps = by_key(solution)
    want = forward_values(updated_net(net, steps))
    checked = {k.removeprefix("check."): s for k, s in steps.items() if k.startswith("check.")}
    assert all(s.phase == Phase.CHECK and s.iteration == 1 for s in checked.values())
    assert set(checked) == set(want)
    for key, value in want.items():
        assert close(checked[key].value, value), (key, checked[key].value, value)


def check_keys(net: Net, solution: Solution) -> None:
    """The contract: every k[k,ch,m,n] and w[1,i,j] exactly once per iteration."""
    counts = Counter((s.iteration, s.key) for s in solution.steps)
    want_k = {
        f"k[{k},{ch + 1},{m + 1},{n + 1}]"
        for k, kernel in enumerate(net.kernels, 1)
        for ch, m, n in np.ndindex(kernel.shape)
    }
    want_w = (
        {f"w[1,{i + 1},{j}]" for i, j in np.ndindex(net.head.shape)}
        if net.head is not None
        else set()
    )
    trains = net.learning_rate is not None and net.kernels
    iterations = {s.iteration for s in solution.steps}
    assert iterations == {1}
    for prefix, want in (("k", want_k), ("w", want_w), ("dk", {"d" + k for k in want_k})):
        got = {key for (_, key) in counts if key.startswith(f"{prefix}[")}
        assert got == (want if trains else set()), prefix
        assert all(counts[(1, key)] == 1 for key in got), prefix
    if trains:
        assert {key for (_, key) in counts if key.startswith("b[")} == {
            f"b[{k}]" for k in range(1, len(net.kernels) + 1)
        }


def check_everything(net: Net, solution: Solution) -> None:
    check_cells(net, solution)
    check_sizes(net, solution)
    if net.head is not None:
        check_head(net, solution)
        if net.learning_rate is not None:
            check_backward(net, solution)
            check_update(net, solution)
            check_after_update(net, solution)
    check_keys(net, solution)


# --- 1. Cells against sliding windows ------------------------------------------------------

POOLS = [None, ("max", 2, 2), ("average", 2, 2), ("max", 3, 1), ("average", 3, 1)]


CELL_GRID = [
    pytest.param(padding, stride, channels, pool_spec, id=f"{padding}-s{stride}-c{channels}-{p}")
    for padding, stride, channels, pool_spec in itertools.product(
        ["valid", "same", 1, 2], [1, 2], [1, 3], POOLS
    )
    if not (padding == "same" and stride != 1)  # not allowed (test_conv_loading)
    for p in ["-".join(map(str, pool_spec)) if pool_spec else "no-pool"]
]


@pytest.mark.parametrize(("padding", "stride", "channels", "pool_spec"), CELL_GRID)
def test_cells_are_the_sliding_windows(
    padding: Pad, stride: int, channels: int, pool_spec: tuple[str, int, int] | None
) -> None:
    """A 7×8 image (not square), two 3×3 kernels, ReLU on, every combination listed."""
    structure = {
        "channels": channels,
        "rows": 7,
        "cols": 8,
        "sizes": [3, 3],
        "stride": stride,
        "padding": padding,
        "own_padding": [None, None],
        "relu": True,
        "pool": pool_spec,
    }
    seed = zlib.crc32(repr((padding, stride, channels, pool_spec)).encode())
    net = make_net(structure, seed, train=False)
    assert net is not None
    solution = net.solve()
    check_cells(net, solution)
    check_sizes(net, solution)


@pytest.mark.parametrize("pool_spec", POOLS, ids=lambda p: "-".join(map(str, p)) if p else "no")
def test_cells_without_relu_pool_the_raw_maps(pool_spec: tuple[str, int, int] | None) -> None:
    structure = {
        "channels": 2,
        "rows": 6,
        "cols": 6,
        "sizes": [3, 2],
        "stride": 1,
        "padding": 1,
        "own_padding": [None, "valid"],
        "relu": False,
        "pool": pool_spec,
    }
    net = make_net(structure, 7, train=False)
    assert net is not None
    check_cells(net, net.solve())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
@pytest.mark.slow
def test_random_cells(data: st.DataObject) -> None:
    net = draw_net(data, train=False)
    solution = net.solve()
    check_cells(net, solution)
    check_sizes(net, solution)


def test_the_kernel_is_not_flipped() -> None:
    """An asymmetric kernel on an impulse: the map is the kernel rotated by 180° without a
    flip (correlation), and the kernel itself with one (convolution)."""
    image = np.zeros((1, 5, 5))
    image[0, 2, 2] = 1.0
    kernel = np.arange(1.0, 10.0).reshape(1, 3, 3)
    net = Net(image, [kernel], [0.5], padding="same")
    steps = by_key(net.solve())
    got = np.array([[steps[f"conv[1,{r},{c}]"].value for c in range(2, 5)] for r in range(2, 5)])
    assert (got - 0.5 == kernel[0, ::-1, ::-1]).all()


def test_max_pool_names_its_winner() -> None:
    image = np.array([[[0.1, 0.9, 0.2, 0.3], [0.4, 0.5, 0.8, 0.7], [0.6, 0.0, 0.1, 0.2]]])
    net = Net(image, [], [], pool=("max", 2, 2))
    net.kernels = [np.ones((1, 1, 1))]
    net.biases = [0.0]
    steps = by_key(net.solve("en"))
    cell = steps["pool[1,1,1]"]
    assert cell.value == 0.9
    assert "c₁₂" in cell.explanation
    assert "c₁₁" not in cell.explanation
    assert steps["pool[1,1,2]"].value == 0.8
    assert "c₂₃" in steps["pool[1,1,2]"].explanation


# --- 2. Head, softmax, loss and the lecture's numbers --------------------------------------

LECTURE_IMAGE = [
    [7, 2, 3, 3, 8],
    [4, 5, 3, 8, 4],
    [3, 3, 2, 8, 4],
    [2, 8, 7, 2, 7],
    [5, 4, 4, 5, 4],
]
VERTICAL_EDGES = [[1, 0, -1], [1, 0, -1], [1, 0, -1]]


def builtin_lesson(lesson_id: str) -> ConvLesson:
    lesson = cached_lesson(lesson_id)
    assert isinstance(lesson, ConvLesson)
    return lesson


def test_conv_1_is_the_lecture_example() -> None:
    steps = by_key(solve(builtin_lesson("conv-1")))
    assert steps["conv[1,1,1]"].value == 6
    assert steps["conv[1,1,1]"].shown == "6"
    image = np.array(LECTURE_IMAGE, dtype=float)
    kernel = np.array(VERTICAL_EDGES, dtype=float)
    want = np.einsum("rwmn,mn->rw", sliding_window_view(image, (3, 3)), kernel)
    assert family(steps, "conv") == {f"conv[1,{r},{c}]" for r in (1, 2, 3) for c in (1, 2, 3)}
    for r, c in np.ndindex(3, 3):
        assert steps[f"conv[1,{r + 1},{c + 1}]"].value == want[r, c]


def test_shape_1_is_the_lecture_sizing() -> None:
    steps = by_key(solve(builtin_lesson("shape-1")))
    got = {k: steps[k].value for k in ("size", "values", "params", "pool_size", "pool_values")}
    assert got == {
        "size": 28,
        "values": 25088,
        "params": 320,
        "pool_size": 14,
        "pool_values": 6272,
    }
    assert all(s.phase == "shape" for s in steps.values())


SHAPES = [
    # side, kernel side, padding, stride, channels, kernels, pool
    (28, 3, "same", 1, 1, 4, ("max", 2, 2)),
    (7, 3, "valid", 2, 3, 2, None),
    (9, 2, 1, 1, 2, 3, ("average", 3, 1)),
]


@pytest.mark.parametrize("case", SHAPES, ids=str)
def test_shape_steps(case: tuple[Any, ...]) -> None:
    """(D − N + 2p)/s + 1, K·O², K(N²C + 1) and the same after pooling, on a real image."""
    side, n, padding, stride, channels, count, pool_spec = case
    rng = np.random.default_rng(side)
    net = Net(
        rng.uniform(-1, 1, (channels, side, side)).round(2),
        [rng.uniform(-1, 1, (channels, n, n)).round(2) for _ in range(count)],
        [0.1] * count,
        padding=padding,
        stride=stride,
        pool=pool_spec,
    )
    steps = by_key(net.solve())
    pad = net.pads()[0]
    out = (side - n + 2 * pad) // stride + 1
    assert forward(net).conv[0].shape == (out, out)
    assert steps["size"].value == out
    assert steps["values"].value == count * out * out
    assert steps["params"].value == count * (n * n * channels + 1)
    if pool_spec is None:
        assert "pool_size" not in steps
        return
    pooled = forward(net).pooled[0].shape[0]
    assert steps["pool_size"].value == pooled
    assert steps["pool_values"].value == count * pooled * pooled


def test_a_non_square_image_gets_no_wrong_count() -> None:
    """A 5×7 image: the maps are 3×5, so a count K·O·O from the rows alone would be wrong."""
    rng = np.random.default_rng(3)
    net = Net(
        rng.uniform(-1, 1, (1, 5, 7)).round(2),
        [rng.uniform(-1, 1, (1, 3, 3)).round(2) for _ in range(2)],
        [0.1, 0.2],
        pool=("max", 2, 2),
    )
    solution = net.solve()
    assert len(family(by_key(solution), "conv")) == 2 * 3 * 5
    check_sizes(net, solution)
    check_cells(net, solution)


def test_softmax_of_the_lecture_logits() -> None:
    lesson = lesson_from_text(
        "kind: conv\ndisplay: {decimals: 3}\nlogits: [2.0, 1.0, 0.1]\n", "softmax"
    )
    steps = by_key(solve(lesson))
    want = softmax(np.array([2.0, 1.0, 0.1]))
    assert [steps[f"y[1,{i}]"].shown for i in (1, 2, 3)] == ["0.659", "0.242", "0.099"]
    for i in (1, 2, 3):
        assert close(steps[f"y[1,{i}]"].value, want[i - 1])
    assert not family(steps, "conv")
    assert "loss" not in steps


def test_softmax_logits_with_a_target_give_the_loss() -> None:
    lesson = lesson_from_text("kind: conv\nlogits: [2.0, 1.0, 0.1]\ntarget: [0, 1, 0]\n", "ce")
    steps = by_key(solve(lesson))
    assert close(steps["loss"].value, -math.log(softmax(np.array([2.0, 1.0, 0.1]))[1]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
@pytest.mark.slow
def test_random_heads(data: st.DataObject) -> None:
    net = draw_net(data, train=True)
    net.learning_rate = None
    if data.draw(st.booleans()):
        net.target = None
    solution = net.solve()
    check_cells(net, solution)
    check_head(net, solution)
    assert not family(by_key(solution), "dk")


# --- 3. One training step against finite differences ---------------------------------------


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
@pytest.mark.slow
def test_random_training_steps_follow_the_gradient(data: st.DataObject) -> None:
    net = draw_net(data, train=True)
    check_everything(net, net.solve())


TRAINING_GRID = list(itertools.product([1, 2], [False, True], [None, "max", "average"]))


@pytest.mark.parametrize(("channels", "relu", "pool_kind"), TRAINING_GRID)
def test_training_step_grid(channels: int, relu: bool, pool_kind: str | None) -> None:
    """Every combination at least once, whatever hypothesis draws: 6×6, a 3×3 and a 2×2 kernel,
    3 classes, nonzero biases, a soft target."""
    structure = {
        "channels": channels,
        "rows": 6,
        "cols": 6,
        "sizes": [3, 2],
        "stride": 1,
        "padding": "valid",
        "own_padding": [1, None],
        "relu": relu,
        "pool": (pool_kind, 2, 2) if pool_kind else None,
        "classes": 3,
        "soft_target": True,
    }
    net = make_net(structure, 1000 + channels * 10 + relu * 3 + len(pool_kind or ""))
    assert net is not None
    check_everything(net, net.solve())


def test_stride_two_overlapping_max_pool_training_step() -> None:
    structure = {
        "channels": 2,
        "rows": 6,
        "cols": 5,
        "sizes": [3],
        "stride": 2,
        "padding": 1,
        "own_padding": [None],
        "relu": True,
        "pool": ("max", 2, 1),
        "classes": 2,
        "soft_target": False,
    }
    net = make_net(structure, 99)
    assert net is not None
    check_everything(net, net.solve())


# --- Built-in conv lessons -----------------------------------------------------------------


CONV_IDS = builtin_ids_of("conv")


def reference_ids() -> list[str]:
    """The conv lessons the reference can follow: with an image (the others are covered by the
    lecture tests) and unrounded (rounding intermediate values departs from the reference's
    floats, by design)."""
    return [
        lesson_id
        for lesson_id in CONV_IDS
        if builtin_lesson(lesson_id).channels()
        and not builtin_lesson(lesson_id).display.round_intermediate
    ]


REFERENCE_IDS = reference_ids()


def gradient_ids() -> list[str]:
    """The reference lessons that train a head, where no finite difference crosses a kink."""
    nets = {lesson_id: net_from_lesson(builtin_lesson(lesson_id)) for lesson_id in REFERENCE_IDS}
    return [
        lesson_id
        for lesson_id, net in nets.items()
        if net.head is not None and net.learning_rate is not None and not kinked(net)
    ]


GRADIENT_IDS = gradient_ids()


def test_there_are_built_in_conv_lessons() -> None:
    assert {"conv-1", "cnn-1", "shape-1"} <= set(CONV_IDS)
    assert {"conv-1", "cnn-1"} <= set(REFERENCE_IDS)
    assert "cnn-1" in GRADIENT_IDS


@pytest.mark.parametrize("lesson_id", REFERENCE_IDS)
def test_built_in_lessons_against_the_reference(lesson_id: str) -> None:
    """Cells, sizes, keys and the head's forward values."""
    lesson = builtin_lesson(lesson_id)
    net = net_from_lesson(lesson)
    solution = solve(lesson)
    check_cells(net, solution)
    check_sizes(net, solution)
    check_keys(net, solution)
    if net.head is not None:
        check_head(net, solution)
        if net.target is not None and net.learning_rate is not None:
            check_after_update(net, solution)


@pytest.mark.parametrize("lesson_id", GRADIENT_IDS)
def test_built_in_gradients_against_the_reference(lesson_id: str) -> None:
    """Every error cell and every update, by finite differences."""
    lesson = builtin_lesson(lesson_id)
    net = net_from_lesson(lesson)
    solution = solve(lesson)
    check_backward(net, solution)
    check_update(net, solution)


# --- 4. substituted_text evaluates to the value --------------------------------------------


def substitution_cases() -> dict[str, Solution]:
    cases = {}
    for lesson_id in CONV_IDS:
        for lang in ("es", "en"):
            cases[f"{lesson_id}-{lang}"] = solve(builtin_lesson(lesson_id), lang)
    # What the built-in lessons may lack: channels, padding, stride 2, average pooling.
    for n, (channels, padding, stride, pool_spec) in enumerate(
        [(2, "same", 1, ("average", 2, 2)), (3, 1, 2, ("max", 2, 1)), (1, "valid", 1, None)]
    ):
        structure = {
            "channels": channels,
            "rows": 7 if n == 1 else 6,  # every stride divides: whole sizes (see below)
            "cols": 7 if n == 1 else 6,
            "sizes": [3, 3],
            "stride": stride,
            "padding": padding,
            "own_padding": [None, None],
            "relu": n != 2,
            "pool": pool_spec,
            "classes": 3,
            "soft_target": n == 1,
        }
        net = make_net(structure, 500 + n)
        assert net is not None
        net.decimals = 4
        cases[f"generated-{n}"] = net.solve()
    return cases


SUBSTITUTIONS = substitution_cases()


@pytest.mark.parametrize("name", sorted(SUBSTITUTIONS))
def test_substituted_text_evaluates_to_the_value(name: str) -> None:
    check_substitutions(name, SUBSTITUTIONS[name])


@pytest.mark.parametrize(
    ("key", "structure"),
    [
        ("size", {"rows": 6, "stride": 2, "padding": 1, "pool": None}),
        ("pool_size", {"rows": 7, "stride": 1, "padding": "valid", "pool": ("max", 2, 2)}),
    ],
)
def test_size_text_when_the_stride_does_not_divide(key: str, structure: dict[str, Any]) -> None:
    rows = structure["rows"]
    net = Net(
        np.ones((1, rows, rows)),
        [np.ones((1, 3, 3))],
        [0.0],
        **{k: v for k, v in structure.items() if k != "rows"},
    )
    steps = by_key(net.solve())
    assert (
        steps[key].value
        == (forward(net).conv if key == "size" else forward(net).pooled)[0].shape[0]
    )
    assert evaluate(step_record(steps[key])["substituted_text"]) == steps[key].value


# --- 5. The key set ------------------------------------------------------------------------


@pytest.mark.parametrize("lesson_id", CONV_IDS)
def test_built_in_key_set(lesson_id: str) -> None:
    lesson = builtin_lesson(lesson_id)
    net = net_from_lesson(lesson) if lesson.channels() else None
    solution = solve(lesson)
    if net is not None:
        check_keys(net, solution)
    counts = Counter((s.iteration, s.key) for s in solution.steps)
    assert max(counts.values()) == 1
    for s in solution.steps:
        assert s.key.split("[")[0] in KNOWN_KEYS | CHECK_KEYS, s.key


KNOWN_KEYS = {
    "size",
    "values",
    "params",
    "pool_size",
    "pool_values",
    "conv",
    "chan",
    "relu",
    "pool",
    "u",
    "y",
    "loss",
    "d",
    "dpool",
    "drelu",
    "dconv",
    "dw",
    "w",
    "dk",
    "k",
    "db",
    "b",
}


#: The check phase computes the forward quantities again, with the new weights.
CHECK_KEYS = {f"check.{key}" for key in ("conv", "chan", "relu", "pool", "u", "y", "loss")}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
@pytest.mark.slow
def test_random_key_sets(data: st.DataObject) -> None:
    net = draw_net(data, train=True)
    solution = net.solve()
    check_keys(net, solution)
    assert all(s.key.split("[")[0] in KNOWN_KEYS | CHECK_KEYS for s in solution.steps)
