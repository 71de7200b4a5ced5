"""Checks every layout's scene must pass: its labels on whole cells, inside it, none on another."""

from __future__ import annotations

from stepper.pictures.scene import Label, Scene, Wire


def cells(label: Label) -> set[tuple[int, int]]:
    """The cells a label's text covers."""
    x, y = int(label.x), int(label.y)
    return {(x + k, y) for k in range(label.width)}


def check_scene(scene: Scene, width: int) -> None:
    """At most ``width`` columns; every label on whole cells inside the scene, no two sharing a
    cell; every wire's points inside."""
    assert scene.width <= width
    taken: dict[tuple[int, int], str] = {}
    for label in scene.labels():
        assert label.x == int(label.x) and label.y == int(label.y), label
        assert label.x >= 0 and label.x + label.width <= scene.width, label
        assert 0 <= label.y < scene.height, label
        for cell in cells(label):
            assert cell not in taken, (label.text, taken[cell])
            taken[cell] = label.text
    for item in scene.items:
        if isinstance(item, Wire):
            for x, y in item.points:
                assert 0 <= x < scene.width and 0 <= y < scene.height, item
