"""The lesson's picture for the terminal: the layout of its kind, drawn in Rich cells.

The app's screens, the plain REPL and the Markdown printer ask this one function, which picks
the layout by the kind of lesson (the network, the image and its kernels, the contour plot).
It is headless on purpose (Rich only, never Textual), and a test checks that importing it
loads no Textual.
"""

from __future__ import annotations

from rich.console import RenderableType

from stepper.pictures import render_rich
from stepper.pictures.network import network_scene
from stepper.steps import Solution


def picture(
    solution: Solution, revealed: int, current: int | None, lang: str, width: int
) -> RenderableType:
    """The picture of ``solution`` with ``steps[:revealed]`` written in, ``current`` (an index
    into ``solution.steps``, or None) highlighted, at most ``width`` cells wide."""
    if solution.optimize is not None:  # the contour lines of f, and the iterates' paths on them
        from stepper.pictures.contour_terminal import ContourPicture

        return ContourPicture(solution, revealed, current, lang, width)
    if solution.conv is not None:  # a conv lesson is drawn as the blackboard's image ∗ kernel
        from stepper.pictures.conv import conv_scene

        return render_rich.render(conv_scene(solution, revealed, current, lang, width))
    return render_rich.render(network_scene(solution, revealed, current, lang, width))
