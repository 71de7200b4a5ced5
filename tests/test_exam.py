"""The exam workflow: keyed variant ids, the exam header's options, the answer key and the
Moodle question bank.

The Moodle answers are checked against a forward and backward pass written here with numpy
from the data the question itself prints, so a blank is right when a student working from
the question's text would get it, not merely when it repeats the engine.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from stepper.catalog import builtin_folder
from stepper.cli import main
from stepper.engine import solve
from stepper.exam.items import part_letter
from stepper.exam.secret import SECRET_ENV, variant_id, variant_seed
from stepper.i18n import label
from stepper.lesson.load import lesson_from_text
from stepper.lesson.schema import Lesson
from stepper.steps import Step
from stepper.variation import make_variant, make_variants
from tests.conftest import builtin_lesson, compile_latex, solved

#: Moodle's own pattern of a NUMERICAL blank (question/type/multianswer/questiontype.php:
#: ANSWER_START_REGEX with NUMERICAL, then NUMERICAL_ALTERNATIVE_REGEX's number:tolerance).
_NUMBER = r"-?(?:(?:[0-9]+[.,]?[0-9]*|[.,][0-9]+)(?:[eE][-+]?[0-9]+)?)"
BLANK = re.compile(rf"\{{([0-9]*):NUMERICAL:=({_NUMBER}):({_NUMBER})\}}")


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


# -- variant ids and the secret ---------------------------------------------------------------


def test_a_secret_keys_the_variant_with_hmac_sha256() -> None:
    expected = hmac.new(b"s3cret", b"a677ej", hashlib.sha256).digest()
    assert variant_seed("a677ej", "s3cret") == int.from_bytes(expected, "big")
    assert variant_seed("a677ej") == int("a677ej", 36)  # no secret: the id is the seed
    assert variant_id(7, 0, "s3cret") != variant_id(7, 0)
    assert re.fullmatch(r"[0-9a-z]{6}", variant_id(7, 0, "s3cret"))


def test_an_id_regenerates_its_variant_only_with_the_secret() -> None:
    base = builtin_lesson("backprop-1")
    exam = make_variants(base, seed=7, count=5, secret="s3cret")
    for vid, variant in exam:
        assert make_variant(base, vid, "s3cret") == variant
        assert make_variant(base, vid) != variant  # the id alone: other numbers
        assert make_variant(base, vid, "other") != variant
    assert [vid for vid, _ in exam] != [vid for vid, _ in make_variants(base, 7, 5)]


def test_the_command_says_when_anyone_can_regenerate_the_key(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SECRET_ENV, raising=False)
    code, _, err = run(["solve", "backprop-1", "--variants", "2", "--format", "md"], capsys)
    assert code == 0 and "STEPPER_SECRET" in err and "--variant ID" in err
    code, keyed, err = run(
        ["solve", "backprop-1", "--variants", "2", "--format", "md", "--secret", "k"], capsys
    )
    assert code == 0 and err == ""
    monkeypatch.setenv(SECRET_ENV, "k")
    code, from_env, err = run(["solve", "backprop-1", "--variants", "2", "--format", "md"], capsys)
    assert code == 0 and err == "" and from_env == keyed


# -- the exam's header and its options --------------------------------------------------------

EXAM = """\
exam:
  course: Redes neuronales
  instructor: Ana Pérez
  date: 2027-01-20
  points: 2
  instructions: Sin calculadora gráfica.
"""


def _exam_lesson(tmp_path: Path, decimals: int = 3) -> Path:
    base = (builtin_folder() / "backprop-1.yaml").read_text()
    text = base.replace("decimals: 5", f"decimals: {decimals}") + EXAM
    path = tmp_path / "exam.yaml"
    path.write_text(text)
    return path


def test_the_exam_section_loads_and_rejects_unknown_fields(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lesson = lesson_from_text(_exam_lesson(tmp_path).read_text(), "exam.yaml")
    assert lesson.exam is not None and lesson.exam.points == 2
    assert str(lesson.exam.date) == "2027-01-20"
    bad = tmp_path / "bad.yaml"
    bad.write_text(_exam_lesson(tmp_path).read_text().replace("points: 2", "pointz: 2"))
    code, _, err = run(["check", str(bad)], capsys)
    assert code == 2 and re.match(rf"{re.escape(str(bad))}:\d+:\d+: ", err), err


@pytest.mark.parametrize(
    ("extra", "word"),
    [
        (["--points", "0"], "--points"),
        (["--key", "--worksheet"], "--key"),
        (["--key", "--format", "moodle"], "--key"),
        (["--worksheet", "--format", "moodle"], "--worksheet"),
    ],
)
def test_exam_options_that_cannot_be(
    extra: list[str], word: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["solve", "backprop-1", *extra], capsys)
    assert code == 2 and out == "" and err.startswith(word + ": ")


# -- the answer key -----------------------------------------------------------------------------


def test_the_key_lists_every_asked_value_of_every_variant(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["solve", "backprop-1", "--variants", "3", "--seed", "4", "--secret", "k"]
    code, out, _ = run([*args, "--key", "--format", "json"], capsys)
    key = json.loads(out)
    assert code == 0 and len(key["variants"]) == 3 == len(set(key["variants"]))
    base = builtin_lesson("backprop-1")
    for answers in key["answers"]:
        steps = solved_variant(base, answers["variant"], "k")
        assert [i["key"] for i in answers["items"]] == [s.key for s in steps]
        assert [i["shown"] for i in answers["items"]] == [s.shown for s in steps]
        assert answers["items"][0]["exercise"] == 1 and answers["items"][0]["part"] == "a"
    code, md, _ = run([*args, "--key", "--format", "md"], capsys)
    for vid in key["variants"]:
        assert md.count(vid) == 2  # in the cover list, and heading its table


def solved_variant(base: Lesson, vid: str, secret: str | None) -> list[Step]:
    return list(solve(make_variant(base, vid, secret)).steps)


def test_thirty_variants_key_on_a_few_pages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "key.pdf"
    args = ["solve", "backprop-1", "--variants", "30", "--secret", "k", "--key"]
    code, _, _ = run([*args, "--format", "pdf", "-o", str(out)], capsys)
    assert code == 0
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))  # type: ignore[union-attr]
    assert pages <= 6
    text = subprocess.run(
        ["pdftotext", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    ids = re.search(r"Variantes \(30\): ([^\n]+(?:\n[^\n]+)*?)\n\n", text)
    assert ids is not None


def test_parts_are_lettered_past_z() -> None:
    assert [part_letter(k) for k in (0, 1, 25, 26, 27, 51, 52)] == [
        "a", "b", "z", "aa", "ab", "az", "ba"
    ]  # fmt: skip


# -- the Moodle question bank -------------------------------------------------------------------


def _questions(xml: str) -> tuple[ET.Element, list[ET.Element]]:
    quiz = ET.fromstring(xml)
    assert quiz.tag == "quiz"
    return quiz, quiz.findall("question")


def _data(text: str) -> dict[str, float]:
    """The numbers the question gives, by their TeX name: \\(w_{10} = 0.1\\) -> w_{10}."""
    found = re.findall(r"\\\(([^=\\]*?|\\alpha) = (-?[0-9.]+)\\\)", text)
    return {name.strip(): float(value) for name, value in found}


def _by_hand(data: dict[str, float]) -> list[float]:
    """backprop-1's steps worked here with numpy from the question's data: the forward pass,
    ε, ε², δ, each Δw and new w, then the check pass with the new weights."""
    x = np.array([1.0, data["x_{1}"], data["x_{2}"]])
    y = np.array([data["y_{1}"], data["y_{2}"]])
    w = np.array([[data[f"w_{{{i}{j}}}"] for j in range(3)] for i in (1, 2)])
    alpha = data["\\alpha"]

    def forward(w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
        u = w @ x
        out = np.array([u[0], np.tanh(u[1])])
        e = y - out
        return u, out, e, float(e @ e)

    u, out, e, loss = forward(w)
    d = np.array([e[0], e[1] * (1 - out[1] ** 2)])
    values = [u[0], out[0], u[1], out[1], e[0], e[1], loss, d[0], d[1]]
    new = w.copy()
    for i in range(2):
        for j in range(3):
            dw = 2 * alpha * x[j] * d[i]
            new[i, j] = w[i, j] + dw
            values += [dw, new[i, j]]
    u, out, e, loss = forward(new)
    return [*values, u[0], out[0], u[1], out[1], e[0], e[1], loss]


def test_moodle_bank_parses_and_every_blank_is_right(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["solve", "backprop-1", "--variants", "4", "--secret", "k", "--format", "moodle"]
    code, xml, _ = run(args, capsys)
    assert code == 0
    _, questions = _questions(xml)
    category, *clozes = questions
    assert category.get("type") == "category"
    assert category.findtext("category/text") == "$course$/top/stepper/backprop-1"
    assert len(clozes) == 4
    base = builtin_lesson("backprop-1")
    names = set()
    for question in clozes:
        assert question.get("type") == "cloze"
        names.add(question.findtext("name/text"))
        text = question.findtext("questiontext/text") or ""
        assert question.find("questiontext").get("format") == "html"  # type: ignore[union-attr]
        blanks = BLANK.findall(text)
        vid = (question.findtext("idnumber") or "").rsplit("-", 1)[1]
        steps = solved_variant(base, vid, "k")
        assert len(blanks) == len(steps) == text.count("NUMERICAL")
        hand = _by_hand(_data(text))
        for (marks, answer, tolerance), step, worked in zip(blanks, steps, hand, strict=True):
            assert marks == "1"  # backprop-1 gives no points: one each
            assert float(answer) == step.value  # the engine's value, to the last bit
            assert float(tolerance) == pytest.approx(1e-5)  # backprop-1 shows 5 decimals
            assert abs(float(answer) - worked) < 1e-12, step.key
    assert len(names) == 4


@pytest.mark.parametrize("decimals", [0, 3, 7])
def test_moodle_tolerance_follows_the_decimals(
    decimals: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _exam_lesson(tmp_path, decimals)
    code, xml, _ = run(["solve", str(path), "--format", "moodle"], capsys)
    assert code == 0
    _, (_, question) = _questions(xml)
    text = question.findtext("questiontext/text") or ""
    blanks = BLANK.findall(text)
    assert blanks and {float(t) for _, _, t in blanks} == {10.0**-decimals}
    assert {m for m, _, _ in blanks} == {"2"}  # exam: points: 2 per item
    assert "Redes neuronales · Ana Pérez · 2027-01-20" in text
    hand = _by_hand(_data(text))
    assert [float(a) for _, a, _ in blanks] == pytest.approx(hand, abs=1e-12)


def _pmatrix(text: str, name: str) -> np.ndarray:
    found = re.search(rf"\\\({re.escape(name)} = \\begin\{{pmatrix\}}(.*?)\\end\{{pmatrix\}}", text)
    assert found, name
    rows = found.group(1).split(r"\\")
    return np.array([[float(v) for v in row.split("&")] for row in rows])


def test_moodle_gives_a_conv_lessons_grids_as_matrices(capsys: pytest.CaptureFixture[str]) -> None:
    code, xml, _ = run(["solve", "conv-1", "--format", "moodle"], capsys)
    _, (_, question) = _questions(xml)
    text = question.findtext("questiontext/text") or ""
    image, kernel = _pmatrix(text, "x"), _pmatrix(text, "k")
    assert code == 0 and image.shape == (5, 5) and kernel.shape == (3, 3)
    assert "x_{11}" not in text  # the cells are in the matrix, not listed again
    by_hand = [
        float((image[r : r + 3, c : c + 3] * kernel).sum()) for r in range(3) for c in range(3)
    ]
    answers = [float(a) for _, a, _ in BLANK.findall(text)]
    assert answers[:3] == [3, 9, 10]  # the sizes: O = 5 − 3 + 1, V = 3², P = 3² + 1
    assert answers[3:] == by_hand
    assert answers == [s.value for s in solved("conv-1").steps]


# -- the exam sheet -------------------------------------------------------------------------------


def _pdf_text(path: Path) -> str:
    run_ = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return run_.stdout


def test_an_exam_sheet_asks_without_hints_or_answers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lesson = _exam_lesson(tmp_path, 5)
    args = ["solve", str(lesson), "--worksheet=exam", "--instructor", "Luis Gil"]
    code, md, _ = run([*args, "--format", "md"], capsys)
    html = run([*args, "--format", "html"], capsys)[1]
    pdf = tmp_path / "sheet.pdf"
    assert code == 0 and run([*args, "--format", "pdf", "-o", str(pdf)], capsys)[0] == 0
    solution = solve(lesson_from_text(lesson.read_text(), "exam.yaml"))
    given = {q.shown for s in solution.steps for q in s.operands if q.step is None}
    answers = {s.shown.lstrip("-") for s in solution.steps} - given - {"0", "1", "2"}
    for text in (md, html, _pdf_text(pdf).replace("−", "-")):
        for field in ("Nombre", "DNI", "Grupo", "Examen", "Sin calculadora gráfica."):
            assert field in text
        assert "Redes neuronales · Luis Gil · 2027-01-20" in text  # the option over exam:
        assert "Ejercicio 1" in text and "Ejercicio 5" in text and "Ejercicio 6" not in text
        assert "l)" in text  # the update's twelve values: a) to l)
        numbers = set(re.findall(r"\d+\.\d+", text))
        assert not numbers & answers
        for step in solution.steps:  # no explanation, no formula: they are hints
            assert step.explanation[:40] not in text
        assert "tanh(" not in text and "Paso" not in text
    assert md.count(r"\boxed{\phantom{") == len(solution.steps)
    assert html.count('class="box"') == len(solution.steps)


def test_an_answer_box_fits_a_sign_the_integer_digits_and_the_decimals() -> None:
    from stepper.exam.items import items
    from stepper.exam.sheet import width

    solution = solved("backprop-1")
    first = items(solution)[0]  # u₁ = 0.29, shown with up to 5 decimals
    assert width(first, 5) == len("-0.00000")
    assert width(first, 0) == len("-0")


def test_an_exam_sheet_in_a_format_without_one_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(["solve", "backprop-1", "--worksheet=exam", "--format", "json"], capsys)
    assert code == 2 and out == "" and err.startswith("--format: ")


@pytest.mark.parametrize("what", ["--worksheet=exam", "--key"])
def test_sheets_and_key_compile_in_latex_without_overfull_boxes(
    what: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if shutil.which("pdflatex") is None:
        pytest.skip("no pdflatex")
    source = tmp_path / "exam.tex"
    args = ["solve", "backprop-1", "--variants", "4", "--secret", "k", what]
    assert run([*args, "--format", "tex", "-o", str(source)], capsys)[0] == 0
    compile_latex(source)
    assert "Overfull" not in (tmp_path / "exam.log").read_text(errors="replace")


def test_every_worksheet_asks_name_id_and_group(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf = tmp_path / "sheet.pdf"
    args = ["solve", "backprop-1", "--worksheet", "--lang", "en"]
    assert run([*args, "--format", "pdf", "-o", str(pdf)], capsys)[0] == 0
    html = run([*args, "--format", "html"], capsys)[1]
    for text in (_pdf_text(pdf), html):
        assert re.search(r"Name:.*\s*ID:.*\s*Group:", text), text[:400]


@pytest.mark.parametrize("lang", ["es", "en"])
def test_every_worksheet_asks_for_name_id_and_group(lang: str, tmp_path: Path) -> None:
    """An ordinary worksheet asks who fills it in, in every document format, in the
    lesson's language; a solution does not."""
    from stepper.exam.fields import fields
    from stepper.printers import REGISTRY, Options
    from tests.conftest import solved

    solution = solved("backprop-1", lang)
    for fmt in ("md", "tex", "html", "pdf"):
        sheet = REGISTRY[fmt].render(solution, Options(blank="values"))
        answer = REGISTRY[fmt].render(solution, Options())
        if fmt == "pdf":
            (tmp_path / "sheet.pdf").write_bytes(bytes(sheet))
            (tmp_path / "answer.pdf").write_bytes(bytes(answer))
            sheet, answer = _pdf_text(tmp_path / "sheet.pdf"), _pdf_text(tmp_path / "answer.pdf")
        for field in fields(lang):
            assert f"{field}:" in str(sheet), (fmt, field)
            assert f"{field}:" not in str(answer), (fmt, field)


def test_points_follow_the_lessons_decimal_comma(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Half a point per item reads 0,5 in a lesson written with decimal commas, 0.5 else."""
    lesson = _exam_lesson(tmp_path)
    args = ["solve", str(lesson), "--worksheet=exam", "--points", "0.5", "--format", "md"]
    code, md, _ = run(args, capsys)
    assert code == 0 and label("exam.points", "es", points="0.5") in md
    lesson.write_text(lesson.read_text().replace("display:\n", "display:\n  decimal_comma: true\n"))
    code, md, _ = run(args, capsys)
    assert code == 0 and label("exam.points", "es", points="0,5") in md
    assert label("exam.points", "es", points="0.5") not in md
