"""The printed working gives the boxed value: every substitution a document prints, redone by
hand from the numbers it shows, rounds to the value printed after it (or the value is marked
≈); a sum leaves out the terms a computed 0 makes 0. Long lessons stay readable: steps 0 for
one reason are one group, and an explanation is printed once per run.

The hand calculation is this file's own: the substitution's text is parsed with ``ast`` and
worked out in exact fractions (floats only inside exp, log, tanh and sqrt), then rounded as a reader
rounds, a half away from zero. Nothing of the engine's arithmetic or rounding is used.
"""

from __future__ import annotations

import ast
import math
import operator
import re
from fractions import Fraction
from itertools import pairwise

import numpy as np
import pytest

from stepper import formulas
from stepper.catalog import builtin_ids
from stepper.printers import REGISTRY, Options
from stepper.printers.document import Document, build_document
from stepper.printers.grouping import ZeroGroup
from stepper.printers.pdf import typst_source
from stepper.steps import Solution
from tests.conftest import solved

_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
_CALLS = {"exp": math.exp, "log": math.log, "tanh": math.tanh, "sqrt": math.sqrt}


def by_hand(text: str) -> Fraction:
    """The value of a printed substitution (Python syntax), exactly where it can be."""

    def walk(node: ast.expr) -> Fraction:
        if isinstance(node, ast.Constant):
            return Fraction(str(node.value))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -walk(node.operand)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            return _BINARY[type(node.op)](walk(node.left), walk(node.right))  # type: ignore[no-any-return]
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            power = walk(node.right)
            assert power.denominator == 1, text
            return walk(node.left) ** int(power)
        assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name), text
        args = [walk(a) for a in node.args]
        name = node.func.id
        if name == "max":
            return max(args)
        if name == "min":
            return min(args)
        if name == "floor":
            return Fraction(math.floor(args[0]))
        if name == "heaviside":
            return Fraction(1 if args[0] > 0 else 0)
        if name == "equal":
            return Fraction(1 if args[0] == args[1] else 0)
        return Fraction(_CALLS[name](float(args[0])))

    return walk(ast.parse(text, mode="eval").body)


def rounded(value: Fraction, decimals: int) -> Fraction:
    """``value`` to ``decimals`` places, a half away from zero."""
    scale = 10**decimals
    magnitude = Fraction(math.floor(abs(value) * scale + Fraction(1, 2)), scale)
    return magnitude if value >= 0 else -magnitude


def printed_working(solution: Solution) -> list[tuple[int, str, str, bool]]:
    """(step, substitution as text, boxed value, marked ≈) for every step a solution prints
    with a substitution of numbers."""
    doc = build_document(solution)
    out = []
    for section in doc.sections:
        for step in section.steps:
            worked = doc.substitution(step)
            if not step.operands:
                continue
            text = formulas.substituted(worked, "text")
            if text == formulas.number(step.shown, "text", alone=True):
                continue  # δ = ε = 0.5: no working to redo
            out.append((step.n, text, step.shown, doc.rounded(step)))
    return out


@pytest.mark.parametrize("lesson_id", builtin_ids())
def test_every_printed_substitution_gives_the_boxed_value(lesson_id: str) -> None:
    solution = solved(lesson_id)
    places = solution.decimals
    unit = Fraction(1, 10**places)
    for n, text, boxed, approximate in printed_working(solution):
        hand = by_hand(text)
        if approximate:
            # ≈ only where no few more digits would do, and then it is the nearest rounding.
            assert rounded(hand, places) != Fraction(boxed), (n, text, boxed)
            assert abs(hand - Fraction(boxed)) <= unit, (n, text, boxed)
        else:
            assert rounded(hand, places) == Fraction(boxed), (n, text, boxed, float(hand))


def test_classify_1_shows_the_digits_its_working_needs() -> None:
    """The issue's two cases: Δw₂₂ = 0.5·0.5·0.758 gives 0.1895 by hand, not the boxed 0.189,
    and −log(0.242) gives 1.419, not 1.417: each shows δ₂ and ỹ₂ with a digit more, in every
    format."""
    solution = solved("classify-1")
    tex_24 = r"0.5 \cdot 0.5 \cdot 0.7576 = 0.189"
    for fmt in ("md", "tex"):
        document = REGISTRY[fmt].render(solution, Options())
        assert isinstance(document, str)
        assert tex_24 in document, fmt
        assert r"1 \cdot \log{\left(0.2424 \right)}" in document, fmt
        assert r"0.5 \cdot 0.5 \cdot 0.758 =" not in document, fmt
    html = REGISTRY["html"].render(solution, Options())
    assert isinstance(html, str)
    assert "<mn>0.7576</mn>" in html and "<mn>0.2424</mn>" in html
    typst = typst_source([build_document(solution)])
    assert "0.7576" in typst and "0.2424" in typst


def test_a_value_no_digits_can_reach_is_marked_rounded() -> None:
    """kernels-1's conv[4,1,3] is 5.3125 exactly, from the lesson's own numbers, and is shown
    as 5.312: no digit more helps, so the value reads ≈ in every format."""
    solution = solved("kernels-1")
    step = next(s for s in solution.steps if s.key == "conv[4,1,3]")
    doc = build_document(solution)
    assert doc.rounded(step)
    assert by_hand(formulas.substituted(doc.substitution(step), "text")) == Fraction("5.3125")
    markdown = REGISTRY["md"].render(solution, Options())
    assert isinstance(markdown, str)
    assert r"\approx 5.312" in markdown
    html = REGISTRY["html"].render(solution, Options())
    assert isinstance(html, str) and "\u2248</mo><mn>5.312</mn>" in html
    assert re.search(r"approx (thick )?#value\[\$5\.312\$\]", typst_source([doc]))


def test_cnn_1_sums_leave_out_the_terms_a_lost_error_makes_zero() -> None:
    """Δk₁₁ is α times sixteen products, twelve of them 0 · x (cells that lost the pooling):
    the printed sum keeps the four others, and the document says once why."""
    solution = solved("cnn-1")
    doc = build_document(solution)
    step = next(s for s in solution.steps if s.key == "dk[1,1,1,1]")
    printed = formulas.substituted(doc.substitution(step), "text")
    assert printed == "0.5*(0.1389*0.9 + (-0.0521)*0.1 + 0.1042*0.8)"
    assert len(formulas.rhs_formula(step, "text").split("+")) == 16  # the formula stays whole
    markdown = REGISTRY["md"].render(solution, Options())
    assert isinstance(markdown, str)
    assert markdown.count("no se escriben los términos con un factor 0") == 1
    assert r"0 \cdot 0.8 +" not in markdown


def test_a_worksheet_prints_the_working_as_the_engine_has_it() -> None:
    """A worksheet's blanks stand for the learner's own results: no digits added, no terms
    left out (which would tell where a 0 is)."""
    for blank in ("values", "all"):
        doc = build_document(solved("cnn-1"), blank=blank)  # type: ignore[arg-type]
        assert doc.working == {}


# --- steps 0 for the same reason, explanations said once per run ------------------------------


def _groups(doc: Document) -> list[ZeroGroup]:
    return [item for s in doc.sections for item in s.items if isinstance(item, ZeroGroup)]


def test_cnn_1_groups_the_cells_that_lost_the_pooling() -> None:
    """The cells of cnn-1's ReLU map that are not the maximum of their 2×2 pooling window get
    no error: worked out here with numpy from the lesson's image and kernel, they are the
    twelve δᵃ of one group, and the twelve δᶜ of another (0 · [a > 0])."""
    image = np.array(
        [
            [0.9, 0.8, 0.1, 0.0, 0.1, 0.2],
            [0.8, 0.95, 0.2, 0.1, 0.0, 0.1],
            [0.9, 0.7, 0.1, 0.2, 0.1, 0.05],
            [0.75, 0.8, 0.0, 0.1, 0.2, 0.15],
            [0.7, 0.9, 0.1, 0.0, 0.1, 0.2],
            [0.9, 0.8, 0.2, 0.1, 0.0, 0.1],
        ]
    )
    kernel = np.array([[0.5, 0, -0.5]] * 3)
    relu = np.array(
        [
            [max(0.0, (image[i : i + 3, j : j + 3] * kernel).sum() + 0.1) for j in range(4)]
            for i in range(4)
        ]
    )
    lost = set()
    for i in (0, 2):
        for j in (0, 2):
            window = relu[i : i + 2, j : j + 2]
            winner = np.unravel_index(window.argmax(), window.shape)
            lost |= {(i + r + 1, j + c + 1) for r in range(2) for c in range(2)} - {
                (i + winner[0] + 1, j + winner[1] + 1)
            }
    assert len(lost) == 12
    doc = build_document(solved("cnn-1"))
    groups = _groups(doc)
    cells = [
        {tuple(map(int, s.key.split("[")[1][:-1].split(",")))[1:] for s in g.steps} for g in groups
    ]
    assert [g.steps[0].key.split("[")[0] for g in groups] == ["drelu", "dconv"]
    assert cells == [lost, lost]
    assert groups[0].numbers() == "54, 56\u201365, 68"
    markdown = REGISTRY["md"].render(solved("cnn-1"), Options())
    assert isinstance(markdown, str)
    assert "**Pasos 54, 56–65, 68**" in markdown and "**Paso 56**" not in markdown
    assert "su δᵃ es 0 y multiplica a todo lo demás" in markdown


@pytest.mark.parametrize("lesson_id", builtin_ids())
def test_groups_lose_no_step(lesson_id: str) -> None:
    """Every step is printed once, alone or in a group, and a group holds only zeros."""
    solution = solved(lesson_id)
    doc = build_document(solution)
    printed = [
        s.n
        for section in doc.sections
        for item in section.items
        for s in (item.steps if isinstance(item, ZeroGroup) else (item,))
    ]
    assert sorted(printed) == [s.n for s in solution.steps]
    for group in _groups(doc):
        assert len(group.steps) >= 3
        assert all(s.value == 0 and s.shown == "0" for s in group.steps)
    assert not _groups(build_document(solution, blank="values"))


@pytest.mark.parametrize("lesson_id", ["cnn-1", "conv-2", "backprop-2", "optimizers-1"])
def test_an_explanation_is_printed_once_per_run(lesson_id: str) -> None:
    """Two explanations in a row are never the same words (cnn-1's check phase gave the ReLU's
    sentence sixteen times), in a solution or a worksheet, Markdown or HTML."""
    for blank in ("none", "values"):
        markdown = REGISTRY["md"].render(solved(lesson_id), Options(blank=blank))  # type: ignore[arg-type]
        assert isinstance(markdown, str)
        paragraphs = [
            p for p in markdown.split("\n\n") if p and p[0] not in "*#$|`>\\" and "$$" not in p
        ]
        assert all(a != b for a, b in pairwise(paragraphs)), lesson_id
        html = REGISTRY["html"].render(solved(lesson_id), Options(blank=blank))  # type: ignore[arg-type]
        assert isinstance(html, str)
        why = re.findall(r'<p class="why">(.*?)</p>', html)
        assert len(why) > 3 and all(a != b for a, b in pairwise(why)), lesson_id


def test_a_large_value_to_many_decimals_is_not_marked_rounded() -> None:
    """normalize-1 shows six decimals of values in the thousands: min(3500, 1000, 5000) is
    exactly its boxed 1000, and 1050.36 its sum, not "≈" (the float slack once outgrew half
    the rounding step); a value really off by more than half the step still is."""
    from stepper.printers.working import rounds_to

    assert rounds_to(1000.0, "1000", 6)
    assert rounds_to(0.3 * 1.2 + 0.3 * 3500, "1050.36", 6)
    assert not rounds_to(1000.0000006, "1000", 6)
    assert rounds_to(1000.0000004, "1000", 6)
