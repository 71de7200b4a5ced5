"""The rules of a conv lesson that a schema cannot state: shapes that fit, and the limits.

Checks run on the validated lesson and return ``Found`` problems located by their path.
"""

from __future__ import annotations

import math

from stepper.lesson.checks import MAX_CLASSES, MAX_STEPS, MAX_WEIGHTS, Found, too_many_classes
from stepper.lesson.errors import msg, msg_count
from stepper.lesson.schema import ConvLesson, Kernel

#: Most products in all the convolutions' sums (each map cell sums N·N·C of them, and the
#: kernel's gradient as many again). Each is written out in the solution: 10^6 make a JSON of
#: some 150 MB; a 64×64 kernel with padding 64 over a 64×64 image made 68 million.
MAX_PRODUCTS = 1_000_000


def out_size(size: int, kernel: int, pad: int, stride: int) -> int:
    """(D − N + 2p)/s + 1, rounded down: the lecture's output size of a convolution."""
    return (size - kernel + 2 * pad) // stride + 1


def padding_of(lesson: ConvLesson, kernel: Kernel, size: int) -> int:
    """The zeros added on each side: valid 0, same (n − 1)/2, or the integer given."""
    pad = kernel.padding if kernel.padding is not None else lesson.padding
    if pad == "valid":
        return 0
    if pad == "same":
        return (size - 1) // 2
    return int(pad)


def check_conv(lesson: ConvLesson) -> list[Found]:
    found: list[Found] = []
    channels = lesson.channels()
    if lesson.shape is None and lesson.logits is None and not channels:
        found.append(Found(("kind",), msg("conv.no_image"), True))
        return found
    if channels:
        found += _check_image(lesson, channels)
        if not (lesson.kernels or lesson.activation == "relu" or lesson.pool or lesson.dense):
            where = ("kernels",) if "kernels" in lesson.model_fields_set else ("image",)
            found.append(
                Found(
                    where,
                    msg("conv.nothing"),
                    True,
                )
            )
    if lesson.shape is not None:
        found += _check_shape(lesson)
    if found:
        return found
    found += _check_kernels(
        lesson,
        len(channels),
        len(channels[0]) if channels else 0,
        len(channels[0][0]) if channels else 0,
    )
    if found:
        return found
    found += _check_classes(lesson)
    if found:
        return found
    found += _check_head(lesson)
    found += _check_limits(lesson)
    return found


def _check_image(lesson: ConvLesson, channels: list[list[list[float]]]) -> list[Found]:
    found: list[Found] = []
    rows, cols = len(channels[0]), len(channels[0][0]) if channels[0] else 0
    for ch, matrix in enumerate(channels):
        where: tuple[object, ...] = ("image",) if len(channels) == 1 else ("image", ch)
        if len(matrix) != rows:
            found.append(
                Found(where, msg("conv.channel_rows", ch=ch + 1, rows=len(matrix), first=rows))
            )
        for r, row in enumerate(matrix):
            if len(row) != cols or not row:
                found.append(
                    Found(
                        (*where, r),
                        msg("conv.image_row", r=r + 1, n=len(row), cols=cols),
                    )
                )
    return found


def _check_kernels(lesson: ConvLesson, channels: int, rows: int, cols: int) -> list[Found]:
    found: list[Found] = []
    for k, kernel in enumerate(lesson.kernels):
        here = ("kernels", k, "weights")
        mats = kernel.channels()
        if channels and len(mats) != channels:
            found.append(
                Found(
                    here,
                    msg_count("conv.kernel_channels", len(mats), k=k + 1, channels=channels),
                )
            )
            continue
        n = len(mats[0])
        for ch, m in enumerate(mats):
            if len(m) != n or any(len(row) != n for row in m):
                found.append(
                    Found(
                        here,
                        msg("conv.not_square", k=k + 1, ch=ch + 1),
                    )
                )
        pad = kernel.padding if kernel.padding is not None else lesson.padding
        if pad == "same" and (n % 2 == 0 or lesson.stride != 1):
            found.append(
                Found(
                    ("padding",) if kernel.padding is None else ("kernels", k, "padding"),
                    msg("conv.same_kernel", k=k + 1, n=n, stride=lesson.stride),
                )
            )
            continue
        if channels:
            p = padding_of(lesson, kernel, n)
            if out_size(rows, n, p, lesson.stride) < 1 or out_size(cols, n, p, lesson.stride) < 1:
                found.append(
                    Found(here, msg("conv.kernel_fit", k=k + 1, n=n, rows=rows, cols=cols))
                )
    if lesson.pool and channels and not found:  # a kernel that does not fit has no map
        sizes = _map_sizes(lesson, rows, cols)
        for k, (h, w) in enumerate(sizes):
            if lesson.pool.size > min(h, w):
                found.append(
                    Found(
                        ("pool", "size"),
                        msg("conv.pool_map", size=lesson.pool.size, k=k + 1, h=h, w=w),
                    )
                )
                break
    return found


def _check_shape(lesson: ConvLesson) -> list[Found]:
    """The sizing example: a square input, a kernel and a pool that fit."""
    assert lesson.shape is not None
    (rows, cols, _), n = lesson.shape.input, lesson.shape.kernel_size
    if rows != cols:
        return [
            Found(
                ("shape", "input"),
                msg("conv.shape_square", rows=rows, cols=cols),
            )
        ]
    if lesson.padding == "same" and (n % 2 == 0 or lesson.stride != 1):
        return [
            Found(
                ("padding",),
                msg("conv.same_shape", n=n, stride=lesson.stride),
            )
        ]
    spec = lesson.padding
    pad = 0 if spec == "valid" else (n - 1) // 2 if spec == "same" else int(spec)
    side = out_size(rows, n, pad, lesson.stride)
    if side < 1:
        return [
            Found(
                ("shape", "kernel_size"),
                msg("conv.shape_kernel", n=n, rows=rows, cols=cols),
            )
        ]
    if lesson.pool and lesson.pool.size > side:
        size = lesson.pool.size
        return [Found(("pool", "size"), msg("conv.shape_pool", size=size, side=side))]
    return []


def _map_sizes(lesson: ConvLesson, rows: int, cols: int) -> list[tuple[int, int]]:
    """The size of every feature map (the image's channels when there are no kernels)."""
    if not lesson.kernels:
        return [(rows, cols)] * len(lesson.channels())
    out = []
    for kernel in lesson.kernels:
        n = len(kernel.channels()[0])
        p = padding_of(lesson, kernel, n)
        out.append((out_size(rows, n, p, lesson.stride), out_size(cols, n, p, lesson.stride)))
    return out


def features(lesson: ConvLesson) -> int:
    """How many values the maps flatten to (what the dense head reads)."""
    channels = lesson.channels()
    if not channels:
        return len(lesson.logits or [])
    total = 0
    for rows, cols in _map_sizes(lesson, len(channels[0]), len(channels[0][0])):
        if lesson.pool:
            stride = lesson.pool.stride or lesson.pool.size
            rows = out_size(rows, lesson.pool.size, 0, stride)  # noqa: PLW2901
            cols = out_size(cols, lesson.pool.size, 0, stride)  # noqa: PLW2901
        total += rows * cols
    return total


def _check_classes(lesson: ConvLesson) -> list[Found]:
    """A softmax within its limit, and a head that has maps to read."""
    found: list[Found] = []
    classes = len(lesson.logits) if lesson.logits else 0
    if classes > MAX_CLASSES:
        found.append(Found(("logits",), too_many_classes(classes), True))
    if lesson.dense and len(lesson.dense.weights) > MAX_CLASSES:
        found.append(Found(("dense", "weights"), too_many_classes(len(lesson.dense.weights)), True))
        return found
    if lesson.dense and not lesson.channels():
        # The head reads the flattened feature maps; logits are already its output, and a
        # sizing example (shape) has no numbers in its cells.
        found.append(
            Found(
                ("dense",),
                msg("conv.head_logits" if lesson.logits else "conv.head_no_image"),
                True,
            )
        )
    return found


def _check_head(lesson: ConvLesson) -> list[Found]:
    found: list[Found] = []
    classes = len(lesson.logits) if lesson.logits else 0
    if lesson.dense:
        flat = features(lesson)
        for i, row in enumerate(lesson.dense.weights):
            if len(row) != flat + 1:
                found.append(
                    Found(
                        ("dense", "weights", i),
                        msg("conv.head_row", i=i + 1, n=len(row), expected=flat + 1, flat=flat),
                    )
                )
        classes = len(lesson.dense.weights)
    if lesson.target is not None:
        if not classes:
            found.append(Found(("target",), msg("conv.target_head"), True))
        elif len(lesson.target) != classes:
            found.append(
                Found(
                    ("target",),
                    msg("conv.target_size", n=len(lesson.target), classes=classes),
                )
            )
        elif min(lesson.target) < 0 or not math.isclose(sum(lesson.target), 1.0, abs_tol=1e-9):
            found.append(
                Found(
                    ("target",),
                    msg("conv.target_probability"),
                )
            )
    if lesson.learning_rate is not None:
        if lesson.learning_rate <= 0:
            found.append(Found(("learning_rate",), msg("check.rate", rate=lesson.learning_rate)))
        elif lesson.target is None or not lesson.dense:
            found.append(Found(("learning_rate",), msg("conv.training"), True))
    return found


def _check_limits(lesson: ConvLesson) -> list[Found]:
    channels = lesson.channels()
    if not channels:
        return []
    rows, cols = len(channels[0]), len(channels[0][0])
    weights = sum(
        len(m) * len(m) * len(kernel.channels())
        for kernel in lesson.kernels
        for m in kernel.channels()[:1]
    )
    if lesson.dense:
        weights += sum(len(row) for row in lesson.dense.weights)
    if weights > MAX_WEIGHTS:
        return [
            Found(
                ("kernels",),
                msg("conv.weights", weights=weights, limit=MAX_WEIGHTS),
                True,
            )
        ]
    cells = sum(h * w for h, w in _map_sizes(lesson, rows, cols))
    per_channel = len(channels) if len(channels) > 1 else 0
    steps = cells * (2 + per_channel) * (2 if lesson.learning_rate else 1)
    steps += features(lesson) * (2 if lesson.learning_rate else 1)
    if steps > MAX_STEPS:
        return [
            Found(
                ("image",),
                msg("conv.steps", steps=steps, limit=MAX_STEPS),
                True,
            )
        ]
    products = sum(
        h * w * len(kernel.channels()) * len(kernel.channels()[0]) ** 2
        for kernel, (h, w) in zip(lesson.kernels, _map_sizes(lesson, rows, cols), strict=False)
    ) * (2 if lesson.learning_rate else 1)
    if products > MAX_PRODUCTS:
        return [
            Found(
                ("kernels",),
                msg("conv.products", products=products, limit=MAX_PRODUCTS),
                True,
            )
        ]
    return []
