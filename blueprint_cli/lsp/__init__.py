"""`blueprint lsp`: the language server an editor starts over stdio.

It answers from the same work `blueprint lint` does: each open file is linted
as a lint run lints it (`lint.run.inspect_bytes`: its configuration, inline
suppressions, the workspace's team), and what checking built — the document
with positions, the model — answers completion, hover, definitions,
references, renames and code actions.

- `analysis`: one open file, linted, with the names it uses (`symbols`);
- `context`: what the cursor is on in text that may not parse (completion);
- `features`: the answers, in the protocol's types, with code-point columns;
- `server`: the pygls server: documents, debounced linting, one worker thread
  for everything that parses (the YAML parser is shared), errors logged;
- `probe`: `blueprint lsp --check`, whether an editor will find and start it.

pygls is imported by `server` and `probe` only, so no other command pays for it.
"""
