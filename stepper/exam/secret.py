"""Variant ids keyed by the instructor's secret (HMAC-SHA256).

Without a secret a variant's id is the seed of its numbers: anyone who reads the id on an
exam runs ``stepper solve LESSON --variant ID`` and has the full solution. With a secret the
id is only a label: the numbers are drawn from HMAC(secret, id), which nobody can compute
without the secret, and the ids of an exam are HMAC(secret, seed:index), so the seed alone
does not give them either. The same secret and id always give the same variant.
"""

from __future__ import annotations

import hashlib
import hmac
import os

#: The environment variable that holds the secret when ``--secret`` is not given (a secret on
#: the command line may be seen by other users of the machine in the process list).
SECRET_ENV = "STEPPER_SECRET"

_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _digest(secret: str | None, text: str) -> bytes:
    if secret is None:
        return hashlib.sha256(text.encode()).digest()
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).digest()


def variant_id(seed: int, index: int, secret: str | None = None) -> str:
    """The id of the index-th variant of an exam made with ``seed``: 6 base-36 characters."""
    number = int.from_bytes(_digest(secret, f"{seed}:{index}")[:4], "big")
    out = ""
    for _ in range(6):
        number, rest = divmod(number, 36)
        out = _DIGITS[rest] + out
    return out


def variant_seed(vid: str, secret: str | None = None) -> int:
    """The seed of the numbers of variant ``vid``: the id itself read in base 36 without a
    secret (as ids always were, so old exams regenerate), else HMAC(secret, id).

    Raises ValueError when ``vid`` is not a base-36 id.
    """
    number = int(vid, 36)
    if secret is None:
        return number
    return int.from_bytes(_digest(secret, vid.lower()), "big")


def secret_from(option: str | None) -> str | None:
    """The secret of this run: ``--secret``, else the environment's, else none (an empty
    value counts as none: it would key nothing)."""
    value = option if option is not None else os.environ.get(SECRET_ENV)
    return value or None
