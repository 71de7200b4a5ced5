"""stepper's tests; each checks the engine against something independent of it."""
