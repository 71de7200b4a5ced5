"""The file ``--save`` writes: gradable, written by one function, and documented as it is.

What a grader relies on is checked on a quiz played here line by line: the lesson's id and a
hash of its numbers, per question the expected value, every answer with its time stamp, the
hints, how each answer was judged and the mistake named. The guide's example must have the
same fields as a real file, and ``--save`` without ``--quiz`` is refused before anything runs.
"""

from __future__ import annotations

import json
import re
import typing
from datetime import UTC, datetime
from pathlib import Path

import pytest

from stepper.catalog import resolve
from stepper.cli import main
from stepper.engine import solve
from stepper.lesson.load import lesson_from_text
from stepper.quiz import Mistake, Score, mark, write_answers
from stepper.quiz.marking import Judged
from stepper.quiz.saved import as_json, content_hash
from stepper.walking import Walk
from tests.conftest import solved

GUIDE = Path(__file__).parent.parent / "docs" / "lessons.md"
WHEN = datetime(2026, 12, 6, 17, 30, 0, tzinfo=UTC)


def played(lines: list[str]) -> tuple[Walk, Score]:
    """backprop-1 quizzed with ``lines``, moving on after each right answer or reveal."""
    walk, score = Walk(solved("backprop-1"), first_stage=0), Score()
    for text in lines:
        if mark(walk, score, text, WHEN).done:
            walk.next()
    return walk, score


def test_the_saved_file_holds_what_a_grader_needs(tmp_path: Path) -> None:
    walk, score = played(["0.3", "h", "0,29", "0.29", "r", "0.1194", "0.09", "-0.09"])
    path = tmp_path / "answers.json"
    write_answers(path, walk.solution, score)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert not list(tmp_path.glob(".*"))  # written atomically: no temporary file left
    assert (data["format"], data["version"]) == ("stepper-quiz", 1)
    assert data["lesson"]["id"] == "backprop-1"
    assert re.fullmatch(r"[0-9a-f]{64}", data["lesson"]["sha256"])
    assert data["rule"] == {"significant_digits": 3, "decimals": 5}
    assert (data["asked"], data["right"], data["right_first_try"], data["revealed"]) == (5, 4, 2, 1)
    u1, y1, u2, y2, e1 = data["questions"]
    assert (u1["key"], u1["symbol"], u1["expected"], u1["shown"]) == ("u[1,1]", "u₁", 0.29, "0.29")
    assert [(a["text"], a["judged"], a["diagnosis"], a["hints_before"]) for a in u1["answers"]] == [
        ("0.3", "wrong", "precision", 0),
        ("0,29", "exact", None, 1),
    ]
    assert u1["answers"][0]["at"] == "2026-12-06T17:30:00+00:00"
    assert u1["hints"] == 1 and u1["hinted_at"] == ["2026-12-06T17:30:00+00:00"]
    assert u1["right"] and not u1["right_first"]
    assert y1["right_first"] and y1["judged"] == "exact"
    assert u2["revealed"] and u2["revealed_at"] and not u2["right"] and u2["answers"] == []
    assert y2["judged"] == "rounded" and y2["expected"] == pytest.approx(0.1194272985)
    assert [a["diagnosis"] for a in e1["answers"]] == ["sign_error", None]


def test_the_hash_follows_the_numbers_not_the_language() -> None:
    """Two learners who answered the same lesson in Spanish and English share the hash; a
    lesson whose learning rate was changed does not."""
    text = resolve("backprop-1").path.read_text(encoding="utf-8")
    assert "learning_rate: 0.1\n" in text
    changed = lesson_from_text(text.replace("learning_rate: 0.1\n", "learning_rate: 0.2\n"), "x")
    es, en = solved("backprop-1", "es"), solved("backprop-1", "en")
    assert content_hash(es) == content_hash(en)
    assert content_hash(solve(changed)) != content_hash(es)


def test_the_guide_shows_the_fields_of_a_real_file() -> None:
    """docs/lessons.md's example of a saved file has exactly the keys the program writes."""
    guide = GUIDE.read_text(encoding="utf-8")
    section = guide[guide.index("### Saved quiz answers") :]
    example = json.loads(section[section.index("```json") + 7 : section.index("```\n", 10)])
    walk, score = played(["0.3", "h", "0,29"])
    real = as_json(walk.solution, score, WHEN)

    def keys(tree: dict[str, object]) -> set[str]:
        return set(tree)

    assert keys(example) == keys(real)
    assert keys(example["lesson"]) == keys(real["lesson"])  # type: ignore[arg-type]
    assert keys(example["rule"]) == keys(real["rule"])  # type: ignore[arg-type]
    question = example["questions"][0]  # type: ignore[index]
    assert keys(question) == keys(real["questions"][0])  # type: ignore[index]
    assert keys(question["answers"][0]) == keys(real["questions"][0]["answers"][0])  # type: ignore[index]


def test_save_without_quiz_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "answers.json"
    status = main(["lesson", "backprop-1", "--plain", "--save", str(target), "--lang", "en"])
    assert status == 2
    err = capsys.readouterr().err
    assert err == "--save: needs --quiz: only a quiz has answers to save (add --quiz)\n"
    assert not target.exists()


def test_the_guide_names_every_judgement_and_mistake() -> None:
    """Each value ``judged`` and ``diagnosis`` can take is explained in the guide's section."""
    guide = GUIDE.read_text(encoding="utf-8")
    section = guide[guide.index("### Saved quiz answers") :]
    section = section[: section.index("\n## ")]
    for name in (*typing.get_args(Judged), *typing.get_args(Mistake)):
        assert f"`{name}`" in section, name
