#!/usr/bin/env bash
# Escaping rules and timings for Graphviz and mermaid-cli: see .ci/DIAGRAM-NOTES.md
# Install the system tools the diagram tests need on a clean Debian (12) machine:
#   - Graphviz (`dot`)
#   - Neovim (`nvim`): tests/test_lsp_neovim.py drives `blueprint lsp` from a headless editor
#   - Debian's Chromium + fonts for emoji, CJK and other non-Latin scripts
#   - @mermaid-js/mermaid-cli (`mmdc`) in $MERMAID_CLI_PREFIX, using Debian's
#     Chromium (puppeteer's own browser download is skipped; it cannot be
#     fetched here anyway).
#
# Idempotent: every step is skipped when its result already exists, so a
# second run only does a few quick checks.
#
# Render with:
#   /opt/mermaid-cli/node_modules/.bin/mmdc -p .ci/puppeteer-config.json -i in.mmd -o out.svg
#
# Env:
#   MERMAID_CLI_PREFIX   install prefix (default /opt/mermaid-cli)
#   MERMAID_CLI_VERSION  npm version of @mermaid-js/mermaid-cli (default 11.17.0)
#   YAML_LS_PREFIX       install prefix of yaml-language-server (default /opt/yaml-language-server):
#                        the editors' YAML server, which tests/test_editor_schema.py runs on a workspace
#   YAML_LS_VERSION      its npm version (default 1.25.0)
#   AJV_PREFIX           install prefix of ajv-cli (default /opt/ajv): the JavaScript JSON Schema
#                        validator most editors and tools embed; tests/test_schema_portable.py checks
#                        the schemas with it (a test tool, not a runtime dependency)
#   AJV_CLI_VERSION      npm version of ajv-cli (default 5.0.0)
#   AJV_VERSION          npm version of ajv, the validator ajv-cli runs (default 8.20.0)
#   SMOKE=1              always run the render smoke test (otherwise only after installing)
set -euo pipefail

MERMAID_CLI_PREFIX="${MERMAID_CLI_PREFIX:-/opt/mermaid-cli}"
MERMAID_CLI_VERSION="${MERMAID_CLI_VERSION:-11.17.0}"
SMOKE="${SMOKE:-0}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PUPPETEER_CONFIG="$HERE/puppeteer-config.json"
MMDC="$MERMAID_CLI_PREFIX/node_modules/.bin/mmdc"
YAML_LS_PREFIX="${YAML_LS_PREFIX:-/opt/yaml-language-server}"
YAML_LS_VERSION="${YAML_LS_VERSION:-1.25.0}"
YAML_LS="$YAML_LS_PREFIX/node_modules/.bin/yaml-language-server"
AJV_PREFIX="${AJV_PREFIX:-/opt/ajv}"
AJV_CLI_VERSION="${AJV_CLI_VERSION:-5.0.0}"
AJV_VERSION="${AJV_VERSION:-8.20.0}"
AJV="$AJV_PREFIX/node_modules/.bin/ajv"

# graphviz: dot; chromium: headless browser for mmdc;
# fonts-noto-color-emoji: emoji; fonts-noto-cjk: Chinese/Japanese/Korean;
# fonts-noto-core: other scripts (Devanagari, Thai, ...) that DejaVu lacks.
APT_PACKAGES=(graphviz chromium fonts-noto-color-emoji fonts-noto-cjk fonts-noto-core neovim)

log() { printf '[install-system] %s\n' "$*" >&2; }

# without root or sudo, only a step that has something to install fails
no_root() { log "installing needs root (or sudo): $*"; exit 1; }
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=(sudo); else SUDO=(no_root); fi
fi

installed_something=0
apt_updated=0
apt_install() {
  if [ "$apt_updated" -eq 0 ]; then
    log "apt-get update"
    "${SUDO[@]}" apt-get update -qq
    apt_updated=1
  fi
  log "apt-get install $*"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  installed_something=1
}

pkg_installed() {
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" = "installed" ]
}

# 1. Debian packages ---------------------------------------------------------
missing=()
for p in "${APT_PACKAGES[@]}"; do
  pkg_installed "$p" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  apt_install "${missing[@]}"
else
  log "apt packages present: ${APT_PACKAGES[*]}"
fi

# 2. node / npm (normally preinstalled; Debian's nodejs 18.19 also satisfies
#    mermaid-cli's engines "^18.19 || >=20") ----------------------------------
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  apt_install nodejs npm
fi
log "node $(node --version), npm $(npm --version)"

# 3. mermaid-cli, without puppeteer's browser download -----------------------
current=""
if [ -x "$MMDC" ]; then
  current="$("$MMDC" --version 2>/dev/null || true)"
fi
if [ "$current" = "$MERMAID_CLI_VERSION" ]; then
  log "mermaid-cli $current present in $MERMAID_CLI_PREFIX"
else
  log "npm install @mermaid-js/mermaid-cli@$MERMAID_CLI_VERSION into $MERMAID_CLI_PREFIX (was: ${current:-none})"
  "${SUDO[@]}" mkdir -p "$MERMAID_CLI_PREFIX"
  "${SUDO[@]}" env PUPPETEER_SKIP_DOWNLOAD=1 PUPPETEER_SKIP_CHROMIUM_DOWNLOAD=1 \
    npm install --prefix "$MERMAID_CLI_PREFIX" --no-audit --no-fund --loglevel=error \
    "@mermaid-js/mermaid-cli@$MERMAID_CLI_VERSION"
  installed_something=1
fi

npm_version() {  # version of the package installed under prefix $1, or nothing
  node -p "require('$1/node_modules/$2/package.json').version" 2>/dev/null || true
}
# npm_ensure PREFIX EXE WANT HAVE PACKAGE@VERSION...: install the packages into
# PREFIX unless HAVE (the versions installed) is WANT and EXE runs
npm_ensure() {
  local prefix="$1" exe="$2" want="$3" have="$4"
  shift 4
  if [ "$have" = "$want" ] && [ -x "$exe" ]; then
    log "$* present in $prefix"
  else
    log "npm install $* into $prefix (was: ${have:-none})"
    "${SUDO[@]}" mkdir -p "$prefix"
    "${SUDO[@]}" npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error "$@"
    installed_something=1
  fi
}

# 4. yaml-language-server (what VS Code's and other editors' YAML support runs)
npm_ensure "$YAML_LS_PREFIX" "$YAML_LS" "$YAML_LS_VERSION" "$(npm_version "$YAML_LS_PREFIX" yaml-language-server)" \
  "yaml-language-server@$YAML_LS_VERSION"

# 5. ajv-cli with a pinned ajv (ajv-cli's own range would take whatever ajv 8 is newest)
npm_ensure "$AJV_PREFIX" "$AJV" "$AJV_CLI_VERSION/$AJV_VERSION" \
  "$(npm_version "$AJV_PREFIX" ajv-cli)/$(npm_version "$AJV_PREFIX" ajv)" "ajv-cli@$AJV_CLI_VERSION" "ajv@$AJV_VERSION"

# 6. Checks ------------------------------------------------------------------
command -v dot >/dev/null
[ -x "$YAML_LS" ] || { log "$YAML_LS missing"; exit 1; }
[ -x "$AJV" ] || { log "$AJV missing"; exit 1; }
[ -x /usr/bin/chromium ] || { log "/usr/bin/chromium missing"; exit 1; }
[ -x "$MMDC" ] || { log "$MMDC missing"; exit 1; }
[ -f "$PUPPETEER_CONFIG" ] || { log "$PUPPETEER_CONFIG missing"; exit 1; }

if [ "$installed_something" -eq 1 ] || [ "$SMOKE" = "1" ]; then
  log "smoke test: dot -Tsvg/-Tpng and mmdc -> svg"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  printf 'digraph { a -> b [label="🚀 交渉 Négociation"] }\n' >"$tmp/t.dot"
  dot -Tsvg "$tmp/t.dot" -o "$tmp/t.svg"
  dot -Tpng "$tmp/t.dot" -o "$tmp/t.png"
  printf 'stateDiagram-v2\n  [*] --> s_a : 🚀 交渉\n  s_a --> [*]\n' >"$tmp/t.mmd"
  "$MMDC" -q -p "$PUPPETEER_CONFIG" -i "$tmp/t.mmd" -o "$tmp/t.svg"
  grep -q '交渉' "$tmp/t.svg"
fi

log "ok: $(dot -V 2>&1), $(/usr/bin/chromium --version 2>/dev/null), mmdc $("$MMDC" --version), ajv-cli $AJV_CLI_VERSION (ajv $(npm_version "$AJV_PREFIX" ajv))"
