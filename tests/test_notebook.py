"""Notebooks: a solution and a step display themselves (HTML with MathML, Markdown), the walk
widget moves as the app's walk does and redraws its picture, and docs/notebook.ipynb runs.

The widget and the notebook need the ``notebook`` extra and the test extra's nbclient and
ipykernel; without them those tests skip (CI installs them, and fails a skip).
"""

from __future__ import annotations

import json
import re
import sys
import xml.etree.ElementTree as ET
from html import unescape
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import stepper
from stepper.notebook.display import SCOPE
from stepper.pictures.scene import Role
from stepper.pictures.vector import paint
from stepper.walking import FORMULA, SUBSTITUTION, VALUE, Walk

if TYPE_CHECKING:
    from stepper.notebook.walker import Walker

ROOT = Path(__file__).parent.parent
NOTEBOOK = ROOT / "docs" / "notebook.ipynb"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(scope="module")
def backprop() -> stepper.Solution:
    return stepper.solve("backprop-1")


# --- display -----------------------------------------------------------------------------------


def rules(html: str) -> list[str]:
    """The selectors of every rule in the fragment's style sheets."""
    sheets = re.findall(r"<style>(.*?)</style>", html, re.S)
    assert sheets
    return [s.strip() for sheet in sheets for s in re.findall(r"([^{}]+)\{[^{}]*\}", sheet)]


def test_a_solution_is_the_articles_fragment_with_mathml(backprop: stepper.Solution) -> None:
    """Not a page: no <html>, <head> or <body>; the article of the HTML printer, with its
    picture and MathML; the lecture's u₁ = 0.29 and ỹ₂ = 0.11943 in it."""
    html = backprop._repr_html_()
    assert not re.search(r"<(html|head|body|!DOCTYPE)\b", html, re.I)
    assert html.startswith(f'<div class="{SCOPE}">') and html.endswith("</div>")
    assert '<article class="document" lang="es">' in html
    assert "<svg" in html and html.count("<math>") > 50
    assert "<mn>0.29</mn>" in html and "<mn>0.11943</mn>" in html


def test_the_style_sheet_styles_nothing_outside_its_wrapper(backprop: stepper.Solution) -> None:
    """Every selector starts at the wrapper's class: no body, h1, table or math rule of the
    printer's page reaches the notebook around it, and no @page or @media rule comes along."""
    for html in (backprop._repr_html_(), backprop.step("u[1,1]")._repr_html_()):
        selectors = [s.strip() for rule in rules(html) for s in rule.split(",")]
        assert len(selectors) > 40
        outside = [s for s in selectors if not s.startswith(f".{SCOPE}")]
        assert outside == []
        assert not any("@" in s for s in selectors)


def test_a_step_alone_is_its_heading_equation_and_explanation(backprop: stepper.Solution) -> None:
    step = backprop.step("y[1,2]")
    html = step._repr_html_()
    assert "Hacia delante · par 1" in html
    assert html.count('<li class="step"') == 1 and 'value="4"' in html
    assert "<mn>0.11943</mn>" in html and "tangente hiperbólica" in html
    assert "diapositiva" in html  # its note, after the value
    assert "<svg" not in html


def test_markdown_is_the_printers_document_and_step(backprop: stepper.Solution) -> None:
    assert backprop._repr_markdown_() == backprop.render("md")
    md = backprop.step("u[1,1]")._repr_markdown_()
    assert md.startswith("*Hacia delante · par 1*\n\n**Paso 1**\n\n$$\n")
    assert "= 0.29\n$$" in md and "Entrada neta" in md


def test_a_step_said_once_for_its_run_still_explains_itself() -> None:
    """The document says one explanation once for a run of steps (``Document.repeated``);
    a step shown alone says it."""
    from stepper.notebook.display import document

    solution = stepper.solve("cnn-1")
    doc = document(solution)
    n = min(doc.repeated)
    words = solution.solved.steps[n - 1].explanation
    assert doc.explanation(solution.solved.steps[n - 1]) is None
    assert words in solution.steps[n - 1]._repr_markdown_()
    shown = unescape(re.sub(r"<[^>]+>", "", solution.steps[n - 1]._repr_html_()))
    assert " ".join(words.split()[:4]) in shown


# --- the widget --------------------------------------------------------------------------------


def widget(lesson: str = "backprop-1", lang: str | None = None) -> Walker:
    pytest.importorskip("anywidget", reason="the notebook extra is not installed")
    return stepper.walk(lesson, lang)


def press(w: Walker, move: str) -> None:
    """What a click sends: a custom message from the front end."""
    w._handle_custom_msg({"move": move}, [])


def highlighted(svg: str) -> list[str]:
    """The texts drawn on the highlight's background (the current quantity)."""
    root = ET.fromstring(svg)  # inline SVG: no xmlns
    children = list(root)
    colour = paint(Role.CURRENT).background
    return [
        "".join(b.itertext())
        for a, b in pairwise(children)
        if a.tag == "rect" and a.get("fill") == colour and b.tag == "text"
    ]


def test_walk_is_a_lazy_name_of_the_package() -> None:
    from stepper.notebook.widget import walk

    assert stepper.walk is walk
    assert "walk" in stepper.__all__


def test_without_the_extra_walk_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import stepper.notebook.widget as module

    monkeypatch.setattr(module, "find_spec", lambda name: None)
    with pytest.raises(ImportError, match=re.escape("pip install 'stepper[notebook]'")):
        module.walk("backprop-1", "en")
    with pytest.raises(ImportError, match="necesita el extra notebook"):
        module.walk("backprop-1", "es")


def test_next_and_back_move_as_the_walk_does() -> None:
    """Every press changes the synced state exactly as the shared ``Walk`` moves."""
    w = widget()
    shadow = Walk(w.solution.solved)
    moves = ["next"] * 5 + ["back", "back", "next_step", "previous_step", "reveal_phase"]
    moves += ["end", "back", "home"]
    for move in moves:
        press(w, move)
        getattr(shadow, move)()
        assert (w.index, w.stage) == (shadow.index, shadow.stage), move
        assert w.position.startswith(f"Paso {shadow.index + 1} de 28 · ")
    assert (w.index, w.stage, w.can_back, w.can_next) == (0, FORMULA, False, True)
    press(w, "end")
    assert (w.can_back, w.can_next) == (True, False)


def test_the_card_reveals_formula_then_substitution_then_value() -> None:
    w = widget()
    assert w.stage == FORMULA
    assert "<mn>0.1</mn>" not in w.card and "<mn>0.29</mn>" not in w.card
    assert "Entrada neta" in w.card  # the explanation comes with the formula, as in the app
    press(w, "next")
    assert w.stage == SUBSTITUTION
    assert "<mn>0.1</mn>" in w.card and "<mn>0.29</mn>" not in w.card
    press(w, "next")
    assert w.stage == VALUE and "<mn>0.29</mn>" in w.card


def test_the_picture_highlights_the_current_quantity() -> None:
    """u₁ is asked (?), then shown (0.29), then ỹ₁ is the current one; the picture is sent
    anew only when it changes (the substitution leaves it as the formula had it)."""
    w = widget()
    assert "u₁ = ?" in highlighted(w.picture)
    pictures: list[Any] = []
    w.observe(lambda change: pictures.append(change["new"]), names="picture")
    press(w, "next")
    assert pictures == []
    press(w, "next")
    assert "u₁ = 0.29" in highlighted(w.picture)
    press(w, "next")
    assert "ỹ₁ = 0.29" in highlighted(w.picture)
    assert "u₁ = 0.29" not in highlighted(w.picture)
    assert len(pictures) == 2


@pytest.mark.parametrize("lesson", ["conv-1", "rnn-1", "graph-1", "descent-1"])
def test_every_kind_of_picture_is_drawn(lesson: str) -> None:
    w = widget(lesson, "en")
    first = w.picture
    assert first.startswith("<svg") and "<text" in first
    press(w, "end")
    assert w.picture != first


def test_the_buttons_and_keys_are_the_apps_in_the_lessons_language() -> None:
    w = widget(lang="en")
    titles = {b["move"]: b["title"] for b in w.buttons}
    assert titles["next"] == "next (␣/→/n)" and titles["back"] == "back (←/p/⌫)"
    assert w.key_moves[" "] == w.key_moves["ArrowRight"] == "next"
    assert w.key_moves["["] == "previous_step" and w.key_moves["a"] == "reveal_phase"
    assert widget(lang="es").buttons[3]["text"] == "siguiente →"


def test_a_message_that_names_no_move_is_ignored() -> None:
    w = widget()
    for content in ({"move": "__init__"}, {"move": "jump"}, {"go": "next"}, ["next"]):
        w._handle_custom_msg(content, [])
        assert (w.index, w.stage) == (0, FORMULA)
    with pytest.raises(ValueError, match="solution"):
        w.move("solution")


def test_the_front_end_is_shipped_and_reads_only_what_python_sends() -> None:
    """walk.js reads only traits the widget has, and sends only ``{move}``."""
    w = widget()
    script = (ROOT / "stepper" / "notebook" / "walk.js").read_text(encoding="utf-8")
    read = set(re.findall(r'model\.get\("(\w+)"\)', script))
    read |= set(json.loads(re.search(r"const SHOWN = (\[.*?\]);", script).group(1)))  # type: ignore[union-attr]
    assert read and all(w.has_trait(name) for name in read), read
    assert str(w._esm) == script


# --- the example notebook ----------------------------------------------------------------------


@pytest.mark.slow
def test_the_example_notebook_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/notebook.ipynb, executed in a kernel of this test's own Python (a kernelspec
    written under tmp_path), gives the solution and its steps as MathML with the lecture's
    values, and the walk as widgets."""
    pytest.importorskip("anywidget", reason="the notebook extra is not installed")
    nbclient = pytest.importorskip("nbclient", reason="nbclient is not installed")
    nbformat = pytest.importorskip("nbformat", reason="nbformat is not installed")
    pytest.importorskip("ipykernel", reason="ipykernel is not installed")
    spec = tmp_path / "jupyter" / "kernels" / "stepper-test"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    kernel = {"argv": argv, "display_name": "stepper test", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    for name in ("JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "JUPYTER_CONFIG_DIR", "IPYTHONDIR"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        nb, kernel_name="stepper-test", timeout=120, resources={"metadata": {"path": tmp_path}}
    )
    client.execute()

    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    outputs = [cell.outputs for cell in code]
    assert all(o.output_type != "error" for out in outputs for o in out)
    # One output a cell: no stray display (Rich once showed the Markdown's picture as its own).
    assert all(len(out) == 1 for out in outputs), [len(out) for out in outputs]
    data = [out[0].get("data", {}) for out in outputs]
    solution, step = data[0]["text/html"], data[1]["text/html"]
    assert "<math>" in solution and "<mn>0.29</mn>" in solution and "<svg" in solution
    assert "<math>" in step and "<mn>0.29</mn>" in step and step.count('<li class="step"') == 1
    assert "0.86801" in data[2]["text/plain"]
    assert "= 0.29" in data[3]["text/markdown"]
    assert "tanh" in data[4]["text/html"] and "<mn>0.11943</mn>" in data[4]["text/html"]
    ids = outputs[5][0]["text"].split()
    assert len(ids) == 6 and len(set(ids[::2])) == 3
    assert WIDGET_MIME in data[6] and WIDGET_MIME in data[7]
