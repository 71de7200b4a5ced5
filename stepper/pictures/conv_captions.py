"""The lines under the conv blackboard: which kernel it is (its name, bias, padding and
stride), and what comes after the convolution (ReLU, the pooling, the softmax head)."""

from __future__ import annotations

from stepper.notation import Sym
from stepper.pictures.conv_board import Ink, ink, join
from stepper.pictures.conv_state import Ctx
from stepper.pictures.scene import Role


def kernel_caption(ctx: Ctx, k: int) -> Ink | None:
    """kernel 2 de 32: bordes verticales · b₂ = 0.1 · relleno 1 · paso 2."""
    conv = ctx.conv
    if not conv.kernels:
        return None
    title = ctx.word("kernel")
    if len(conv.kernels) > 1:
        title += f" {k} {ctx.word('of')} {len(conv.kernels)}"
    line = ink(title, Role.HEADER)
    name = conv.names[k - 1] if k <= len(conv.names) else str(k)
    if name != str(k):
        line.add(f": {name}", Role.HEADER)
    parts = [line]
    if conv.biases[k - 1] != 0 or f"b[{k}]" in ctx.reads:
        sym = Sym("b", (k,)).unicode()
        if ctx.prefix:  # the check phase computes with the new bias
            text, role, key = ctx.replaced(f"b[{k}]", conv.biases[k - 1])
            parts.append(ink(f"{sym} = {text}", role, key))
        else:
            parts.append(ink(*ctx.given_slot(f"b[{k}]", sym, conv.biases[k - 1])))
    if conv.paddings[k - 1]:
        parts.append(ink(f"{ctx.word('padding')} p = {conv.paddings[k - 1]}"))
    if conv.stride != 1:
        parts.append(ink(f"{ctx.word('stride')} s = {conv.stride}"))
    return join(parts, " · ")


def pipeline(ctx: Ctx) -> Ink:
    """What comes after the convolution: → ReLU → máx 2×2 → capa densa → softmax (2 clases)."""
    conv = ctx.conv
    parts = ["ReLU"] if conv.relu else []
    if conv.pool is not None:
        kind, size, _ = conv.pool
        parts.append(f"{ctx.word('max' if kind == 'max' else 'average')} {size}×{size}")
    if conv.classes:
        parts.append(f"softmax ({conv.classes} {ctx.word('classes')})")
    return ink(" → ".join(["", *parts]).strip(), Role.MORE) if parts else Ink()
