"""Reports on how a process really runs, from the store's history:
`figures` computes them (one pass over `Store.histories`), `gather` reads a
workspace for them, `board` lays out the pipeline, and `text`, `tables` and
`charts` show them (a terminal, CSV, PNG/SVG/HTML)."""
