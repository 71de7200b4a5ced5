"""The exam workflow: variant ids a student cannot turn into a key, the exam's header, the
compact answer key and the Moodle question bank.

The numbers come from ``stepper.variation`` and the engine; this package only decides what an
exam asks, how it is headed and how its answers are handed to the instructor or to Moodle.
"""
