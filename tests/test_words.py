"""What the printed documents say in words: an exam variant's text speaks of the variant's own
numbers, and a worksheet, in any format, gives no answer away.

The documents are read as text (HTML without its tags and style, the PDF through poppler's
pdftotext) and their decimal numbers compared with numbers taken from the lesson files and the
solution's steps, so a printer that slips one in anywhere, prose or table or picture, is caught.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from html import unescape
from pathlib import Path

import pytest

from stepper.catalog import builtin_ids
from stepper.cli import main
from stepper.engine import solve
from stepper.lesson.load import lesson_from_text
from stepper.lesson.schema import DenseLesson
from stepper.numbers import decimal_comma, given, pretty
from stepper.printers import REGISTRY, Options
from stepper.steps import Solution
from stepper.variation import make_variants, summary_of
from tests.conftest import builtin_lesson, solved

#: A decimal number (unsigned), not the tail of a longer number nor glued to a letter (𝑤10).
DECIMAL = re.compile(r"(?<![\w.,])\d+\.\d+(?![\w.])")
_MARKUP = re.compile(r"<style.*?</style>|<script.*?</script>|<[^>]*>", re.S)
#: The scale of a text plot (its y ticks before ┤, its x axis): places, not values.
_TICKS = re.compile(r"[−-]?[\d.]+┤|^\s*x(?:\s+[−-]?[\d.]+)+\s*$", re.M)


def as_text(document: str | bytes, fmt: str, tmp_path: Path) -> str:
    """What a reader of the document reads: HTML without markup, the PDF's text, a text plot
    without its scale."""
    if fmt == "pdf":
        assert isinstance(document, bytes)
        path = tmp_path / "doc.pdf"
        path.write_bytes(document)
        run = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, timeout=60, check=True
        )
        return run.stdout.replace("\u2212", "-")
    assert isinstance(document, str)
    return unescape(_MARKUP.sub(" ", document)) if fmt == "html" else _TICKS.sub(" ", document)


def decimals(text: str) -> set[str]:
    return set(DECIMAL.findall(text))


def lesson_numbers(lesson: DenseLesson) -> set[str]:
    """Every number a dense lesson states, as the documents write it (unsigned)."""
    found = {given(w) for layer in lesson.network.layers for row in layer.weights for w in row}
    for sample in lesson.training.samples:
        found |= {given(v) for v in [*sample.x, *(sample.y or [])]}
    if lesson.training.learning_rate is not None:
        found.add(given(lesson.training.learning_rate))
    return {n.lstrip("-") for n in found}


def shown_numbers(solution: Solution) -> set[str]:
    """Every number the solution's steps show: values and the operands they read."""
    found = {s.shown for s in solution.steps}
    found |= {q.shown for s in solution.steps for q in s.operands}
    return {n.lstrip("-") for n in found}


def needs(fmt: str) -> list[pytest.MarkDecorator]:
    if fmt != "pdf":
        return []
    return [pytest.mark.skipif(shutil.which("pdftotext") is None, reason="no pdftotext")]


ROOT = Path(__file__).parent.parent
FORMATS = [pytest.param(fmt, marks=needs(fmt)) for fmt in ("md", "tex", "html", "json", "pdf")]
VARIANT_FORMATS = [*FORMATS, "moodle"]


# -- exam variants ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", VARIANT_FORMATS)
def test_no_variant_quotes_a_base_lesson_number_it_changed(fmt: str, tmp_path: Path) -> None:
    """A base-lesson number that the variant changed (and that none of its own steps shows)
    appears nowhere in the variant's document: not in its summary, notes, tables or pictures."""
    base = builtin_lesson("backprop-1")
    assert isinstance(base, DenseLesson)
    theirs = lesson_numbers(base)
    would_catch = []
    for vid, variant in make_variants(base, seed=7, count=5):
        solution = solve(variant)
        changed = theirs - lesson_numbers(variant) - shown_numbers(solution)
        assert changed, vid  # else the variant tests nothing
        document = REGISTRY[fmt].render(solution, Options(variant=vid))
        leaked = decimals(as_text(document, fmt, tmp_path)) & changed
        assert not leaked, f"variant {vid} ({fmt}) quotes the lesson's {sorted(leaked)}"
        assert solution.summary and vid not in solution.summary
        would_catch.append(bool(decimals(str(base.summary)) & changed))
    # The check would have seen the lesson's own summary, had the variants kept it.
    assert all(would_catch[:2]), would_catch


def test_a_variant_summary_gives_the_variant_data() -> None:
    base = builtin_lesson("backprop-1")
    (_, variant), *_ = make_variants(base, seed=7, count=1)
    sample = variant.training.samples[0]
    assert sample.y is not None
    x = ", ".join(pretty(given(v)) for v in sample.x)
    y = ", ".join(pretty(given(v)) for v in sample.y)
    alpha = given(variant.training.learning_rate or 0)
    es = solve(variant).summary or ""
    en = solve(variant, "en").summary or ""
    assert f"el par x = [{x}], y = [{y}] con α = {alpha}." in es
    assert f"The sample x = [{x}], y = [{y}] is presented with α = {alpha}." in en
    assert es.startswith("Esta variante de examen") and en.startswith("This exam variant")


def test_a_variant_with_several_samples_lists_them_in_order() -> None:
    base = builtin_lesson("backprop-1")
    data = base.model_dump()
    data["training"]["samples"] = [{"x": [0.3, 0.5], "y": [0.1, -0.4]}, {"x": [0.2, 0.9]}]
    lesson = DenseLesson.model_validate(data)
    assert summary_of(lesson, "es").split(". ")[1] == (
        "Se presentan, en este orden, (x = [0.3, 0.5], y = [0.1, −0.4]) y (x = [0.2, 0.9]) "
        "con α = 0.1"
    )
    assert "Presented in this order: (x = [0.3, 0.5], y = [0.1, −0.4]) and (x = [0.2, 0.9])" in (
        summary_of(lesson, "en")
    )


# -- worksheets ---------------------------------------------------------------------------------


def answers(solution: Solution) -> set[str]:
    """The decimal values the steps compute that the lesson does not give (a given weight
    may equal a computed value: seeing it is no answer)."""
    givens = {q.shown.lstrip("-") for s in solution.steps for q in s.operands if q.step is None}
    computed = {s.shown.lstrip("-") for s in solution.steps}
    return {n for n in computed - givens if DECIMAL.fullmatch(n)}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("lesson_id", builtin_ids())
def test_no_worksheet_contains_an_answer(lesson_id: str, fmt: str, tmp_path: Path) -> None:
    """No computed value anywhere in a worksheet, in any format: not in a step, an explanation,
    a note (JSON's too), a table or a picture."""
    solution = solved(lesson_id)
    wanted = answers(solution)
    for blank in ("values", "all"):
        document = REGISTRY[fmt].render(solution, Options(blank=blank))
        leaked = decimals(as_text(document, fmt, tmp_path)) & wanted
        assert not leaked, f"{lesson_id} {fmt} {blank}: {sorted(leaked)[:10]}"


# -- words for students ---------------------------------------------------------------------------

IMPLEMENTATION = re.compile(r"sympy|numpy|python|float|stepper", re.I)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_no_word_for_students_names_the_implementation(lang: str) -> None:
    for lesson_id in builtin_ids():
        solution = solved(lesson_id, lang)
        words = [solution.title, solution.summary or ""]
        words += [s.explanation + (s.note or "") for s in solution.steps]
        named = {m.group(0) for text in words for m in IMPLEMENTATION.finditer(text)}
        assert not named, (lesson_id, lang, named)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_arrow_and_the_logarithm_are_explained_once_where_they_first_appear(
    lang: str,
) -> None:
    arrow = {"es": "La flecha →", "en": "The arrow →"}[lang]
    log = {"es": "log es el logaritmo natural", "en": "log is the natural logarithm"}[lang]
    for lesson_id in builtin_ids():
        steps = solved(lesson_id, lang).steps
        arrows = [s for s in steps if arrow in s.explanation]
        updates = [s for s in steps if s.relation == "→"]
        assert len(arrows) == min(1, len(updates)), lesson_id
        assert arrows == updates[:1], lesson_id
        logs = [s for s in steps if log in s.explanation]
        with_log = [s for s in steps if s.template == "loss" and s.params == ("cross_entropy",)]
        assert logs == with_log[:1], lesson_id
    assert any(arrow in s.explanation for s in solved("backprop-1", lang).steps)
    assert any(log in s.explanation for s in solved("classify-1", lang).steps)
    assert any(log in s.explanation for s in solved("cnn-1", lang).steps)


def test_a_function_with_a_logarithm_says_which_at_its_first_value() -> None:
    text = (ROOT / "lessons" / "descent-1.yaml").read_text(encoding="utf-8")
    lesson = lesson_from_text(text.replace("x**2 + 10*y**2", "log(1 + x**2) + y**2"), "log")
    steps = solve(lesson, "en").steps
    said = [s.key for s in steps if "log is the natural logarithm" in s.explanation]
    assert said == [steps[0].key] == ["f"]


# -- decimal commas -------------------------------------------------------------------------------

#: A number with a decimal comma followed by ", " and another number: "2,0, 1,0".
AMBIGUOUS = re.compile(r"\d(?:,|\{,\})\d+, [−-]?\d|\d, [−-]?\d+(?:,|\{,\})\d")


@pytest.mark.parametrize("fmt", ["md", "tex", "html"])
def test_a_list_of_decimal_comma_numbers_is_separated_by_semicolons(fmt: str) -> None:
    """With decimal commas no list reads "2,0, 1,0 y 0,1" (is it three numbers or five?):
    its items are separated by ";" as in the lecture's "x = [0,1; 0,7]"."""
    for lesson_id in builtin_ids():
        lesson = builtin_lesson(lesson_id)
        display = lesson.display.model_copy(update={"decimal_comma": True})
        solution = solve(lesson.model_copy(update={"display": display}))
        document = str(REGISTRY[fmt].render(solution, Options(comma=True)))
        text = unescape(_MARKUP.sub(" ", document)) if fmt == "html" else document
        found = AMBIGUOUS.search(text)
        assert found is None, (lesson_id, text[found.start() - 60 : found.end() + 20])
    classify = solve(builtin_lesson("classify-1"))
    assert "2,0; 1,0 y 0,1" in decimal_comma(classify.summary or "")


def test_decimal_comma_lists() -> None:
    assert decimal_comma("los logits 2.0, 1.0 y 0.1") == "los logits 2,0; 1,0 y 0,1"
    assert decimal_comma("x = [1, 0.5], y = [0, 1, 0]") == "x = [1; 0,5], y = [0, 1, 0]"
    assert decimal_comma("(−1.5, 2)", "{,}") == "(−1{,}5; 2)"
    assert decimal_comma("w[1,2] = 0.5; las neuronas 1, 2 y 3") == (
        "w[1,2] = 0,5; las neuronas 1, 2 y 3"
    )


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f.values[0] != "json"])
@pytest.mark.parametrize("lesson_id", builtin_ids())
def test_no_exam_sheet_contains_an_answer(lesson_id: str, fmt: str, tmp_path: Path) -> None:
    """The exam sheet (--worksheet=exam) neither: its data, items and boxes give no value a
    step computes."""
    out = tmp_path / f"sheet.{fmt}"
    assert main(["solve", lesson_id, "--worksheet=exam", "--format", fmt, "-o", str(out)]) == 0
    document = out.read_bytes() if fmt == "pdf" else out.read_text(encoding="utf-8")
    leaked = decimals(as_text(document, fmt, tmp_path)) & answers(solved(lesson_id))
    assert not leaked, f"{lesson_id} {fmt}: {sorted(leaked)[:10]}"


def test_one_more_problem_is_singular() -> None:
    from stepper.messages import plural

    assert plural("watch.more", 1, "es", n=1) == "… y 1 problema más"
    assert plural("watch.more", 3, "en", n=3) == "… and 3 more problems"
