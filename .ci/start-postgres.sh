#!/usr/bin/env bash
# Start a throwaway PostgreSQL server for the tests and benchmarks of the
# PostgreSQL store (docs/postgres.md), from Debian's packages.
#
#   - installs `postgresql` with apt-get when no server binaries are found;
#   - creates a data folder under $BLUEPRINT_PG_RUN (default
#     /tmp/blueprint-pg-$BLUEPRINT_PG_PORT) and starts a server listening on
#     127.0.0.1:$BLUEPRINT_PG_PORT only (default port 54329, so it never meets a
#     system cluster on 5432);
#   - creates the role and database the tests use (both `blueprint_test`),
#     with the password from $BLUEPRINT_TEST_PG_PASSWORD. When that is unset, a
#     random password is made once and kept in $BLUEPRINT_PG_RUN/password
#     (mode 600, outside the repository), where the tests read it.
#
# Idempotent: a server already answering on the port is reused (the role's
# password is set again). Runs as root (the server itself runs as `postgres`,
# through runuser) or as an ordinary user (the server runs as that user).
#
# Prints the connection URL (without the password) on its last line.
set -euo pipefail

PORT="${BLUEPRINT_PG_PORT:-54329}"
RUN="${BLUEPRINT_PG_RUN:-/tmp/blueprint-pg-$PORT}"
DATA="$RUN/data"
ROLE="blueprint_test"
DB="blueprint_test"

log() { printf '[start-postgres] %s\n' "$*" >&2; }

bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return 0; fi
  done
  return 1
}

if ! BIN="$(bindir)"; then
  if [ "$(id -u)" -ne 0 ]; then
    log "PostgreSQL is not installed and installing it needs root: apt-get install postgresql"
    exit 1
  fi
  log "apt-get update"
  apt-get update -qq
  log "apt-get install postgresql"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  BIN="$(bindir)"
fi

if [ "$(id -u)" -eq 0 ]; then
  OWNER=postgres
  AS=(runuser -u postgres --)
else
  OWNER="$(id -un)"
  AS=()
fi

mkdir -p "$RUN"
chmod 755 "$RUN"

# The password: from the environment, else the one made for this data folder.
PASSFILE="$RUN/password"
if [ -n "${BLUEPRINT_TEST_PG_PASSWORD:-}" ]; then
  PASSWORD="$BLUEPRINT_TEST_PG_PASSWORD"
elif [ -s "$PASSFILE" ]; then
  PASSWORD="$(cat "$PASSFILE")"
else
  PASSWORD="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
fi
(umask 077 && printf '%s' "$PASSWORD" >"$PASSFILE.tmp" && mv "$PASSFILE.tmp" "$PASSFILE")

if ! "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT"; then
  if [ ! -s "$DATA/PG_VERSION" ]; then
    log "initdb $DATA"
    rm -rf "$DATA"
    mkdir -p "$DATA"
    chown "$OWNER" "$DATA"
    chmod 700 "$DATA"
    "${AS[@]}" "$BIN/initdb" -D "$DATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      -E UTF8 --locale=C.UTF-8 >"$RUN/initdb.log"
    cat >>"$DATA/postgresql.conf" <<EOF
# blueprint test server (.ci/start-postgres.sh)
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$RUN'
max_connections = 100
EOF
  fi
  chown "$OWNER" "$RUN"
  log "starting PostgreSQL ($("$BIN/postgres" --version)) on 127.0.0.1:$PORT"
  "${AS[@]}" "$BIN/pg_ctl" -D "$DATA" -l "$RUN/server.log" -w -t 60 start >/dev/null
fi

# The local socket trusts the server's own OS user: set up the role and database.
psql_admin() { "${AS[@]}" "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$RUN" -p "$PORT" -U postgres "$@"; }
psql_admin -d postgres -v role="$ROLE" -v pw="$PASSWORD" <<'SQL' >/dev/null
SELECT format('CREATE ROLE %I LOGIN', :'role') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role')
\gexec
SELECT format('ALTER ROLE %I LOGIN PASSWORD %L', :'role', :'pw')
\gexec
SQL
if [ -z "$(psql_admin -d postgres -tA -c "SELECT 1 FROM pg_database WHERE datname = '$DB'")" ]; then
  psql_admin -d postgres -c "CREATE DATABASE $DB OWNER $ROLE" >/dev/null
fi

PGPASSWORD="$PASSWORD" "$BIN/psql" -X -q -h 127.0.0.1 -p "$PORT" -U "$ROLE" -d "$DB" -tA -c 'SELECT 1' >/dev/null
log "ready: password in \$BLUEPRINT_TEST_PG_PASSWORD or $PASSFILE"
echo "postgresql://$ROLE@127.0.0.1:$PORT/$DB"
