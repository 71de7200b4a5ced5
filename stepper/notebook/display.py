"""How a solution and a step show themselves in a notebook (``_repr_html_``,
``_repr_markdown_``): the printers' own HTML and Markdown, cut to a fragment."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stepper.api import Solution
    from stepper.steps import Step


def solution_html(solution: Solution) -> str:
    raise NotImplementedError  # the notebook helper writes it


def solution_markdown(solution: Solution) -> str:
    raise NotImplementedError


def step_html(solution: Solution, step: Step) -> str:
    raise NotImplementedError


def step_markdown(solution: Solution, step: Step) -> str:
    raise NotImplementedError
