"""The size steps of a conv lesson, as the lecture's "Ejemplo" writes them, one row each:

    imagen de entrada   28×28×1   784 px
      ↓ 32 kernels 3×3 · relleno p = 1 · paso s = 1 · ReLU   P = 320 parámetros
    mapas               32 × 28×28   V = 25088 valores
      ↓ max-pooling 2×2 · paso S = 2
    salidas             32 × 14×14   W = 6272 valores

and, for kernels of different sizes or paddings, the side of each one's map.
"""

from __future__ import annotations

from stepper.notation import Sym
from stepper.pictures.conv_board import Ink, ink
from stepper.pictures.conv_state import Ctx
from stepper.pictures.scene import Role
from stepper.steps import Quantity


def sizes(ctx: Ctx, width: int) -> list[Ink]:
    """28×28×1 → 32 kernels 3×3 → 32 × 28×28 → max 2×2 → 32 × 14×14, as revealed."""
    given_q: dict[str, Quantity] = {}
    for key in ("size", "values", "params", "pool_size"):
        step = ctx.index.step(key)
        for q in step.operands if step is not None else ():
            if q.step is None:
                given_q.setdefault(q.key, q)

    def number(line: Ink, key: str) -> Ink:
        q = given_q.get(key)
        return line.add(q.shown if q else "?", ctx.read(key), key if q else None)

    def side(line: Ink, key: str, letter: str) -> Ink:
        if ctx.index.step(key) is None:
            return line.add(letter, Role.PENDING)
        return line.add(*ctx.computed(key, pending=letter))

    labels = [ctx.word("input"), ctx.word("maps"), ctx.word("outputs")]
    column = max(len(w) for w in labels) + 3
    lines = []
    count = given_q.get("D")
    line = Ink().add(labels[0].ljust(column), Role.HEADER)
    number(number(number(line, "D").add("×"), "D").add("×"), "C")
    if count is not None and "C" in given_q:
        line.add("   ").add(f"{int(count.value) ** 2 * int(given_q['C'].value)} px", Role.MORE)
    lines.append(line)
    count = given_q.get("K")
    noun = ctx.word("kernel" if count is not None and count.value == 1 else "kernels")
    kernels = number(Ink().add("  ↓ "), "K").add(f" {noun} ")
    number(number(kernels, "N").add("×"), "N")
    number(kernels.add(f" · {ctx.word('padding')} p = "), "p")
    number(kernels.add(f" · {ctx.word('stride')} s = "), "s")
    if ctx.conv.relu:
        kernels.add(" · ReLU")
    params = _valued(ctx, "params", "P", ctx.word("params"))
    widest = len(ctx.sym("params", Sym("P"))) + 3 + ctx.index.widths.get("params", 1)
    if kernels.width + 3 + widest + 1 + len(ctx.word("params")) <= width:
        lines.append(kernels.add("   ").cat(params))
    else:
        lines += [kernels, Ink().add("      ").cat(params)]
    maps = number(Ink().add(labels[1].ljust(column), Role.HEADER), "K").add(" × ")
    side(side(maps, "size", "O").add("×"), "size", "O")
    lines.append(maps.add("   ").cat(_valued(ctx, "values", "V", ctx.word("values"))))
    if "pool_size" in ctx.index.pos and ctx.conv.pool is not None:
        word = "max-pooling" if ctx.conv.pool[0] == "max" else ctx.word("average")
        pooling = number(Ink().add(f"  ↓ {word} "), "F").add("×")
        number(number(pooling, "F").add(f" · {ctx.word('stride')} S = "), "S")
        lines.append(pooling)
        outputs = number(Ink().add(labels[2].ljust(column), Role.HEADER), "K").add(" × ")
        side(side(outputs, "pool_size", "Q").add("×"), "pool_size", "Q")
        values = _valued(ctx, "pool_values", "W", ctx.word("values"))
        lines.append(outputs.add("   ").cat(values))
    return lines


def _valued(ctx: Ctx, key: str, letter: str, word: str) -> Ink:
    """``V = 25088 valores`` once revealed, ``V = ? valores`` while computed, ``V valores``
    before: the formula's symbol always with what it counts, never a bare letter."""
    text, role, written = ctx.slot(key, ctx.sym(key, Sym(letter)))
    return ink(text, role, written).add(f" {word}", Role.MORE if role == Role.PENDING else role)


def kernel_sizes(ctx: Ctx) -> list[Ink]:
    """Kernels of different sizes or paddings: the output side of each one's map."""
    conv = ctx.conv
    rows, cols = (len(conv.image[0]), len(conv.image[0][0])) if conv.image else (0, 0)
    lines = [Ink().add(ctx.word("input"), Role.HEADER).add(f"   {rows}×{cols}×{len(conv.image)}")]
    for k in range(1, len(conv.kernels) + 1):
        key = f"size[{k}]"
        step = ctx.index.step(key)
        if step is None:
            continue
        reading = ctx.step is not None and ctx.step.key == key
        line = Ink().add(f"  ↓ {ctx.word('kernel')} {k}: ")
        for q in step.operands:
            line.add(f"{q.key} = {q.shown}", Role.READ if reading else Role.PLAIN, q.key)
            line.add("  ")
        line.add("→  ").add(*ctx.slot(key, ctx.sym(key, Sym("O", sample=k))))
        if ctx.revealed_at(key):
            side = step.shown
            line.add(f"   {ctx.word('conv')} {side}×{side}", Role.MORE)
        lines.append(line)
    return lines
