"""A lesson's problems are told in its language: the one the file declares (even when the rest
of the file is not valid YAML), else ``--lang``, else the lecture's Spanish. The shape stays
``PATH:LINE:COL: message`` with exit status 2."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from stepper.catalog import builtin_folder
from stepper.cli import main

BAD_INPUT = 2


def lesson_file(tmp_path: Path, language: str | None, old: str, new: str) -> Path:
    """backprop-1 with ``old`` replaced by ``new``, declaring ``language`` (or none)."""
    text = (builtin_folder() / "backprop-1.yaml").read_text(encoding="utf-8")
    assert old in text and "\nlanguage: es\n" in text
    text = text.replace(old, new, 1)
    text = text.replace("\nlanguage: es\n", f"\nlanguage: {language}\n" if language else "\n")
    path = tmp_path / f"broken-{language or 'none'}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def check(capsys: pytest.CaptureFixture[str], *argv: str) -> list[str]:
    """The problem lines of ``stepper check``, which must exit 2 and print nothing else."""
    code = main(["check", *argv])
    out, err = capsys.readouterr()
    assert (code, out) == (BAD_INPUT, "")
    lines = err.splitlines()
    assert lines and all(re.fullmatch(r".+:\d+:\d+: \S.*", line) for line in lines), err
    return lines


SHORT_ROW = ("- [0.5, 0.4, -0.6]", "- [0.5, 0.4]")


def test_a_spanish_lesson_is_told_in_spanish_and_an_english_one_in_english(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The second weights row of backprop-1 cut to two values (line 27 without language:
    line 26 once the line is gone)."""
    spanish = lesson_file(tmp_path, "es", *SHORT_ROW)
    assert check(capsys, str(spanish)) == [
        f"{spanish}:27:11: la fila de pesos 2 de la capa 1 tiene 2 valores; se esperaban 3: "
        "el sesgo w_20 y uno por cada entrada"
    ]
    english = lesson_file(tmp_path, "en", *SHORT_ROW)
    assert check(capsys, str(english)) == [
        f"{english}:27:11: weights row 2 of layer 1 has 2 values; expected 3: "
        "the bias w_20 and one per input"
    ]
    # The file's own language wins over --lang (it is the lesson's language).
    assert "la fila de pesos 2" in check(capsys, str(spanish), "--lang", "en")[0]


def test_a_lesson_that_declares_no_language_is_told_in_lang_else_in_spanish(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = lesson_file(tmp_path, None, *SHORT_ROW)
    assert check(capsys, str(path))[0].endswith(
        ":26:11: la fila de pesos 2 de la capa 1 tiene 2 valores; se esperaban 3: "
        "el sesgo w_20 y uno por cada entrada"
    )
    assert "weights row 2 of layer 1 has 2 values" in check(capsys, str(path), "--lang", "en")[0]


def test_a_file_that_is_not_yaml_is_told_in_the_language_it_declares(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A tab where YAML wants spaces: nothing can be parsed, yet the top-level language line
    is read."""
    tab = ("  learning_rate: 0.1", "\tlearning_rate: 0.1")
    spanish = check(capsys, str(lesson_file(tmp_path, "es", *tab)))
    assert (
        len(spanish) == 1 and "un tabulador: YAML sangra y separa solo con espacios" in spanish[0]
    )
    english = check(capsys, str(lesson_file(tmp_path, "en", *tab)))
    assert "a tab character: YAML indents and separates with spaces only" in english[0]


def test_the_schemas_messages_are_told_in_the_lessons_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """pydantic's errors (a wrong type, an unknown field, a value not in a list) are worded
    by the catalogue, not by pydantic."""
    path = lesson_file(
        tmp_path, "es", "  learning_rate: 0.1", "  learning_rate: '0,1'\n  lost: sse"
    )
    lines = check(capsys, str(path))
    assert lines == [
        f"{path}:29:18: training.learning_rate: se esperaba un número, pero hay el texto '0,1' "
        "(un número entre comillas o con coma; escríbelo tal cual)",
        f"{path}:30:3: campo desconocido 'lost'; ¿querías decir 'loss'?",
    ]
    typo = lesson_file(tmp_path, "es", "  loss: sse", "  loss: mse")
    assert check(capsys, str(typo)) == [
        f"{typo}:30:9: training.loss: el texto 'mse' no está permitido; se esperaba uno de "
        "'sse', 'half_sse' o 'cross_entropy'; ¿querías decir 'sse'?"
    ]


def test_a_missing_file_is_told_in_lang(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.yaml"
    code = main(["check", str(missing), "--lang", "en"])
    assert (code, capsys.readouterr().err) == (BAD_INPUT, f"{missing}: no such file\n")
    code = main(["check", str(missing)])
    assert (code, capsys.readouterr().err) == (BAD_INPUT, f"{missing}: no existe ese fichero\n")


def test_a_name_that_is_no_lesson_is_told_in_lang(capsys: pytest.CaptureFixture[str]) -> None:
    """Before any lesson is read the command line has only --lang (else Spanish)."""
    assert main(["solve", "backprop-9", "--lang", "en"]) == BAD_INPUT
    assert capsys.readouterr().err.startswith(
        "backprop-9: no built-in lesson with this id and no such file; built-in: "
    )
    assert main(["solve", "backprop-9"]) == BAD_INPUT
    assert capsys.readouterr().err.startswith(
        "backprop-9: no hay ninguna lección incorporada con este id ni ese fichero; incorporadas: "
    )


def test_a_number_that_overflows_is_told_in_the_lessons_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Found by the engine, not the loader: solve speaks the lesson's language too."""
    path = lesson_file(tmp_path, "es", "- [0.1, -0.2, 0.3]", "- [0.1, 1e308, 1e308]")
    assert main(["solve", str(path)]) == BAD_INPUT
    err = capsys.readouterr().err
    assert err.startswith(f"{path}:") and "se desborda (los números pasan de 10^308)" in err
