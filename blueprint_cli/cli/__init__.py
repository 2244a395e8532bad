"""The command line: argument parsing only. Each command builds the pieces
(loader, lint, engine, store, renderers), calls them, and maps the outcome to
output and an exit code (docs/exit-codes.md). Command modules import heavy libraries
inside their functions so that `blueprint --version` starts fast."""
