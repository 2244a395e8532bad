# Sourced by .ci/test, .ci/run and .ci/minimums.sh: sets PY to the Python that runs
# the tests, and puts its scripts first on PATH.
#
#   - $BLUEPRINT_PYTHON, else python3, when it is 3.11 or later and may install
#     packages (a virtual environment, pyenv, a user's own build);
#   - else (Debian's own python3 is "externally managed": pip refuses to install
#     into it) a virtual environment in .venv/ of the checkout, made once, with
#     Debian's python3-venv installed first when it is missing.
_ci_log() { printf '[python] %s\n' "$*" >&2; }
PY="${BLUEPRINT_PYTHON:-python3}"
if ! command -v "$PY" >/dev/null 2>&1 || ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  _ci_log "blueprint needs Python 3.11 or later; $PY is $("$PY" --version 2>&1 || echo missing)"
  _ci_log "set BLUEPRINT_PYTHON to one"
  exit 1
fi
if ! "$PY" -m pip --version >/dev/null 2>&1 || "$PY" -c '
import os, sys, sysconfig
managed = os.path.exists(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED"))
sys.exit(0 if managed and sys.prefix == sys.base_prefix else 1)'; then
  VENV="$PWD/.venv"
  if [ ! -x "$VENV/bin/python" ]; then
    if ! "$PY" -m venv "$VENV" >/dev/null 2>&1; then
      rm -rf "$VENV"
      _ci_log "apt-get install python3-venv (for a virtual environment in $VENV)"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
      "$PY" -m venv "$VENV"
    fi
    _ci_log "made $VENV"
  fi
  PY="$VENV/bin/python"
  PATH="$VENV/bin:$PATH"
else
  PATH="$(dirname "$("$PY" -c 'import sys; print(sys.executable)')"):$PATH"
fi
export PATH
