"""The plain picker: ``stepper lesson --plain`` with no LESSON (or stdout not a terminal).

It prints the built-in lessons numbered, grouped by the lecture's topics, and reads a number
or an id. Anything else is answered and asked again, so a learner at a screen reader is never
thrown out for a typo; the end of input leaves quietly, as the REPL's own ``quit`` does, so a
script that feeds nothing is not an error. The chosen lesson then runs in the REPL on the same
input.
"""

from __future__ import annotations

from typing import TextIO

from stepper.i18n import label
from stepper.syllabus import numbered, syllabus


def listing(lang: str) -> str:
    """The numbered list: each topic's name, then its lessons as ``n  id  title · length``."""
    width = max(len(entry.id) for entry in numbered())
    blocks: list[str] = []
    n = 0
    for topic in syllabus():
        rows = [topic.name(lang)]
        for entry in topic.lessons:
            n += 1
            rows.append(f"{n:>3}  {entry.id:<{width}}  {entry.title(lang)} · {entry.length(lang)}")
        blocks.append("\n".join(rows))
    return "\n\n".join(blocks) + "\n"


def choose(lines: TextIO, out: TextIO, lang: str) -> str | None:
    """Print the list, then read until a line names a lesson; None at the end of input."""
    entries = numbered()
    ids = {entry.id for entry in entries}
    out.write(listing(lang) + "\n")
    # A prompt for a learner at a terminal; a script's input is read as it comes, as the
    # REPL reads it, so that its output holds the list and the lesson alone.
    isatty = getattr(lines, "isatty", None)
    asking = bool(isatty and isatty())
    while True:
        if asking:
            out.write(label("picker.prompt", lang) + " ")
            out.flush()
        line = lines.readline()
        if not line:
            return None
        answer = line.strip()
        if answer.isdecimal() and 1 <= int(answer) <= len(entries):
            return entries[int(answer) - 1].id
        if answer in ids:
            return answer
        if answer:
            out.write(label("picker.unknown", lang, answer=answer, last=len(entries)) + "\n")
