"""Why each step is what it is: the explanation of each kind of step, from the catalogues.

The engine picks an explanation by the kind of step (``u``, ``d.tanh``, ``opt.adam.step``) and
fills it with the step's own symbols, so the words always name the quantities the formula
shows. The texts are the messages ``explain.<kind>`` of ``stepper.messages``; lessons may add
notes of their own.
"""

from __future__ import annotations

from stepper.messages import plural, text


def explain(key: str, lang: str, **fields: object) -> str:
    """The explanation ``key`` in ``lang``, filled with the step's symbols and numbers."""
    return text(f"explain.{key}", lang, **fields)


def explain_count(key: str, count: int, lang: str, **fields: object) -> str:
    """The explanation ``key`` in the plural form for ``count`` things (``{count}``)."""
    return plural(f"explain.{key}", count, lang, count=count, **fields)
