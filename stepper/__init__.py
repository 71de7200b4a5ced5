"""stepper: a terminal tutor for the arithmetic of neural networks.

The package is split so that the headless core (lesson loading, the step engine, the
printers) never imports Textual; only ``stepper.tui`` does.
"""

__version__ = "0.1.0"
