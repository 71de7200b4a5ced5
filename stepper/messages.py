"""Every text a learner reads, looked up by message id in one catalogue per language.

The catalogues are gettext files, ``stepper/locale/<lang>/LC_MESSAGES/stepper.po``, the form
translation tools (Weblate, Poedit, pybabel) read and write. Each ``msgid`` is a message id
(``explain.u``, ``key.next``, ``field.Layer.weights``) and its ``msgstr`` the text: a
``str.format`` template with named placeholders (``{i}``; a literal brace is doubled). Keeping
the words as data means a text is changed in one place, and a language is added by adding a
catalogue: the languages offered (``--lang``, a lesson's ``language``) are the catalogues present.

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


@functools.cache
def catalogue(lang: str, folder: str | None = None) -> dict[str, str]:
    """The texts of ``lang`` by message id, read from its catalogue once per process; a
    language without a catalogue has no texts (every lookup then falls back to English)."""
    if lang not in languages(folder):
        return {}
    from babel.messages.pofile import read_po

    with open(catalogue_path(lang, folder), "rb") as handle:
        parsed = read_po(handle, ignore_obsolete=True)
    return {
        str(message.id): str(message.string)
        for message in parsed
        if message.id and message.string and not message.fuzzy
    }


def lookup(msg_id: str, lang: str) -> str | None:
    """The template of ``msg_id`` in ``lang`` (in English when ``lang`` lacks it), or None
    when no catalogue holds it."""
    template = catalogue(lang, LOCALE_DIR).get(msg_id)
    if template is None and lang != SOURCE_LANGUAGE:
        template = catalogue(SOURCE_LANGUAGE, LOCALE_DIR).get(msg_id)
    return template


def text(msg_id: str, lang: str, /, **fields: object) -> str:
    """The text ``msg_id`` in ``lang``, its placeholders filled with ``fields``. An id that no
    catalogue holds is a bug in the caller: KeyError."""
    template = lookup(msg_id, lang)
    if template is None:
        raise KeyError(msg_id)
    return template.format(**fields)
