"""The built-in lessons, shipped as package data (installed as ``stepper.lessons``)."""
