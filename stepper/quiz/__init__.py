"""The quiz, headless: is a typed answer right, which mistake explains it, what to save.

Shared by the app and --plain, which only render what ``mark`` decides:

- ``typed``: a typed number and the rounding rule (exactly as shown, or rounded to the
  answer's own decimals with enough digits);
- ``recompute``: a step's formula evaluated with other numbers (the learner's own, for
  follow-through marking, or a mistake's);
- ``mistakes``: the classic mistakes, each worked out from the step itself;
- ``marking``: the Score, its Records, and ``mark`` that turns a typed line into a Verdict;
- ``saved``: the file ``--save`` writes, for an instructor to grade.
"""

from stepper.quiz.marking import Attempt, Record, Score, Verdict, mark, question, rule
from stepper.quiz.mistakes import Diagnosis, Mistake, Mistakes
from stepper.quiz.saved import write_answers
from stepper.quiz.typed import Typed, parse_answer, read

__all__ = [
    "Attempt",
    "Diagnosis",
    "Mistake",
    "Mistakes",
    "Record",
    "Score",
    "Typed",
    "Verdict",
    "mark",
    "parse_answer",
    "question",
    "read",
    "rule",
    "write_answers",
]
