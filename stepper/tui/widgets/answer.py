"""The quiz's answer box: an Input that lets ``q`` through, so that q quits from anywhere.

An answer is a number, ``h`` or ``r``: a ``q`` typed there is the learner leaving, and without
this the box would take it as text (and hide every letter key from the footer).
"""

from __future__ import annotations

from textual.widgets import Input

#: Keys the box never takes as text: the walk's priority bindings run them instead.
PASSED_ON = frozenset({"q"})


class AnswerBox(Input):
    """The box where a quiz answer is typed."""

    def check_consume_key(self, key: str, character: str | None = None) -> bool:
        return key not in PASSED_ON and super().check_consume_key(key, character)
