#!/usr/bin/env bash
# The declared minimums work: a virtual environment with every runtime dependency at
# the lower bound pyproject.toml declares (pip --constraint NAME==BOUND; what they
# pull in themselves is resolved as usual) runs `blueprint demo` and a lint of this
# checkout's code.
#
# The environment is kept in $BLUEPRINT_MINIMUMS_CACHE (default ~/.cache/crm-blueprint),
# named after the constraints and the Python, so a second run with the same bounds
# only runs the commands; changed bounds make a new one.
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/python.sh
log() { printf '[minimums] %s\n' "$*" >&2; }

constraints="$("$PY" - <<'PY'
import re, sys, tomllib
for text in tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]:
    name = re.match(r"[A-Za-z0-9._-]+", text).group()
    bound = re.search(r">=\s*([^,;\s]+)", text)
    if bound is None:
        sys.exit(f"pyproject.toml: {text!r} declares no lower bound (>=)")
    print(f"{name}=={bound.group(1)}")
PY
)"
key="$( (printf '%s\n' "$constraints"; "$PY" -c 'import sys; print(sys.version)') | sha256sum | cut -c1-16)"
cache="${BLUEPRINT_MINIMUMS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/crm-blueprint}"
venv="$cache/minimums-$key"
if [ ! -f "$venv/.complete" ]; then
  log "a virtual environment with $(printf '%s' "$constraints" | tr '\n' ' ') in $venv"
  rm -rf "$venv"
  mkdir -p "$cache"
  "$PY" -m venv "$venv"
  printf '%s\n' "$constraints" >"$venv/constraints.txt"
  # the dependencies as pyproject.toml names them, held to their lower bounds
  "$PY" -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))' \
    >"$venv/requirements.txt"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    --constraint "$venv/constraints.txt" --requirement "$venv/requirements.txt"
  touch "$venv/.complete"
fi
log "installed: $("$venv/bin/python" -m pip list --disable-pip-version-check --format freeze 2>/dev/null | tr '\n' ' ')"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
root="$PWD"
run() {  # this checkout's code, on the minimum dependencies only
  (cd "$work" && env -u BLUEPRINT_WORKSPACE PYTHONPATH="$root" PYTHONNOUSERSITE=1 NO_COLOR=1 \
    "$venv/bin/python" -m blueprint_cli "$@")
}
run demo >"$work/demo.txt" 2>&1 || { cat "$work/demo.txt" >&2; log "blueprint demo failed"; exit 1; }
run lint "$root/sample_blueprints" >"$work/lint.txt" 2>&1 || { cat "$work/lint.txt" >&2; log "lint failed"; exit 1; }
# and a finding, with its exit code
if run lint "$root/docs/examples/broken.yaml" >"$work/broken.txt" 2>&1; then
  cat "$work/broken.txt" >&2; log "lint of docs/examples/broken.yaml found nothing"; exit 1
fi
grep -q "BP301" "$work/broken.txt" || { cat "$work/broken.txt" >&2; log "lint of broken.yaml: no BP301"; exit 1; }
log "ok: blueprint demo and lint run on the declared minimums"
