"""Messages between the app and its screens."""

from __future__ import annotations

from textual.message import Message


class Refreshed(Message):
    """The solution changed (it arrived from the worker, or the lesson was edited)."""
