"""A dense network computed here, independently of the engine: numpy forward, the sse loss,
its gradient by central finite differences, and by torch autograd where torch is installed.

Tests compare the engine's steps with these: δ = −½ ∂ε²/∂u, Δw = −α ∂ε²/∂w (the lecture's
loss ε² = Σ(y − ỹ)², with Δw = 2αxδ).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

Weights = list[np.ndarray]

ACT: dict[str, Callable[[Any], Any]] = {
    "linear": lambda u: u,
    "tanh": np.tanh,
    "sigmoid": lambda u: 1.0 / (1.0 + np.exp(-u)),
    "relu": lambda u: np.maximum(u, 0.0),
}


def forward(
    weights: Weights, acts: Sequence[Sequence[str]], x: Sequence[float]
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Each layer's u and output, the bias input 1 put in front of every layer's inputs."""
    inputs = np.asarray(x, dtype=float)
    us, outs = [], []
    for w, names in zip(weights, acts, strict=True):
        u = w @ np.concatenate([[1.0], inputs])
        inputs = np.array([ACT[a](v) for a, v in zip(names, u, strict=True)])
        us.append(u)
        outs.append(inputs)
    return us, outs


def sse(
    weights: Weights, acts: Sequence[Sequence[str]], x: Sequence[float], y: Sequence[float]
) -> float:
    return float(np.sum((np.asarray(y) - forward(weights, acts, x)[1][-1]) ** 2))


def finite_gradient(
    weights: Weights,
    acts: Sequence[Sequence[str]],
    x: Sequence[float],
    y: Sequence[float],
    h: float = 1e-6,
) -> Weights:
    """∂ε²/∂w of every weight by central differences."""
    grads = []
    for l, w in enumerate(weights):
        g = np.zeros_like(w)
        for idx in np.ndindex(w.shape):
            plus = [m.copy() for m in weights]
            minus = [m.copy() for m in weights]
            plus[l][idx] += h
            minus[l][idx] -= h
            g[idx] = (sse(plus, acts, x, y) - sse(minus, acts, x, y)) / (2 * h)
        grads.append(g)
    return grads


def torch_gradient(
    torch: Any,
    weights: Weights,
    acts: Sequence[Sequence[str]],
    x: Sequence[float],
    y: Sequence[float],
) -> tuple[Weights, list[np.ndarray]]:
    """∂ε²/∂w of every weight and ∂ε²/∂u of every layer, by torch autograd in float64."""
    fns = {
        "linear": lambda u: u,
        "tanh": torch.tanh,
        "sigmoid": torch.sigmoid,
        "relu": torch.relu,
    }
    params = [torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in weights]
    inputs = torch.tensor(list(x), dtype=torch.float64)
    us = []
    for w, names in zip(params, acts, strict=True):
        u = w @ torch.cat([torch.ones(1, dtype=torch.float64), inputs])
        u.retain_grad()
        us.append(u)
        inputs = torch.stack([fns[a](u[i]) for i, a in enumerate(names)])
    loss = torch.sum((torch.tensor(list(y), dtype=torch.float64) - inputs) ** 2)
    loss.backward()
    return [p.grad.numpy() for p in params], [u.grad.numpy() for u in us]
