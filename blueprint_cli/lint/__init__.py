"""A `blueprint lint` run: which files (folder walks, what each file is),
configuration, the result cache, suppressions, `--fix` and `--watch`.

It sits above the checks it runs — the blueprint checks in `check/` and the
scenario checks in `scenarios/` — so neither of those imports it.
"""
