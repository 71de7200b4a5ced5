"""The command line: ``stepper list | check | solve`` (and ``lesson``), per the contract.

Exit status 0 on success; 2 for bad input (usage, a lesson that does not load, output that
cannot be written), with one ``PATH:LINE:COL: message`` line per problem and no traceback;
1 only for a bug.
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import signal
import sys
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from stepper.lesson.errors import LessonError, Problem, msg, speaking

if TYPE_CHECKING:
    from stepper.lesson.schema import Lesson

EXIT_OK, EXIT_BUG, EXIT_BAD_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is status 2 with a one-line message (argparse's own rule)."""


def build_parser() -> argparse.ArgumentParser:
    from stepper import __version__
    from stepper.messages import DEFAULT_LANGUAGE, languages
    from stepper.printers import REGISTRY
    from stepper.scaffold import STARTERS

    langs = languages()

    parser = _Parser(
        prog="stepper",
        description="A terminal tutor for the arithmetic of neural networks: every u, ỹ, ε, δ "
        "and Δw of a worked example, one quantity at a time.",
    )
    parser.add_argument(
        "--version", action="version", version=f"stepper {__version__}", help="print the version"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "list",
        help="list the built-in lessons: id, kind and title",
        description="List the built-in lessons, one a line: id, kind, title; or, with "
        "--format json, one JSON array of objects with the fields id, kind, title and "
        "language (docs/lessons.md), for scripts.",
    )
    p.add_argument("--lang", choices=langs, help="language of the titles")
    p.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text: one lesson a line (default); json: an array of objects, for scripts",
    )
    _color_option(p)

    p = sub.add_parser(
        "lesson",
        help="step through a lesson (full-screen app, or --plain)",
        description="Step through a lesson one quantity at a time: formula, substitution, "
        "value. Opens the full-screen app; --plain (implied when stdout is not a terminal) runs "
        "a line REPL on stdin/stdout. With no LESSON, first a list of the built-in lessons, "
        "grouped by the lecture's topics, to choose from (in the REPL: by number or id).",
    )
    p.add_argument(
        "lesson",
        metavar="LESSON",
        nargs="?",
        help="built-in id or .yaml path (none: choose from the built-in lessons)",
    )
    screen = p.add_mutually_exclusive_group()
    screen.add_argument("--plain", action="store_true", help="line REPL on stdin/stdout")
    screen.add_argument(
        "--app",
        action="store_true",
        help="the full-screen app even when stdout is not a terminal (as stepper serve runs it)",
    )
    _walk_options(p, langs)
    p.add_argument("--save", metavar="FILE", help="with --quiz: write the answers to FILE")
    _color_option(p)
    p.add_argument(
        "--watch",
        action="store_true",
        help="reload the lesson file whenever it is saved, staying on the same step; a save "
        "that does not load is shown in the app (PATH:LINE:COL) and the last good version stays",
    )

    _serve_command(sub, langs)

    p = sub.add_parser(
        "check",
        help="validate lesson files",
        description="Validate lessons: prints nothing and exits 0 when all are "
        "valid; otherwise one PATH:LINE:COL: message line per problem, exit 2. The messages "
        "are in the language the lesson declares (language:), else in --lang.",
    )
    p.add_argument("lessons", nargs="+", metavar="LESSON", help="built-in id or .yaml path")
    p.add_argument(
        "--lang",
        choices=langs,
        help="language of the messages for a lesson that declares none "
        f"(default: {DEFAULT_LANGUAGE})",
    )

    p = sub.add_parser(
        "solve",
        help="write the worked solution",
        description="Write the worked solution of a lesson.",
    )
    p.add_argument("lesson", metavar="LESSON", help="built-in id or .yaml path")
    p.add_argument(
        "--format", choices=sorted(REGISTRY), default="json", help="output format (default: json)"
    )
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (atomically)")
    p.add_argument(
        "--worksheet",
        nargs="?",
        const="values",
        choices=("values", "all", "exam"),
        help="a worksheet: leave the values blank (values, the default) or also the "
        "substitutions (all); exam: an exam sheet (md, html, tex, pdf) headed with name, ID and "
        "group fields, its items numbered, without the formulas and explanations that are hints",
    )
    p.add_argument("--lang", choices=langs, help="language of explanations and labels")
    p.add_argument(
        "--variants",
        type=int,
        metavar="N",
        help="N exam variants of the lesson (its 'variants:' section), each starting a new page",
    )
    p.add_argument(
        "--seed",
        type=int,
        default=1,
        metavar="S",
        help="with --variants: the exam's seed (default 1)",
    )
    p.add_argument("--variant", metavar="ID", help="exactly the variant printed with this id")
    _exam_options(p)

    p = sub.add_parser(
        "schema",
        help="print the JSON Schema of lesson files (for editors)",
        description="Print the JSON Schema of lesson files, generated from the models that "
        "validate lessons. Save it (stepper schema > stepper-lesson.schema.json) and start a "
        "lesson with the line '# yaml-language-server: $schema=stepper-lesson.schema.json': "
        "an editor with a YAML language server then checks and completes the lesson as it is "
        "typed. stepper check still has the last word.",
    )
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (atomically)")
    p.add_argument(
        "--lang", choices=langs, help="language of the fields' descriptions (default: en)"
    )

    p = sub.add_parser(
        "new",
        help="write a commented starter lesson",
        description="Write NAME.yaml (or NAME, when it ends in .yaml), a starter lesson of "
        "the kind given: a small example that passes stepper check, with a comment above "
        "every field. An existing file is never overwritten.",
    )
    p.add_argument("kind", choices=tuple(STARTERS), metavar="KIND", help=", ".join(STARTERS))
    p.add_argument("name", metavar="NAME", help="the lesson's id and file name")
    p.add_argument(
        "--lang",
        choices=langs,
        default=DEFAULT_LANGUAGE,
        help=f"language of the comments and of the lesson (default: {DEFAULT_LANGUAGE})",
    )

    p = sub.add_parser(
        "completion",
        help="print the shell code that completes stepper's commands (bash, zsh, fish)",
        description="Print the code that makes SHELL complete stepper's commands, options, "
        "built-in lesson ids and .yaml files. Load it from the shell's start-up file: bash, "
        'eval "$(stepper completion bash)" in ~/.bashrc; zsh, the same in ~/.zshrc; fish, '
        "stepper completion fish > ~/.config/fish/completions/stepper.fish.",
    )
    p.add_argument("shell", choices=SHELLS, metavar="SHELL", help=", ".join(SHELLS))
    _completers(parser)
    return parser


def _serve_command(sub: argparse._SubParsersAction[_Parser], langs: tuple[str, ...]) -> None:
    """``stepper serve``'s arguments (the lesson's options that make sense in a browser)."""
    from stepper.serve import DEFAULT_HOST, DEFAULT_PORT

    p = sub.add_parser(
        "serve",
        help="the full-screen app in a browser tab (needs stepper[serve])",
        description="Serve the full-screen app to web browsers through textual-serve: every "
        "tab that opens the address gets its own app, with the same keys. It runs LESSON, or "
        "with no LESSON the list of built-in lessons, and nothing else: a browser sends keys, "
        "never a file name. It listens on 127.0.0.1 (this computer alone) unless --host says "
        "otherwise, and warns when others can reach it. Ctrl+C stops it.",
    )
    p.add_argument(
        "lesson",
        metavar="LESSON",
        nargs="?",
        help="built-in id or .yaml path (none: the list of built-in lessons)",
    )
    p.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"the address to listen on (default: {DEFAULT_HOST}, this computer alone)",
    )
    p.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"the port (default: {DEFAULT_PORT})"
    )
    p.add_argument(
        "--public-url",
        metavar="URL",
        help="the address browsers use, when it is not http://HOST:PORT (behind a proxy)",
    )
    _walk_options(p, langs)


def _walk_options(p: argparse.ArgumentParser, langs: tuple[str, ...]) -> None:
    """The options of a lesson stepped through, in a terminal or a browser alike."""
    p.add_argument("--quiz", action="store_true", help="ask for each value before showing it")
    p.add_argument("--lang", choices=langs, help="language of explanations and labels")


#: The shells ``stepper completion`` writes code for (argcomplete's).
SHELLS = ("bash", "zsh", "fish")


def _color_option(p: argparse.ArgumentParser) -> None:
    from stepper.color import MODES

    p.add_argument(
        "--color",
        choices=MODES,
        default="auto",
        help="colour the output: auto (the default) on a terminal unless NO_COLOR is set, "
        "always, or never",
    )


def _completers(parser: argparse.ArgumentParser) -> None:
    """LESSON arguments complete to built-in ids and .yaml files (choices complete alone)."""
    for action in _every_action(parser):
        if action.metavar == "LESSON":
            action.completer = _complete_lesson  # type: ignore[attr-defined]


def _every_action(parser: argparse.ArgumentParser) -> Iterator[argparse.Action]:
    for action in parser._actions:
        yield action
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                yield from _every_action(child)


def _complete_lesson(prefix: str, **_: object) -> list[str]:
    """Built-in ids that start with ``prefix``, then .yaml files and folders."""
    from argcomplete.completers import FilesCompleter

    from stepper.catalog import builtin_ids

    ids = [i for i in builtin_ids() if i.startswith(prefix)]
    return ids + list(FilesCompleter(("yaml", "yml"))(prefix))


def _exam_options(p: argparse.ArgumentParser) -> None:
    """The exam's options: its answer key, the secret behind its variant ids, its header."""
    from stepper.exam.secret import SECRET_ENV

    p.add_argument(
        "--key",
        action="store_true",
        help="the answer key: one compact table of the asked values per variant, after a "
        "list of the variant ids",
    )
    p.add_argument(
        "--secret",
        metavar="TEXT",
        help="derive the variant ids with this secret (HMAC), so that an id printed on an "
        "exam regenerates nothing without it (default: the environment variable "
        f"{SECRET_ENV}); without a secret anyone can regenerate the key from an id",
    )
    p.add_argument("--course", metavar="TEXT", help="the exam's course (overrides exam: course)")
    p.add_argument("--instructor", metavar="TEXT", help="the exam's instructor")
    p.add_argument("--date", metavar="TEXT", help="the exam's date")
    p.add_argument("--points", type=float, metavar="P", help="points per asked value")
    p.add_argument("--instructions", metavar="TEXT", help="instructions above the exercises")


def _list(args: argparse.Namespace) -> int:
    from stepper.syllabus import syllabus

    # The picker's recorded index (checked against the lessons by the tests): every built-in
    # lesson's kind, language, titles, topic and length, read, neither loaded nor solved.
    topics = {entry.id: (topic.id, entry) for topic in syllabus() for entry in topic.lessons}
    # The fields of `stepper list --format json` (docs/lessons.md); more may be added.
    rows: list[dict[str, str | int]] = [
        {
            "id": entry.id,
            "kind": entry.kind,
            "title": entry.title(args.lang or entry.language),
            "language": entry.language,
            "topic": topic,
            "steps": entry.steps,
        }
        for topic, entry in (topics[lesson_id] for lesson_id in sorted(topics))
    ]
    if args.format == "json":
        import json

        sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    from stepper.color import painter, wanted

    paint = painter(wanted(args.color, sys.stdout))
    width = max((len(str(r["id"])) for r in rows), default=0)
    kinds = max((len(str(r["kind"])) for r in rows), default=0)
    for row in rows:
        # Padded before painting, so that the escapes do not count as width.
        lesson_id, kind = f"{row['id']:<{width}}", f"{row['kind']:<{kinds}}"
        print(f"{paint(lesson_id, 'bold')}  {paint(kind, 'dim')}  {row['title']}")
    return EXIT_OK


def _load(name: str, lang: str | None) -> Lesson:
    """The lesson ``name``; its problems in the language it declares, else in ``lang``."""
    from stepper.api import load

    return load(name, lang=lang)


def _check(args: argparse.Namespace) -> int:
    problems: list[Problem] = []
    for name in args.lessons:
        try:
            _load(name, args.lang)
        except LessonError as exc:
            problems += exc.problems
    for problem in problems:
        print(problem, file=sys.stderr)
    return EXIT_BAD_INPUT if problems else EXIT_OK


def _cannot_write(path: str, exc: OSError) -> Problem:
    """Why ``path`` cannot be written, in plain words."""
    from pathlib import Path

    folder = Path(path).parent
    if not folder.is_dir():
        return Problem(path, msg("cli.no_folder", folder=folder))
    if Path(path).is_dir():
        return Problem(path, msg("cli.is_folder"))
    return Problem(path, msg("cli.cannot_write_file", reason=exc.strerror or exc))


def _solve(args: argparse.Namespace) -> int:
    from stepper import api
    from stepper.printers import REGISTRY

    printer = REGISTRY[args.format]
    if printer.binary and not args.output:
        raise LessonError([Problem("stepper solve", msg("cli.needs_output", format=args.format))])
    header = {k: getattr(args, k) for k in api.HEADER_FIELDS if getattr(args, k) is not None}
    api.check_options(args.format, worksheet=args.worksheet, key=args.key, header=header)
    lesson = _load(args.lesson, args.lang)
    if args.variants is not None or args.variant is not None:
        from stepper.exam.secret import secret_from

        secret = secret_from(args.secret)
        if secret is None:
            print(msg("exam.no_secret"), file=sys.stderr)
        if args.variant is not None:
            drawn = [api.variant(lesson, args.variant, secret=secret)]
        else:
            drawn = api.variants(lesson, args.variants, seed=args.seed, secret=secret)
        solutions = [v.solve(args.lang) for v in drawn]
    else:
        solutions = [api.solve(lesson, args.lang)]
    if len(solutions) == 1 and printer.stream and not args.key and args.worksheet != "exam":
        _write(api.stream(solutions[0], args.format, worksheet=args.worksheet), args.output)
        return EXIT_OK
    document = api.render(
        solutions, args.format, worksheet=args.worksheet, key=args.key, header=header
    )
    _write(document, args.output)
    return EXIT_OK


def _write(document: str | bytes | Iterator[str], output: str | None) -> None:
    """To ``output`` atomically, or to stdout (a streamed document piece by piece)."""
    from stepper.atomic import write_atomic

    if output:
        try:
            write_atomic(output, document)
        except OSError as exc:
            raise LessonError([_cannot_write(output, exc)]) from None
    elif isinstance(document, bytes):
        sys.stdout.buffer.write(document)
    elif isinstance(document, str):
        sys.stdout.write(document)
    else:
        # Pieces gathered into writes of about a megabyte: a step a write is 50,000 system
        # calls for a big lesson when stdout is unbuffered (PYTHONUNBUFFERED, a pipe to less).
        chunk: list[str] = []
        size = 0
        for piece in document:
            chunk.append(piece)
            size += len(piece)
            if size > 1 << 20:
                sys.stdout.write("".join(chunk))
                chunk, size = [], 0
        sys.stdout.write("".join(chunk))


def _lesson(args: argparse.Namespace) -> int:
    from stepper.catalog import resolve

    if args.save and not args.quiz:
        raise LessonError([Problem("--save", msg("cli.save_needs_quiz"))])
    plain = args.plain or not (args.app or sys.stdout.isatty())
    if plain:
        _accept_any_bytes()
    if args.lesson is None:
        _need_no_lesson(args)
        if not plain:
            _app_color(args.color)
            from stepper.tui.app import run_picker

            return run_picker(lang=args.lang, quiz=args.quiz)
        from stepper.messages import DEFAULT_LANGUAGE
        from stepper.picker import choose

        args.lesson = choose(sys.stdin, sys.stdout, args.lang or DEFAULT_LANGUAGE)
        if args.lesson is None:  # the input ended before a lesson was chosen
            return EXIT_OK
    source = resolve(args.lesson)
    if args.watch and source.builtin:
        raise LessonError([Problem(args.lesson, msg("cli.watch_builtin"))])
    if args.watch and plain:
        raise LessonError([Problem("--watch", msg("cli.watch_plain"))])
    if plain:
        from stepper.color import wanted
        from stepper.engine import solve
        from stepper.repl import run_plain

        lesson = _load(args.lesson, args.lang)
        lang = args.lang or lesson.language
        try:
            run_plain(
                solve(lesson, lang),
                lang,
                sys.stdin,
                sys.stdout,
                quiz=args.quiz,
                save=args.save,
                lesson=lesson,
                color=wanted(args.color, sys.stdout),
            )
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise LessonError(
                [Problem(args.save or "-", msg("cli.cannot_write", reason=exc.strerror))]
            ) from None
        return EXIT_OK
    _app_color(args.color)
    from stepper.tui.app import run_app

    return run_app(source, lang=args.lang, quiz=args.quiz, save=args.save, watch=args.watch)


def _need_no_lesson(args: argparse.Namespace) -> None:
    """With no LESSON (the learner picks one), --watch has no file to watch, and --save no
    single lesson whose answers it would hold."""
    if args.watch:
        raise LessonError([Problem("--watch", msg("cli.watch_needs_lesson"))])
    if args.save:
        raise LessonError([Problem("--save", msg("cli.save_needs_lesson"))])


def _accept_any_bytes() -> None:
    """A line that is not UTF-8 is no command: the REPL answers it as one it does not know
    (with U+FFFD where the bytes were), rather than stopping with a traceback."""
    if isinstance(sys.stdin, io.TextIOWrapper):
        sys.stdin.reconfigure(encoding="utf-8", errors="replace")


def _app_color(mode: str) -> None:
    """Tell Textual, which reads only NO_COLOR (set, even empty: monochrome), what ``--color``
    and the environment decided; the app's screen is always a terminal."""
    from stepper.color import wanted

    if wanted(mode, sys.stdout, os.environ | {"FORCE_COLOR": "1"}):
        os.environ.pop("NO_COLOR", None)
    else:
        os.environ["NO_COLOR"] = "1"


def _serve(args: argparse.Namespace) -> int:
    from stepper.serve import run

    run(args)
    return EXIT_OK


def _schema(args: argparse.Namespace) -> int:
    import json

    from stepper.scaffold import json_schema

    schema = json_schema(args.lang) if args.lang else json_schema()
    _write(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", args.output)
    return EXIT_OK


def _completion(args: argparse.Namespace) -> int:
    from argcomplete.shell_integration import shellcode

    sys.stdout.write(shellcode(["stepper"], shell=args.shell))
    return EXIT_OK


def _new(args: argparse.Namespace) -> int:
    from stepper.scaffold import new_lesson

    path = new_lesson(args.kind, args.name, args.lang)
    print(msg("cli.new_done", path=path, kind=args.kind))
    return EXIT_OK


COMMANDS = {
    "list": _list,
    "lesson": _lesson,
    "serve": _serve,
    "check": _check,
    "solve": _solve,
    "schema": _schema,
    "new": _new,
    "completion": _completion,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    if "_ARGCOMPLETE" in os.environ:
        # The shell asks for completions (argcomplete's protocol): answered, then exit.
        import argcomplete

        argcomplete.autocomplete(parser)
    args = parser.parse_args(argv)
    collecting = gc.isenabled()
    if args.command in ("check", "solve"):
        # A run that builds tens of thousands of long-lived objects (steps, quantities) and
        # no cycles: the collector's full passes over them cost a quarter of a big solve.
        gc.disable()
    try:
        # Problems before a lesson is read (a name that is none, an output that cannot be
        # written) are told in --lang; a lesson's own, in the language it declares.
        with speaking(getattr(args, "lang", None)):
            return COMMANDS[args.command](args)
    except LessonError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        # The reader went away (``stepper ... | head``): not an error, and nothing more to say.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        # Ctrl-C: stopped as asked (an output file being written is already removed), with
        # the shell's status for SIGINT and no traceback.
        return 128 + signal.SIGINT
    finally:
        if collecting:
            gc.enable()
