"""The full-screen Textual app. The only package of stepper that imports Textual."""
