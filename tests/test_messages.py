"""The message catalogues: every text in every language with the same placeholders, every id
the code asks for present, and a language added by adding a catalogue and nothing else.

The catalogues are read here with Babel directly, not through ``stepper.messages``, so a
fault in the lookup cannot hide a fault in the files.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import string
import subprocess
import sys
import textwrap
import typing
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from stepper import messages
from stepper.lesson import schema
from stepper.quiz import Mistake
from stepper.steps import Phase

ROOT = Path(__file__).parent.parent
PACKAGE = ROOT / "stepper"
LOCALE = PACKAGE / "locale"
#: The languages the contract promises (``--lang es|en``).
CONTRACT_LANGUAGES = ("es", "en")


def read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def texts(lang: str) -> dict[str, str]:
    """The messages of ``lang`` as the file holds them (plural messages apart)."""
    catalogue = read(LOCALE / lang / "LC_MESSAGES" / "stepper.po")
    return {str(m.id): str(m.string) for m in catalogue if m.id and not m.pluralizable}


def plurals(lang: str) -> dict[str, tuple[str, ...]]:
    """The plural messages of ``lang``: every form, in the order of the language's rule."""
    catalogue = read(LOCALE / lang / "LC_MESSAGES" / "stepper.po")
    return {str(m.id[0]): tuple(m.string) for m in catalogue if m.pluralizable}


def every_id(lang: str) -> set[str]:
    return set(texts(lang)) | set(plurals(lang))


def placeholders(template: str) -> set[tuple[str, str, str | None]]:
    """Name, format spec and conversion of every placeholder; ValueError when ``template`` is
    not a valid ``str.format`` template (a lone brace)."""
    return {
        (name, spec or "", conversion)
        for _, name, spec, conversion in string.Formatter().parse(template)
        if name is not None
    }


# --- The files ---------------------------------------------------------------------------------


def test_the_contract_languages_have_catalogues_default_first() -> None:
    assert messages.languages() == CONTRACT_LANGUAGES
    assert sorted(p.name for p in LOCALE.iterdir()) == sorted(CONTRACT_LANGUAGES)


@pytest.mark.parametrize("lang", CONTRACT_LANGUAGES)
def test_every_message_is_in_every_language_with_the_same_placeholders(lang: str) -> None:
    source = texts(messages.SOURCE_LANGUAGE)
    here = texts(lang)
    assert len(source) > 250
    assert here.keys() == source.keys(), set(here) ^ set(source)
    for msg_id, template in here.items():
        assert template.strip(), f"{msg_id} is empty in {lang}"
        assert placeholders(template) == placeholders(source[msg_id]), (msg_id, lang)
        assert template == template.strip() or msg_id.startswith(("explain.", "starter.")), (
            f"{msg_id}: spaces at an end are for explanation pieces joined to others"
        )


@pytest.mark.parametrize("lang", CONTRACT_LANGUAGES)
def test_every_plural_message_has_every_form_of_its_language(lang: str) -> None:
    """A plural message has one text per plural form of the language (Spanish three, English
    two), its msgid_plural is its msgid, and its forms together use the placeholders the
    English forms use (the form for one may leave the count out: "su único kernel")."""
    source = plurals(messages.SOURCE_LANGUAGE)
    here = plurals(lang)
    catalogue = read(LOCALE / lang / "LC_MESSAGES" / "stepper.po")
    assert len(source) >= 12
    assert here.keys() == source.keys(), set(here) ^ set(source)
    assert not set(here) & set(texts(lang))
    for message in catalogue:
        if message.pluralizable:
            assert message.id[0] == message.id[1], message.id
    for msg_id, forms in here.items():
        assert len(forms) == catalogue.num_plurals, (msg_id, lang)
        assert all(form.strip() == form and form for form in forms), (msg_id, lang)
        used = set().union(*(placeholders(form) for form in forms))
        wanted = set().union(*(placeholders(form) for form in source[msg_id]))
        assert used == wanted, (msg_id, lang)


@pytest.mark.parametrize("lang", CONTRACT_LANGUAGES)
def test_catalogues_are_clean_gettext(lang: str) -> None:
    """No fuzzy or obsolete entry (a translation tool's leftovers would be shown as English),
    the header names the language, and the texts in both languages differ where words do."""
    path = LOCALE / lang / "LC_MESSAGES" / "stepper.po"
    catalogue = read(path)
    assert str(catalogue.locale_identifier) == lang
    assert not catalogue.obsolete
    assert not [m.id for m in catalogue if m.id and m.fuzzy]
    ids = [m.id for m in catalogue if m.id]
    assert len(ids) == len(set(ids))


def test_messages_reads_what_the_files_hold() -> None:
    for lang in CONTRACT_LANGUAGES:
        assert messages.catalogue(lang) == texts(lang)
    assert messages.text("explain.dw.sample", "en", sample=2) == (
        " It is the increment due to sample 2; the batch averages them."
    )
    assert messages.text("quiz.score", "es", right=3, asked=4, pct=75.0) == (
        "Puntuación: 3 de 4 a la primera (75 %)"
    )
    assert messages.text("explain.relu", "en").startswith("ReLU: f(x) = max{0, x};")
    with pytest.raises(KeyError):
        messages.text("no.such.message", "en")
    with pytest.raises(KeyError):
        messages.plural("no.such.message", 2, "en")
    # A language without a catalogue (or a name that is no language) is shown in English.
    assert messages.text("doc.step", "zz", n=3) == "Step 3"
    assert messages.catalogue("../es") == {}


# --- The code ----------------------------------------------------------------------------------

#: Functions whose first argument is a message id (``explain`` and the engines' wrappers
#: of it take the id without its ``explain.`` prefix).
_BY_ID = {
    "text": "",
    "plural": "",
    "msg_count": "",
    "explain_count": "explain.",
    "label": "",
    "lookup": "",
    "msg": "",
    "explain": "explain.",
    "_explain": "explain.",
}
_OWN_WORDS = {"words": "explain."}  # the optimize engine's ``self.words(key, ...)``
_EXPLANATION_ARGS = {"explanation", "words"}


#: The lookup itself and its thin callers, which hand on the ids others give them.
_FORWARDERS = {"messages.py", "explain.py", "i18n.py"}


def _sources() -> list[tuple[Path, ast.Module]]:
    return [
        (p, ast.parse(p.read_text(encoding="utf-8")))
        for p in sorted(PACKAGE.rglob("*.py"))
        if p.relative_to(PACKAGE).as_posix() not in _FORWARDERS
    ]


def _id_forms(node: ast.expr | None) -> list[str]:
    """The ids an argument can be: a string, each branch of a conditional, or an f-string as
    a regular expression (each replacement field standing for one id segment)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [re.escape(node.value)]
    if isinstance(node, ast.IfExp):
        return _id_forms(node.body) + _id_forms(node.orelse)
    if isinstance(node, ast.BoolOp):
        return [form for value in node.values for form in _id_forms(value)]
    if isinstance(node, ast.JoinedStr):
        return [
            "".join(
                re.escape(part.value) if isinstance(part, ast.Constant) else r"[^.]+"
                for part in node.values
            )
        ]
    return []


def ids_asked_for() -> list[tuple[str, str]]:
    """Every message id the code asks for, as a pattern, with where it is asked."""
    found: list[tuple[str, str]] = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            prefix = _BY_ID.get(name, _OWN_WORDS.get(name) if path.name == "optimize.py" else None)
            if prefix is not None and node.args:
                found += [(re.escape(prefix) + f, where) for f in _id_forms(node.args[0])]
            if path.name == "optimize.py":  # ids handed on to self.words
                for keyword in node.keywords:
                    if keyword.arg in _EXPLANATION_ARGS:
                        forms = _id_forms(keyword.value)
                        found += [(r"explain\." + f, where) for f in forms if "opt" in f]
                if name == "correct" and len(node.args) == 5:
                    found += [(r"explain\." + f, where) for f in _id_forms(node.args[4])]
            if name == "Key" and len(node.args) >= 3:  # a key binding's labels
                found += [(form, where) for form in _id_forms(node.args[2])]
                for keyword in node.keywords:
                    if keyword.arg in ("brief", "group", "listed"):
                        found += [(form, where) for form in _id_forms(keyword.value)]
    return found


def test_every_id_the_code_asks_for_is_in_the_catalogue() -> None:
    ids = every_id(messages.SOURCE_LANGUAGE)
    asked = ids_asked_for()
    assert len(asked) > 150, len(asked)
    missing = [
        (pattern, where)
        for pattern, where in asked
        if not any(re.fullmatch(pattern, msg_id) for msg_id in ids)
    ]
    assert not missing


def test_every_message_is_asked_for() -> None:
    """No dead text: each message is named in the code, literally or by an f-string, or is
    the help of a field (``test_scaffold`` matches those to the models)."""
    patterns = {pattern for pattern, _ in ids_asked_for()}
    literal = {p for p in patterns if re.escape(re.sub(r"\\(.)", r"\1", p)) == p}
    unused = [
        msg_id
        for msg_id in every_id(messages.SOURCE_LANGUAGE)
        if not msg_id.startswith("field.")
        and re.escape(msg_id) not in literal
        and not any(re.fullmatch(p, msg_id) for p in patterns - literal)
    ]
    assert not unused, "messages no code asks for; remove them from every catalogue"


def test_ids_made_from_names_exist_for_every_name() -> None:
    """Ids the code builds from a name (f"phase.{phase}") exist for every name it can get."""
    ids = every_id(messages.SOURCE_LANGUAGE)
    wanted = [f"phase.{p}" for p in Phase]
    for act in typing.get_args(schema.Activation):
        wanted += [f"activation.{act}"]
    for act in ("linear", "tanh", "sigmoid", "relu"):  # softmax has its own δ (cross-entropy)
        wanted += [f"explain.y.{act}", f"explain.d.{act}", f"explain.g.derivative.{act}"]
    wanted += ["explain.y.softmax", "explain.d.cross_entropy"]
    wanted += [f"explain.loss.{loss}" for loss in typing.get_args(schema.Loss)]
    wanted += [f"optimizer.{name}" for name in typing.get_args(schema.OptimizerName)]
    wanted += [f"table.{name}" for name in ("conv", "relu", "pool")]
    wanted += [f"explain.dw.{c}" for c in (1, 2)]
    wanted += [f"home.{model.__name__}" for model in schema.MODELS]  # where a field goes
    mistakes = typing.get_args(Mistake)
    assert len(mistakes) >= 12, mistakes
    wanted += [f"mistake.{name}" for name in mistakes]
    assert not [msg_id for msg_id in wanted if msg_id not in ids]


# --- Languages ---------------------------------------------------------------------------------


def test_the_languages_offered_are_the_catalogues() -> None:
    from stepper.cli import build_parser

    assert typing.get_args(schema.Language) == messages.languages()
    parser = build_parser()
    for lang in messages.languages():
        for argv in (["list"], ["lesson", "x"], ["solve", "x"], ["new", "dense", "x"]):
            assert parser.parse_args([*argv, "--lang", lang]).lang == lang


def _third_language(folder: Path) -> Path:
    """A copy of the real catalogues plus a tiny one, xx, that translates a few messages."""
    locale = folder / "locale"
    shutil.copytree(LOCALE, locale)
    catalogue = Catalog(locale=None, domain="stepper")
    catalogue.add("explain.u", "XX net input {i}: {bias_input} = 1 and {bias}.")
    catalogue.add("doc.step", "XX step {n}")
    catalogue.add("phase.forward", "xx forward")
    catalogue.add("explain.e", "XX error, fuzzy: never shown {i}", flags=("fuzzy",))
    (locale / "xx" / "LC_MESSAGES").mkdir(parents=True)
    with (locale / "xx" / "LC_MESSAGES" / "stepper.po").open("wb") as handle:
        write_po(handle, catalogue)
    return locale


def test_a_language_is_added_by_adding_a_catalogue(tmp_path: Path) -> None:
    """With one more catalogue in the locale folder, `--lang xx` and `language: xx` work, the
    schema offers xx, and what xx does not translate is shown in English."""
    locale = _third_language(tmp_path)
    lesson = tmp_path / "demo.yaml"
    source = (ROOT / "lessons" / "backprop-1.yaml").read_text(encoding="utf-8")
    lesson.write_text(re.sub(r"(?m)^language: es$", "language: xx", source), encoding="utf-8")
    assert "language: xx" in lesson.read_text(encoding="utf-8")
    code = f"""
        import sys
        import stepper.messages
        stepper.messages.LOCALE_DIR = {str(locale)!r}
        from stepper.cli import main
        sys.exit(main(sys.argv[1:]))
    """
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}

    def stepper(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", textwrap.dedent(code), *argv],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
            cwd=tmp_path,
            check=False,
        )

    for argv in (
        ("solve", "backprop-1", "--lang", "xx", "--format", "md"),
        ("solve", str(lesson), "--format", "md"),
    ):
        done = stepper(*argv)
        assert done.returncode == 0, done.stderr
        out = done.stdout
        assert "XX net input 1: x₀ = 1 and w₁₀." in out  # translated
        assert "**XX step 1**" in out and "Xx forward" in out
        assert "Error of output 2: the wanted value" in out  # fuzzy: English
        assert "New weight: the old one plus its increment." in out  # untranslated: English
    schema_out = stepper("schema")
    assert schema_out.returncode == 0, schema_out.stderr
    language = json.loads(schema_out.stdout)["$defs"]["DenseLesson"]["properties"]["language"]
    assert language["enum"] == ["es", "en", "xx"]
    assert language["description"].startswith("es | en | xx (default es): the language")
    bad = stepper("solve", "backprop-1", "--lang", "fr")
    assert bad.returncode == 2 and "invalid choice: 'fr'" in bad.stderr
    assert re.search(r"choose from '?es'?, '?en'?, '?xx'?\)", bad.stderr), bad.stderr


def test_the_catalogue_is_read_only_when_a_text_is_needed() -> None:
    """Checking a lesson shows no text: Babel is not even imported (start-up is a target)."""
    code = """
        import sys
        from stepper.cli import main
        assert main(["check", "backprop-1"]) == 0
        assert not [m for m in sys.modules if m.startswith("babel")], "babel imported"
        main(["solve", "backprop-1", "--format", "json"])
        assert "babel.messages.pofile" in sys.modules
    """
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr


# --- Plurals -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "n", "expected"),
    [
        ("es", 1, "1 neurona"),
        ("es", 0, "0 neuronas"),
        ("es", 2, "2 neuronas"),
        ("es", 1_000_000, "1,000,000 neuronas"),  # the rule's form for millions
        ("en", 1, "1 neuron"),
        ("en", 0, "0 neurons"),
        ("en", 21, "21 neurons"),
        ("zz", 1, "1 neuron"),  # no catalogue: English
    ],
)
def test_a_count_takes_its_languages_plural_form(lang: str, n: int, expected: str) -> None:
    assert messages.plural("count.neuron", n, lang, n=n) == expected


def test_one_kernel_is_not_los_1_kernels() -> None:
    from stepper.explain import explain_count

    one = explain_count("shape.params", 1, "es")
    assert one == "Parámetros que se aprenden: los N·N·C pesos del único kernel más su sesgo."
    assert explain_count("shape.params", 32, "es").endswith("por cada uno de los 32 kernels.")
    assert explain_count("shape.params", 1, "en").endswith("of the one kernel plus its bias.")
