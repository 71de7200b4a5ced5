"""The rules of samples given as a category (``x: {category: gato, of: [perro, gato]}``).

The schema says that a category and its list are texts; what it cannot say is that the
category is one of the list, that the list names each category once, that it has one
category per input of the network (the one-hot vector is the input), and that every sample
of a lesson lists the same categories in the same order (else one input would mean "gato" in
one sample and "perro" in the next), and that the lesson does not normalise them (a one-hot
entry is 0 or 1 already; scaled, it would no longer pick a column of W). Like
``stepper.lesson.checks``, these read the plain data and look only at values of the shape
they need, leaving the rest to the schema.
"""

from __future__ import annotations

from typing import Any

from stepper.lesson.checks import Found, _plural
from stepper.lesson.errors import msg


def _names(value: Any) -> list[str] | None:
    """The list ``of`` when it is a list of texts (else the schema reports it)."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None
    return value


def check_categories(training: dict[str, Any], inputs: int | None) -> list[Found]:
    """Every problem of the samples given as a category (``training``'s, a list)."""
    samples: list[Any] = training["samples"]
    normalized = training.get("normalize") is not None
    found: list[Found] = []
    first: tuple[int, list[str]] | None = None
    for k, sample in enumerate(samples, 1):
        x = sample.get("x") if isinstance(sample, dict) else None
        if not isinstance(x, dict):
            continue
        here = ("training", "samples", k - 1, "x")
        if normalized:
            found.append(Found(here, msg("check.category_normalize", k=k), on_key=True))
        of = _names(x.get("of"))
        if of is None or not of:
            continue
        repeated = [n for n, name in enumerate(of) if name in of[:n]]
        for n in repeated:
            found.append(
                Found((*here, "of", n), msg("check.category_twice", k=k, name=of[n], at=n + 1))
            )
        if inputs is not None and len(of) != inputs:
            found.append(
                Found(
                    (*here, "of"),
                    msg(
                        "check.category_inputs",
                        k=k,
                        count=_plural(len(of), "category"),
                        inputs=_plural(inputs, "input"),
                    ),
                )
            )
        category = x.get("category")
        if isinstance(category, str) and category and category not in of:
            found.append(
                Found(
                    (*here, "category"),
                    msg("check.category_unknown", k=k, name=category, of=", ".join(of)),
                )
            )
        if first is None:
            first = (k, of)
        elif of != first[1] and not repeated:
            found.append(Found((*here, "of"), msg("check.category_list", k=k, first=first[0])))
    return found
