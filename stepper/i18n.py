"""Labels of the app, the plain REPL and the printed documents, from the catalogues.

Explanations of steps are ``stepper.explain``; this module names everything else a learner
reads: phase names, key descriptions, prompts, quiz messages. The texts are messages of
``stepper.messages``, where their id is the label's name.
"""

from __future__ import annotations

from stepper.messages import text


def label(name: str, lang: str, /, **fields: object) -> str:
    """The label ``name`` in ``lang`` (in English when ``lang`` has no text for it), filled
    with ``fields``."""
    return text(name, lang, **fields)
