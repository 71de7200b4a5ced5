"""Every text a learner reads, looked up by message id in one catalogue per language.

The catalogues are gettext files, ``stepper/locale/<lang>/LC_MESSAGES/stepper.po``, the form
translation tools (Weblate, Poedit, pybabel) read and write. Each ``msgid`` is a message id
(``explain.u``, ``key.next``, ``field.Layer.weights``) and its ``msgstr`` the text: a
``str.format`` template with named placeholders (``{i}``; a literal brace is doubled). Keeping
the words as data means a text is changed in one place, and a language is added by adding a
catalogue: the languages offered (``--lang``, a lesson's ``language``) are the catalogues present.

A text that counts something ("por cada uno de los {count} kernels") is a plural entry
(``msgid_plural``, its msgid repeated) with one ``msgstr[k]`` per plural form of the language,
chosen by the catalogue's own ``Plural-Forms`` rule (Spanish has three forms, English two): so
one kernel is never "los 1 kernels". Ask for it with ``plural(msg_id, n, lang)``.

A new text gets a new id in every catalogue, in the same place; ``tests/test_messages.py``
checks that every id is in every language with the same placeholders, that every id the code
asks for exists and that every message is asked for. English is the source language: a message
a catalogue lacks (or leaves empty, or marks fuzzy) is shown in English, as gettext shows the
source text. A catalogue is parsed with Babel the first time one of its texts is needed, once
per process (about 10 ms of CPU: 6 to import Babel's reader, 4 to read one catalogue), so a
run that shows no text pays nothing for it.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import NamedTuple

#: Where the catalogues live: one folder per language, as gettext lays them out.
LOCALE_DIR = os.path.join(os.path.dirname(__file__), "locale")
#: The gettext domain: the file name of every catalogue.
DOMAIN = "stepper"
#: The language of a lesson that names none (the lecture's); listed first.
DEFAULT_LANGUAGE = "es"
#: The language every message exists in, and the one a missing message falls back to.
SOURCE_LANGUAGE = "en"


def catalogue_path(lang: str, folder: str | None = None) -> str:
    """The file that holds the texts of ``lang``."""
    return os.path.join(folder or LOCALE_DIR, lang, "LC_MESSAGES", f"{DOMAIN}.po")


def languages(folder: str | None = None) -> tuple[str, ...]:
    """The languages with a catalogue: the default language first, then the rest by code."""
    folder = folder or LOCALE_DIR
    try:
        found = [
            entry.name
            for entry in os.scandir(folder)
            if entry.is_dir() and os.path.isfile(catalogue_path(entry.name, folder))
        ]
    except FileNotFoundError:
        return ()
    return tuple(sorted(found, key=lambda lang: (lang != DEFAULT_LANGUAGE, lang)))


class Texts(NamedTuple):
    """One language's catalogue: its texts, its plural texts (every form, in the order of its
    rule) and its rule, the index of the form for a count."""

    texts: dict[str, str]
    plurals: dict[str, tuple[str, ...]]
    form: Callable[[int], int]


@functools.cache
def _read(lang: str, folder: str | None) -> Texts:
    """The catalogue of ``lang``, read once per process; a language without one has no texts
    (every lookup then falls back to English)."""
    if lang not in languages(folder):
        return Texts({}, {}, _english_form)
    import gettext

    from babel.messages.pofile import read_po

    with open(catalogue_path(lang, folder), "rb") as handle:
        parsed = read_po(handle, ignore_obsolete=True)
    texts: dict[str, str] = {}
    plurals: dict[str, tuple[str, ...]] = {}
    for message in parsed:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, tuple):
            forms = tuple(str(form) for form in message.string or ())
            if all(forms):
                plurals[str(message.id[0])] = forms
        elif message.string:
            texts[str(message.id)] = str(message.string)
    return Texts(texts, plurals, gettext.c2py(parsed.plural_expr))


def _english_form(n: int) -> int:
    return 0 if n == 1 else 1


def catalogue(lang: str, folder: str | None = None) -> dict[str, str]:
    """The texts of ``lang`` by message id (plural texts apart: ``plural``)."""
    return _read(lang, folder).texts


def lookup(msg_id: str, lang: str) -> str | None:
    """The template of ``msg_id`` in ``lang`` (in English when ``lang`` lacks it), or None
    when no catalogue holds it."""
    template = catalogue(lang, LOCALE_DIR).get(msg_id)
    if template is None and lang != SOURCE_LANGUAGE:
        template = catalogue(SOURCE_LANGUAGE, LOCALE_DIR).get(msg_id)
    return template


def plural(msg_id: str, n: int, lang: str, /, **fields: object) -> str:
    """The plural text ``msg_id`` in ``lang`` in the form its rule gives for ``n`` (in English
    when ``lang`` lacks it), its placeholders filled with ``fields``. KeyError when no catalogue
    holds it."""
    for language in dict.fromkeys((lang, SOURCE_LANGUAGE)):
        read = _read(language, LOCALE_DIR)
        forms = read.plurals.get(msg_id)
        if forms is not None:
            return forms[min(read.form(n), len(forms) - 1)].format(**fields)
    raise KeyError(msg_id)


def text(msg_id: str, lang: str, /, **fields: object) -> str:
    """The text ``msg_id`` in ``lang``, its placeholders filled with ``fields``. An id that no
    catalogue holds is a bug in the caller: KeyError."""
    template = lookup(msg_id, lang)
    if template is None:
        raise KeyError(msg_id)
    return template.format(**fields)
