"""The Python API: ``load``, ``solve``, ``variants`` and ``render``, the same four things the
command line does, for programs and notebooks that want solutions without a subprocess.

The command line is a thin layer over these functions, so the two cannot drift apart: the
same lesson gives the same steps and the same documents either way. Bad input raises one
exception, :class:`~stepper.lesson.errors.LessonError`, whose ``problems`` are the CLI's
``PATH:LINE:COL: message`` lines; the library never prints a traceback or anything else.

Nothing here imports sympy until a lesson is solved: loading and validating is cheap.
``docs/api.md`` documents every name, and is part of the contract.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from stepper.lesson.errors import LessonError, Problem, msg, speaking

if TYPE_CHECKING:
    from stepper import steps as engine
    from stepper.exam.header import ExamHeader
    from stepper.lesson.schema import Lesson
    from stepper.printers import Options, Printer
    from stepper.printers.document import Blank

#: What ``render`` may be asked for besides the plain solution: a worksheet with the values
#: blank (True or "values"), with the substitutions blank too ("all"), or an exam sheet.
Worksheet = bool | Literal["values", "all", "exam"] | None

#: The exam header fields an instructor may give over the lesson's ``exam:`` section.
HEADER_FIELDS = ("course", "instructor", "date", "points", "instructions")

#: The most variants one call draws: an exam for a large class, and a bound on the work.
MAX_VARIANTS = 500


def load(source: str | os.PathLike[str] | Lesson, *, lang: str | None = None) -> Lesson:
    """The lesson ``source`` names: a built-in id (``"backprop-1"``) or the path of a YAML
    file, validated. A lesson already loaded is returned as it is.

    Its problems are told in the language the file declares, else in ``lang``.
    """
    from stepper.catalog import resolve
    from stepper.lesson.load import load_lesson
    from stepper.lesson.schema import Lesson

    if isinstance(source, Lesson):
        return source
    with speaking(lang):
        found = resolve(os.fspath(source))
        return load_lesson(found.path, found.shown, lang)


def solve(lesson: str | os.PathLike[str] | Lesson, lang: str | None = None) -> Solution:
    """The worked solution of ``lesson`` (a Lesson, or what ``load`` accepts), in ``lang``
    (default: the lesson's own language)."""
    return _solve(load(lesson, lang=lang), lang, None)


def _solve(lesson: Lesson, lang: str | None, variant_id: str | None) -> Solution:
    from stepper.engine import solve as work_out

    with speaking(lang):
        return Solution(work_out(lesson, lang), lesson, variant_id)


@dataclass(frozen=True, slots=True)
class Variant:
    """One exam variant: the id printed on it and the lesson with its drawn numbers."""

    id: str
    lesson: Lesson

    def solve(self, lang: str | None = None) -> Solution:
        """The variant's solution, which prints the variant's id on its documents."""
        return _solve(self.lesson, lang, self.id)


def variants(
    lesson: str | os.PathLike[str] | Lesson,
    n: int,
    *,
    seed: int = 1,
    secret: str | None = None,
) -> list[Variant]:
    """``n`` distinct exam variants of ``lesson`` (its ``variants:`` section), in order.

    The same ``seed`` (and ``secret``) gives the same variants and ids, as ``stepper solve
    --variants N --seed S`` does. With a ``secret`` an id regenerates nothing without it.
    """
    from stepper.variation import make_variants

    loaded = load(lesson)
    if not 1 <= n <= MAX_VARIANTS:
        raise LessonError([Problem("n", msg("cli.variants_count"))])
    return [Variant(vid, drawn) for vid, drawn in make_variants(loaded, seed, n, secret)]


def variant(
    lesson: str | os.PathLike[str] | Lesson, vid: str, *, secret: str | None = None
) -> Variant:
    """Exactly the variant printed with the id ``vid``."""
    from stepper.variation import make_variant

    return Variant(vid, make_variant(load(lesson), vid, secret))


class Dependency(NamedTuple):
    """A quantity a step reads: its key, and the number ``n`` of the step that computed it,
    or None for a number the lesson gives."""

    key: str
    n: int | None


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a solution with the fields of the JSON solution (the contract's names).

    ``formula`` and ``substituted`` are LaTeX, ``substituted_text`` a plain expression that
    evaluates to ``value`` up to the rounding of its numbers, ``shown`` the value as printed.
    """

    n: int
    key: str
    phase: str
    iteration: int
    sample: int | None
    formula: str
    substituted: str
    substituted_text: str
    value: Any
    shown: str
    explanation: str
    formula_unicode: str
    substituted_unicode: str
    depends_on: tuple[Dependency, ...]
    note: str | None = None
    exact_value: float | None = None
    _solution: Solution | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The step as the JSON solution writes it."""
        from stepper.printers.json_printer import step_record

        return step_record(self._engine_step())

    def _engine_step(self) -> engine.Step:
        assert self._solution is not None
        return self._solution.solved.steps[self.n - 1]

    def _repr_html_(self) -> str:
        from stepper.notebook.display import step_html

        assert self._solution is not None
        return step_html(self._solution, self._engine_step())

    def _repr_markdown_(self) -> str:
        from stepper.notebook.display import step_markdown

        assert self._solution is not None
        return step_markdown(self._solution, self._engine_step())


class Solution:
    """A lesson worked out: its steps, and every document that can be printed from them.

    ``solved`` is the engine's own solution, which the printers read; ``lesson`` the lesson
    it was worked from.
    """

    __slots__ = ("__dict__", "lesson", "solved", "variant_id")

    def __init__(self, solved: engine.Solution, lesson: Lesson, variant_id: str | None) -> None:
        self.solved = solved
        self.lesson = lesson
        self.variant_id = variant_id

    def __repr__(self) -> str:
        return (
            f"<Solution {self.id!r} ({self.kind}, {self.language}): {len(self.solved.steps)} steps>"
        )

    @property
    def id(self) -> str:
        return self.solved.lesson_id

    @property
    def title(self) -> str:
        return self.solved.title

    @property
    def kind(self) -> str:
        return self.solved.kind

    @property
    def language(self) -> str:
        return self.solved.language

    @cached_property
    def steps(self) -> tuple[Step, ...]:
        """Every step, in the order the learner meets them."""
        return tuple(self._record(s) for s in self.solved.steps)

    def _record(self, engine_step: engine.Step) -> Step:
        from stepper.printers.json_printer import step_record

        record = step_record(engine_step)
        record["depends_on"] = tuple(Dependency(d["key"], d["n"]) for d in record["depends_on"])
        return Step(**record, _solution=self)

    def __len__(self) -> int:
        return len(self.solved.steps)

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps)

    def step(self, key: str, *, iteration: int | None = None, sample: int | None = None) -> Step:
        """The step with ``key`` (``"d[1,2]"``), in ``iteration`` and for ``sample`` when given.

        A key that no step has, or one that several steps share when the iteration or sample
        is not given, raises KeyError saying which there are, in the solution's language.
        """
        found = [
            s
            for s in self.solved.steps
            if s.key == key
            and (iteration is None or s.iteration == iteration)
            and (sample is None or s.sample == sample)
        ]
        with speaking(self.language):
            if not found:
                raise KeyError(msg("api.no_step", key=key))
            if len(found) > 1:
                places = ", ".join(f"iteration={s.iteration} sample={s.sample}" for s in found[:6])
                raise KeyError(msg("api.many_steps", key=key, count=len(found), places=places))
        if "steps" in self.__dict__:
            return self.steps[found[0].n - 1]
        return self._record(found[0])  # one step's formulas, not every step's

    def to_json(self, *, worksheet: bool = False) -> str:
        """The JSON solution, as ``stepper solve --format json`` writes it."""
        text = render([self], "json", worksheet=worksheet)
        assert isinstance(text, str)
        return text

    def render(
        self,
        format: str = "html",
        *,
        worksheet: Worksheet = None,
        key: bool = False,
        header: Mapping[str, str | float] | None = None,
    ) -> str | bytes:
        """This solution as a document: what ``stepper solve --format FORMAT`` writes
        (bytes for pdf). ``worksheet``, ``key`` and ``header`` are as in :func:`render`."""
        return render([self], format, worksheet=worksheet, key=key, header=header)

    def _repr_html_(self) -> str:
        from stepper.notebook.display import solution_html

        return solution_html(self)

    def _repr_markdown_(self) -> str:
        from stepper.notebook.display import solution_markdown

        return solution_markdown(self)


def render(
    solutions: Sequence[Solution],
    format: str = "html",
    *,
    worksheet: Worksheet = None,
    key: bool = False,
    header: Mapping[str, str | float] | None = None,
) -> str | bytes:
    """``solutions`` (one lesson, or an exam's variants, each on its own page) as one document
    in ``format``: json, md, tex, html, pdf or moodle (bytes for pdf, text otherwise).

    ``worksheet``: True or "values" leaves the values blank, "all" the substitutions too,
    "exam" makes exam sheets (md, html, tex, pdf). ``key`` makes the answer key instead.
    ``header`` gives the exam's course, instructor, date, points and instructions over the
    lesson's ``exam:`` section.
    """
    printer = _printer(format)
    check_options(format, worksheet=worksheet, key=key, header=header)
    if not solutions:
        raise LessonError([Problem("solutions", msg("api.no_solutions"))])
    documents = [(s.solved, _options(s, worksheet, header)) for s in solutions]
    if key or worksheet == "exam":
        from stepper.exam.key import render_key
        from stepper.exam.sheet import render_sheet

        return (render_key if key else render_sheet)(format, documents)
    if len(documents) == 1:
        return printer.render(*documents[0])
    if printer.render_many is None:
        raise LessonError([Problem("--format", msg("cli.variants_format", format=format))])
    return printer.render_many(documents)


def _printer(format: str) -> Printer:
    from stepper.printers import REGISTRY

    if format not in REGISTRY:
        formats = ", ".join(REGISTRY)
        raise LessonError(
            [Problem("--format", msg("api.no_format", format=format, formats=formats))]
        )
    return REGISTRY[format]


def check_options(
    format: str,
    *,
    worksheet: Worksheet = None,
    key: bool = False,
    header: Mapping[str, str | float] | None = None,
) -> None:
    """Refuse options that cannot go together, before any work: the command line checks
    them before it reads the lesson, and ``render`` checks them again."""
    _printer(format)
    _blank(worksheet)
    _header_fields(header or {})
    if key and worksheet:
        raise LessonError([Problem("--key", msg("cli.key_worksheet"))])
    if key and format == "moodle":
        raise LessonError([Problem("--key", msg("cli.key_moodle"))])
    if worksheet and format == "moodle":
        raise LessonError([Problem("--worksheet", msg("cli.moodle_worksheet"))])
    if worksheet == "exam":
        from stepper.exam.sheet import WRITERS

        if format not in WRITERS:
            formats = ", ".join(WRITERS)
            raise LessonError(
                [Problem("--format", msg("cli.sheet_format", formats=formats, format=format))]
            )


def _blank(worksheet: Worksheet) -> Blank:
    if worksheet in (None, False):
        return "none"
    if worksheet in (True, "values", "exam"):
        return "values"
    if worksheet == "all":
        return "all"
    raise LessonError([Problem("--worksheet", msg("api.no_worksheet", worksheet=worksheet))])


def _options(
    solution: Solution, worksheet: Worksheet, header: Mapping[str, str | float] | None
) -> Options:
    from stepper.printers import Options

    return Options(
        blank=_blank(worksheet),
        comma=solution.lesson.display.decimal_comma,
        variant=solution.variant_id,
        exam=_header(solution, header or {}),
    )


def _header_fields(given: Mapping[str, str | float]) -> float | None:
    """Refuse a field the header has not, or points that are none; return the points."""
    unknown = sorted(set(given) - set(HEADER_FIELDS))
    if unknown:
        fields = ", ".join(HEADER_FIELDS)
        raise LessonError([Problem(unknown[0], msg("api.no_header_field", fields=fields))])
    points = given.get("points")
    if points is None:
        return None
    if isinstance(points, bool) or not isinstance(points, int | float) or not 0 < points <= 1000:
        raise LessonError([Problem("--points", msg("cli.points"))])
    return float(points)


def _header(solution: Solution, given: Mapping[str, str | float]) -> ExamHeader:
    """The exam's header: the lesson's ``exam:`` section with the fields given over it."""
    from stepper.exam.header import exam_header

    points = _header_fields(given)
    lesson = solution.lesson

    def field_of(name: str) -> str | None:
        value = given.get(name)
        return None if value is None else str(value)

    return exam_header(
        lesson.exam,
        solution.language,
        lesson.language,
        course=field_of("course"),
        instructor=field_of("instructor"),
        date=field_of("date"),
        points=points,
        instructions=field_of("instructions"),
    )


def stream(
    solution: Solution, format: str = "json", *, worksheet: Worksheet = None
) -> Iterator[str]:
    """The document piece by piece where its format streams (json), else in one piece: the
    command line writes a large lesson to stdout this way without holding it whole."""
    printer = _printer(format)
    check_options(format, worksheet=worksheet)
    if worksheet == "exam":
        raise LessonError([Problem("--worksheet", msg("api.no_worksheet", worksheet=worksheet))])
    options = _options(solution, worksheet, None)
    if printer.stream is not None:
        pieces: Iterator[str] = printer.stream(solution.solved, options)
        return pieces
    document = printer.render(solution.solved, options)
    if isinstance(document, bytes):
        raise LessonError([Problem("stepper solve", msg("cli.needs_output", format=format))])
    return iter((document,))
