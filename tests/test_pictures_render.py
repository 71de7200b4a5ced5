"""The renderers draw any scene as laid out: what the terminal joins, where print puts text.

Each vector medium is parsed back: every label must come out at the column and row the scene
gives it (a column being the medium's glyph advance, a row its line height), so that the
layout's overlap tests hold on paper too. The TikZ and typst outputs must also compile.
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.style import Style

from stepper.pictures import render_rich, render_svg, render_tikz, render_typst
from stepper.pictures.scene import Frame, Label, Raster, Role, Scene, Shape, Wire
from stepper.pictures.vector import CMTT, DEJAVU
from tests.conftest import compile_latex

#: A small scene with every kind of item: a neuron's fan-in bracket, a framed value, an arrow,
#: a diagonal, a raster, and labels in every role.
SCENE = Scene(
    40,
    9,
    (
        Label(0, 0, "inputs", Role.HEADER),
        Label(0, 1, "x₀ = 1", Role.READ),
        Label(0, 2, "x₁ = −0.2", Role.GIVEN),
        Label(0, 3, "x₂", Role.PENDING),
        Wire(((10, 1), (13, 1), (13, 3))),
        Wire(((10, 2), (18, 2)), Role.CURRENT, arrow=True),
        Wire(((10, 3), (13, 3))),
        Label(19, 2, "u₁ = ?", Role.CURRENT),
        Frame(27, 2, 6, 1, Role.READ, Shape.ROUND),
        Label(27, 2, "ỹ₁ = 1", Role.UPDATED),
        Label(35, 2, "…", Role.MORE),
        Wire(((0, 5), (6, 8)), series=2, arrow=True),
        Raster(10, 6, ((0, 1, 2), (None, 2, 1)), " ░▓"),
        Frame(20, 6, 5, 2, Role.MARK, Shape.BRACKET),
        Label(21, 6, "a b"),
        Label(36, 7, "★", Role.MARK),
    ),
    title="a test scene",
)


def plain_lines(scene: Scene) -> list[str]:
    return [line.plain for line in render_rich.render_lines(scene)]


def test_rich_joins_lines_where_they_meet() -> None:
    lines = plain_lines(SCENE)
    assert lines[1][10:14] == "───╮"
    assert lines[2][10:19] == "───┼────→"  # the arrow crosses the bracket: ┼, head at its end
    assert lines[3][10:14] == "───╯"


def test_rich_draws_frames_on_the_ring_around_them_and_brackets_inside() -> None:
    lines = plain_lines(SCENE)
    assert lines[1][26:34] == "╭──────╮"
    assert lines[2][26] == "│" and lines[2][33] == "│"
    assert lines[3][26:34] == "╰──────╯"
    assert lines[6][20] == "┌" and lines[6][24] == "┐"
    assert lines[7][20] == "└" and lines[7][24] == "┘"
    one_row = Scene(5, 1, (Frame(0, 0, 5, 1, shape=Shape.BRACKET), Label(1, 0, "abc")))
    assert plain_lines(one_row) == ["[abc]"]


def test_rich_frame_without_room_for_its_ring_styles_its_cells() -> None:
    scene = Scene(4, 1, (Label(0, 0, "ab"), Frame(0, 0, 2, 1, Role.CURRENT)))
    (line,) = render_rich.render_lines(scene)
    assert line.plain == "ab"
    assert all(span.style == render_rich.CURRENT_STYLE for span in line.spans)


def style_at(scene: Scene, col: int, row: int) -> object:
    """The style of the cell at ``col`` on ``row`` (the text has no wide characters there)."""
    line = render_rich.render_lines(scene)[row]
    return next(s.style for s in line.spans if s.start <= col < s.end)


def test_rich_styles_by_role_and_series() -> None:
    assert style_at(SCENE, 19, 2) == render_rich.CURRENT_STYLE
    assert style_at(SCENE, 0, 1) == render_rich.READ_STYLE
    assert style_at(SCENE, 0, 3) == render_rich.PENDING_STYLE
    assert style_at(SCENE, 27, 2) == render_rich.UPDATED_STYLE
    diagonal = render_rich.role_style(Role.PLAIN, 2)
    assert diagonal.color is not None
    assert style_at(SCENE, 0, 5) == diagonal


def test_rich_makes_no_style_per_cell(monkeypatch: pytest.MonkeyPatch) -> None:
    """Drawing reuses one Style per (role, series) and per shade (a contour plot has thousands
    of shaded cells): drawing a scene makes no Style, and a raster's cells share their level's."""
    made: list[Style] = []
    real = Style.__init__

    def counted(self: Style, *args: object, **kwargs: object) -> None:
        made.append(self)
        real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Style, "__init__", counted)
    lines = render_rich.render_lines(SCENE)
    assert made == []
    raster = [next(s.style for s in lines[6].spans if s.start <= col < s.end) for col in (11, 12)]
    assert raster[0] is not raster[1]  # two levels, two colours
    again = render_rich.render_lines(SCENE)[6]
    assert [next(s.style for s in again.spans if s.start <= c < s.end) for c in (11, 12)] == raster
    assert render_rich.role_style(Role.READ, 9) is render_rich.role_style(Role.READ, 2)


def test_rich_diagonals_and_arrow_heads() -> None:
    lines = plain_lines(SCENE)
    column = [line[:7] for line in lines[5:9]]
    assert "↘" in column[-1]
    assert all(set(part.strip()) <= {"╲", "─", "│", "↘"} for part in column)


def test_rich_lines_fit_the_width_with_wide_characters() -> None:
    scene = Scene(6, 2, (Label(0, 0, "日本語です"), Label(3, 1, "abcdef")))
    lines = plain_lines(scene)
    assert [cell_len(line) for line in lines] == [6, 6]
    assert lines == ["日本語", "   abc"]


# --- the vector media: every label where the scene puts it ------------------------------------


def _close(a: float, b: float) -> bool:
    return abs(a - b) < 0.01


def test_svg_places_each_label_where_the_scene_says() -> None:
    root = ET.fromstring(render_svg.render(SCENE))
    ns = ""  # inline SVG for HTML5: no namespace
    texts = root.findall(f"{ns}text")
    labels = SCENE.labels()
    assert [t.text for t in texts] == [label.text for label in labels]
    m = DEJAVU
    for t, label in zip(texts, labels, strict=True):
        assert _close(float(t.get("x", "nan")), label.x * m.advance)
        assert _close(float(t.get("y", "nan")), m.baseline(label.y))
        assert _close(float(t.get("textLength", "nan")), label.width * m.advance)
    assert root.get("viewBox") == f"0 0 {math.ceil(SCENE.width * m.advance)} {SCENE.height * 13}"
    assert root.findtext(f"{ns}title") == "a test scene"


_TIKZ_NODE = re.compile(r"\\node\[anchor=base west[^]]*\] at \(([\d.]+),([\d.]+)\) \{(.*)\};")


def test_tikz_places_each_label_where_the_scene_says() -> None:
    nodes = _TIKZ_NODE.findall(render_tikz.render(SCENE))
    labels = SCENE.labels()
    assert len(nodes) == len(labels)
    for (x, y, body), label in zip(nodes, labels, strict=True):
        assert _close(float(x), label.x * CMTT.advance)
        assert _close(float(y), CMTT.baseline(label.y))
        last = label.text.split(" ")[-1]
        if not set(last) & set("…★"):  # left to the preamble, but the minus
            assert body.split(" ")[-1] == last.replace("−", render_tikz.GLYPHS["−"])
        else:  # drawn one column wide
            assert r"\makebox[\tikzcol]" in body


_TYPST_TEXT = re.compile(
    r'#place\(top \+ left, dx: ([\d.]+)pt, dy: ([\d.]+)pt, box\(.*, "(.*)"\)\)\)\)'
)


def test_typst_places_each_label_where_the_scene_says() -> None:
    found = _TYPST_TEXT.findall(render_typst.render(SCENE))
    labels = SCENE.labels()
    assert len(found) == len(labels)
    for (x, y, text), label in zip(found, labels, strict=True):
        assert _close(float(x), label.x * DEJAVU.advance)
        assert _close(float(y), label.y * DEJAVU.line)
        assert text == label.text


def test_typst_compiles() -> None:
    import typst

    source = "#set page(width: auto, height: auto, margin: 4pt)\n" + render_typst.render(SCENE)
    pdf = typst.compile(source.encode(), format="pdf", ignore_system_fonts=True)
    assert pdf.startswith(b"%PDF")


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_tikz_compiles_with_the_latex_printers_preamble(tmp_path: Path) -> None:
    from stepper.printers.latex import preamble, text

    source = tmp_path / "scene.tex"
    every_glyph = Label(0, 8, "".join(render_tikz.GLYPHS) + " αδεỹ∇≈θ·–•¹²")
    picture = render_tikz.render(replace(SCENE, items=(*SCENE.items, every_glyph)), text)
    source.write_text(preamble() + "\\begin{document}\n" + picture + "\n\\end{document}\n")
    compile_latex(source)


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils are not installed")
def test_tikz_minus_is_a_minus_one_column_wide(tmp_path: Path) -> None:
    """U+2212 prints as a minus, not as a hyphen, and takes one column of the typewriter font
    like a digit, so that numbers stay in their columns (read back from the PDF's glyph boxes)."""
    from stepper.printers.latex import preamble, text

    rows = ("0123456789", "0−1−2−3−4−", "0-1-2-3-4-")
    scene = Scene(10, 3, tuple(Label(0, k, row) for k, row in enumerate(rows)))
    source = tmp_path / "minus.tex"
    picture = render_tikz.render(scene, text)
    source.write_text(preamble() + "\\begin{document}\n" + picture + "\n\\end{document}\n")
    for command in (["pdflatex", "-interaction=nonstopmode", "-halt-on-error", source.name],
                    ["pdftotext", "-bbox", "minus.pdf", "minus.html"]):  # fmt: skip
        run = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False)
        assert run.returncode == 0, run.stdout[-2000:]
    words = re.findall(
        r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>([^<]*)</word>',
        (tmp_path / "minus.html").read_text(),
    )
    digits, minus, hyphen = words[:3]
    assert abs(float(minus[1]) - float(minus[0]) - (float(digits[1]) - float(digits[0]))) < 0.05
    assert hyphen[2] == "0-1-2-3-4-"
    assert minus[2] != hyphen[2]  # another glyph than the hyphen's
