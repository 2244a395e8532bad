"""What users read: diagrams (`graph/`), the summary of `show`, the semantic
`diff`, and the lint reporters (`reporters/`: text, JSON, GitHub, SARIF)."""
