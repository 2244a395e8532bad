"""Diagrams of a blueprint: one neutral graph model (`model.py`, with `extract`)
and one small renderer per output format — `render_tree` (terminal),
`render_mermaid` (stateDiagram-v2), `render_dot` (Graphviz) — plus `runner`,
which drives the external programs (`dot`, `mmdc`) that turn text into images."""
