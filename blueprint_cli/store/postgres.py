"""The shared store: records, their history and published blueprints in PostgreSQL,
for a team that steps one pipeline from many machines (docs/postgres.md).

It keeps the promises of the JSON store (docs/workspace.md, section 'What the
store promises') with the database's own means:

- a record row, its new history rows and its tasks are written by one database
  transaction, so a dropped connection or a killed client leaves the record as
  before or as after, never between;
- `transaction(id)` holds the record for the whole `with` block: a session-level
  advisory lock on the record, and inside it the row itself is read
  `SELECT ... FOR UPDATE`. The advisory lock is what lets a block commit more
  than once (the move, then the outcomes of its e-mails) without another client
  slipping in between, and the server drops it with the connection;
- publishing takes an exclusive advisory lock that every command holds shared,
  as the JSON store does with `publish.lock`;
- one move reads and writes one row and appends to its history by primary key,
  so its cost does not grow with the number of records;
- a row that cannot be read back is reported by table and id; others keep working.

Everything lives in one PostgreSQL schema (default `blueprint`, or `?schema=NAME`
in the URL), whose `schema_version` table records the migrations applied. The
password never comes from the workspace: it is taken from `$BLUEPRINT_PG_PASSWORD`,
else libpq's own `$PGPASSWORD` or `~/.pgpass`.

Only this module imports the driver (psycopg 3, the `postgres` extra), and only
when a workspace actually uses PostgreSQL.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from blueprint_cli.diagnostics import BlueprintError
from blueprint_cli.engine.records import HistoryEntry, Passage, Record, passages_of
from blueprint_cli.store.contract import (
    FORMAT, BatchWriter, CorruptFile, FiguresAsked, FiguresFound, SpreadFound, StateFound, blueprint_problem, Dump, problem_in, PublishedBlueprint, Store, StoredRecord, UnknownRecord, Version, build_all, check_id,
    id_order, check_order,
)

if TYPE_CHECKING:
    import psycopg

    from blueprint_cli.store.contract import Write

SCHEMES = ("postgresql://", "postgres://")
DEFAULT_SCHEMA = "blueprint"
PASSWORD_ENV = "BLUEPRINT_PG_PASSWORD"
#: How long to wait for a lock another client holds before giving up (as the JSON store).
LOCK_TIMEOUT_MS = 30_000
#: Records fetched per query while scanning (keyset pages: no cursor held open).
PAGE = 2000
#: The memory the report's statement may use per sort or hash (about 150 bytes per stay).
FIGURES_WORK_MEM = "256MB"
# the driver by its own name: the distribution of blueprint is not on the public index
INSTALL_HINT = "install the driver: pip install 'psycopg[binary]>=3.1' (from a clone: pip install -e '.[postgres]')"
UPGRADE_HINT = "upgrade blueprint (the crm-blueprint distribution) to a newer version"
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


# ----- URLs --------------------------------------------------------------------------------

def is_url(text: str | os.PathLike[str] | None) -> bool:
    return isinstance(text, str) and text.startswith(SCHEMES)


@dataclass(frozen=True)
class Location:
    """Where a store lives: a libpq URL (password removed) and a schema."""

    conninfo: str
    schema: str
    #: a password written in the URL itself: used for this run, never stored
    password: str | None = None

    @property
    def url(self) -> str:
        """The URL to write into a workspace's config: no password, schema kept."""
        parts = urlsplit(self.conninfo)
        query = parse_qsl(parts.query, keep_blank_values=True)
        if self.schema != DEFAULT_SCHEMA:
            query.append(("schema", self.schema))
        return urlunsplit(parts._replace(query=urlencode(query)))

    def __str__(self) -> str:
        return self.url


def parse_url(url: str) -> Location:
    """Split our own `schema` parameter off a libpq URL and take the password out."""
    if not is_url(url):
        raise BlueprintError(f"{url!r} is not a PostgreSQL URL", hint="like postgresql://USER@HOST:5432/DATABASE")
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # an unclosed `[` of an IPv6 address, a host that normalises to a `/`
        raise BlueprintError(f"{url!r} is not a PostgreSQL URL: {exc}",
                             hint="like postgresql://USER@HOST:5432/DATABASE, an IPv6 host in brackets: "
                                  "postgresql://USER@[::1]:5432/DATABASE") from None
    query = parse_qsl(parts.query, keep_blank_values=True)
    schema = DEFAULT_SCHEMA
    rest = []
    for key, value in query:
        if key == "schema":
            schema = value
        elif key == "password":
            raise BlueprintError("the store URL must not carry a password",
                                 hint=f"set ${PASSWORD_ENV} (or $PGPASSWORD, or ~/.pgpass) instead")
        else:
            rest.append((key, value))
    if not _SCHEMA_NAME.match(schema):
        raise BlueprintError(f"schema={schema!r} is not a plain PostgreSQL schema name",
                             hint="lower-case letters, digits and _, like blueprint or sales_eu")
    password = parts.password
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, hostport = netloc.rpartition("@")
        user = userinfo.partition(":")[0]
        netloc = f"{user}@{hostport}" if user else hostport
    clean = urlunsplit(parts._replace(netloc=netloc, query=urlencode(rest)))
    return Location(clean, schema, password)


def redact(url: str) -> str:
    """The URL as it may be shown or stored: without a password."""
    try:
        return parse_url(url).url
    except BlueprintError:
        return re.sub(r"//([^:/@]*):[^@/]*@", r"//\1@", url)


# ----- schema migrations ---------------------------------------------------------------------

@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    sql: str


#: Applied in order, each once, in one transaction with its `schema_version` row.
#: `{s}` is the quoted schema name. Never edit a released migration: add one.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "records, history, published blueprints, record ids", """
        CREATE TABLE {s}.records (
            id         text PRIMARY KEY,
            -- id order as the JSON store lists records: numeric ids by value, then others
            sort_key   text COLLATE "C" NOT NULL GENERATED ALWAYS AS (
                           CASE WHEN id ~ '^[0-9]+$' THEN '0' || lpad(id, 64, '0') ELSE '1' || id END) STORED,
            module     text NOT NULL,
            blueprint  text,
            state      text,
            format     integer NOT NULL,
            -- the record exactly as the JSON store writes it (`json`, not `jsonb`: key order kept)
            data       json NOT NULL,
            history_length integer NOT NULL,
            written_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX records_order ON {s}.records (sort_key, id);
        CREATE INDEX records_by_state ON {s}.records (blueprint, state, sort_key, id);
        CREATE TABLE {s}.history (
            record_id  text NOT NULL REFERENCES {s}.records (id) ON DELETE CASCADE,
            seq        integer NOT NULL,
            entry      json NOT NULL,
            PRIMARY KEY (record_id, seq)
        );
        CREATE TABLE {s}.blueprints (
            id         text PRIMARY KEY,
            module     text NOT NULL,
            latest     integer NOT NULL,
            seq        integer NOT NULL UNIQUE,
            priority   integer,
            versions   json NOT NULL
        );
        CREATE TABLE {s}.blueprint_versions (
            blueprint  text NOT NULL,
            version    integer NOT NULL,
            text       text NOT NULL,
            data       json NOT NULL,
            meta       json NOT NULL,
            PRIMARY KEY (blueprint, version)
        );
        CREATE SEQUENCE {s}.record_ids;
    """),
    Migration(2, "history: typed columns of each entry (when, kind, transition, from, to, version), for reports", """
        ALTER TABLE {s}.history ADD COLUMN at_us bigint, ADD COLUMN at_offset integer, ADD COLUMN kind text,
            ADD COLUMN transition text, ADD COLUMN from_state text, ADD COLUMN to_state text,
            ADD COLUMN version integer, ADD COLUMN typed boolean NOT NULL DEFAULT false;
        -- the columns from `entry`, parsed once; `typed`: whether they are exactly what `passages_of`
        -- makes of it (the types the store schema's `history` gives these members, `at` in the form
        -- below), else a report reads the record the exact way. An entry that is not an object, or
        -- holds a NUL anywhere (the server's JSON functions refuse one; a write must not fail for it),
        -- gets none.
        CREATE FUNCTION {s}.history_columns() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            x record;
            t text;
        BEGIN
            NEW.at_us := NULL; NEW.at_offset := NULL; NEW.kind := NULL; NEW.transition := NULL;
            NEW.from_state := NULL; NEW.to_state := NULL; NEW.version := NULL; NEW.typed := false;
            IF strpos(NEW.entry::text, '\\u0000') > 0 OR json_typeof(NEW.entry) <> 'object' THEN
                RETURN NEW;
            END IF;
            SELECT * INTO x FROM json_to_record(NEW.entry) AS t(at json, "user" json, kind json, transition json,
                                                                "from" json, "to" json, version json);
            -- `at` as blueprint writes it (ISO 8601, to the second or finer, with an offset): microseconds
            -- since 1970-01-01 UTC, and the offset in seconds; NULL for anything else (the fields are
            -- checked first: the server's reader refuses what is not a time, and offsets past 15:59)
            IF json_typeof(x.at) = 'string' THEN
                t := x.at #>> '{{}}';
                IF t ~ '^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}T[0-9]{{2}}:[0-9]{{2}}:[0-9]{{2}}(\\.[0-9]{{1,6}})?(Z|[+-][0-9]{{2}}:[0-9]{{2}})$'
                        AND substr(t, 1, 4)::int BETWEEN 1000 AND 9000 AND substr(t, 6, 2)::int BETWEEN 1 AND 12
                        AND substr(t, 12, 2)::int < 24 AND substr(t, 15, 2)::int < 60 AND substr(t, 18, 2)::int < 60
                        AND (right(t, 1) = 'Z' OR substr(t, length(t) - 4, 2)::int < 16
                             AND right(t, 2)::int < 60) THEN
                    IF substr(t, 9, 2)::int BETWEEN 1 AND extract(day from make_date(substr(t, 1, 4)::int,
                            substr(t, 6, 2)::int, 1) + interval '1 month - 1 day') THEN
                        NEW.at_us := (extract(epoch from t::timestamptz) * 1000000)::bigint;
                        NEW.at_offset := CASE WHEN right(t, 1) = 'Z' THEN 0
                                              ELSE (CASE substr(t, length(t) - 5, 1) WHEN '-' THEN -1 ELSE 1 END)
                                                   * (substr(t, length(t) - 4, 2)::int * 3600 + right(t, 2)::int * 60) END;
                    END IF;
                END IF;
            END IF;
            NEW.kind := CASE WHEN x.kind IS NULL AND NEW.entry->'kind' IS NULL THEN 'move'
                             WHEN json_typeof(x.kind) = 'string' THEN x.kind #>> '{{}}' END;
            IF json_typeof(x.transition) = 'string' THEN NEW.transition := x.transition #>> '{{}}'; END IF;
            IF json_typeof(x."from") = 'string' THEN NEW.from_state := x."from" #>> '{{}}'; END IF;
            IF json_typeof(x."to") = 'string' THEN NEW.to_state := x."to" #>> '{{}}'; END IF;
            IF json_typeof(x.version) = 'number' AND x.version::text ~ '^-?[0-9]{{1,9}}$' THEN
                NEW.version := x.version::text::integer;
            END IF;
            NEW.typed := coalesce(NEW.at_us IS NOT NULL AND json_typeof(x."user") = 'string'
                AND NEW.kind IN ('create', 'move', 'part', 'edit', 'migrate', 'enter', 'task', 'escalate', 'skip')
                AND coalesce(json_typeof(x.transition), 'null') IN ('string', 'null')
                AND coalesce(json_typeof(x."from"), 'null') IN ('string', 'null')
                AND coalesce(json_typeof(x."to"), 'null') IN ('string', 'null')
                AND (coalesce(json_typeof(x.version), 'null') = 'null' OR NEW.version IS NOT NULL), false);
            RETURN NEW;
        END
        $$;
        -- on every write of an entry (insert, COPY, amendment), in its transaction: never out of step
        CREATE TRIGGER history_columns BEFORE INSERT OR UPDATE OF entry ON {s}.history
            FOR EACH ROW EXECUTE FUNCTION {s}.history_columns();
        UPDATE {s}.history SET entry = entry;
        -- the entries a report reads the exact way, found without reading the others
        CREATE INDEX history_untyped ON {s}.history (record_id) WHERE NOT typed;
    """),
)
LATEST = MIGRATIONS[-1].version


#: The passages of a page of records (`histories`), one row per entry in order, and
#: whether the entry has the types the store schema's `history` gives these members
#: (then the columns are exactly what `passages_of` makes of it; a version is a
#: plain integer literal, else the record is read the exact way).
_PASSAGES_SQL = """
    SELECT h.record_id, x.at #>> '{{}}', x."user" #>> '{{}}', coalesce(x.kind #>> '{{}}', 'move'),
           x.transition #>> '{{}}', x."from" #>> '{{}}', x."to" #>> '{{}}',
           CASE WHEN x.version::text ~ '^-?[0-9]{{1,9}}$' THEN (x.version::text)::integer END,
           coalesce(json_typeof(x.at) = 'string' AND json_typeof(x."user") = 'string'
               AND (x.kind IS NULL AND h.entry->'kind' IS NULL  -- no kind (a JSON null is none: refused)
                    OR json_typeof(x.kind) = 'string' AND x.kind #>> '{{}}' IN
                    ('create', 'move', 'part', 'edit', 'migrate', 'enter', 'task', 'escalate', 'skip'))
               AND coalesce(json_typeof(x.transition), 'null') IN ('string', 'null')
               AND coalesce(json_typeof(x."from"), 'null') IN ('string', 'null')
               AND coalesce(json_typeof(x."to"), 'null') IN ('string', 'null')
               AND (x.version IS NULL OR json_typeof(x.version) = 'null' OR x.version::text ~ '^-?[0-9]{{1,9}}$'),
               false)
    FROM {h} h, json_to_record(h.entry) AS x(at json, "user" json, kind json, transition json, "from" json,
                                             "to" json, version json)
    WHERE h.record_id = ANY(%s)
    ORDER BY h.record_id, h.seq"""


# ----- the report's figures, computed by the server (`HistoryFigures`) ------------------------

#: Days the working clock's arithmetic shifts every moment by, so that it divides positive numbers
#: only (a multiple of 7: weekdays stay where they are); reaches back before the year 1000.
_SHIFT_DAYS = 700_000
_DAY_US = 86_400_000_000


def _clock_sql(day: str, time_of_day: str, asked: FiguresAsked) -> str:
    """SQL for `WorkingCalendar.clock`: working microseconds up to a wall-clock
    time (on the calendar's wall clock), from an origin of its own (only
    differences are used), given as `day` (days since a Monday, positive:
    `_days_sql`) and `time_of_day` (microseconds). The same arithmetic: whole
    weeks times the working days of a week, the working days before this one in
    its week, less the holidays before it, times a day's working time; plus
    today's working time so far."""
    days = sorted(set(asked.working_days))
    prefix = [sum(1 for d in days if d < n) for n in range(7)]
    day_work = sum(b - a for a, b in asked.hours_us)
    holidays = "ARRAY[" + ",".join(str(h + _SHIFT_DAYS + 3) for h in sorted(asked.holidays)) + "]::bigint[]"
    before = f"({day} / 7 * {len(days)} + (ARRAY[{','.join(map(str, prefix))}])[{day} %% 7 + 1])"
    working = f"{day} %% 7 IN ({','.join(map(str, days))})"
    if asked.holidays:
        before = f"({before} - width_bucket({day} - 1, {holidays}))"
        working = f"{working} AND NOT {day} = ANY({holidays})"
    today = " + ".join(f"greatest(0, least({time_of_day}, {b}) - {a})" for a, b in asked.hours_us)
    return f"({before} * {day_work} + CASE WHEN {working} THEN {today} ELSE 0 END)"


def _days_sql(local: str) -> tuple[str, str]:
    """A wall-clock time in microseconds since 1970-01-01 as days since a Monday
    (always positive; % 7 is the weekday, 1970-01-01 was a Thursday) and the
    microseconds of its day."""
    return f"({local} + {_SHIFT_DAYS * _DAY_US}) / {_DAY_US} + 3", f"({local} + {_SHIFT_DAYS * _DAY_US}) %% {_DAY_US}"


def _figures_sql(s: str, asked: FiguresAsked) -> str:
    """One statement for every figure: the stays (`engine.stays`) with `lag` and
    `lead` over each record's entries, which records the server cannot vouch
    for, then each figure as a row (`part`, JSON)."""
    grouped = asked.selected is not None and any(g is not None for _, g in asked.selected)
    if asked.selected is not None:
        records = ("SELECT r.id, r.state, r.format, r.history_length, s.grp "
                   "FROM unnest(%(ids)s::text[], %(groups)s::text[]) AS s(id, grp) "
                   f"JOIN {s}.records r ON r.id = s.id AND r.blueprint = %(bp)s")
    else:
        records = ("SELECT r.id, r.state, r.format, r.history_length, NULL::text AS grp "
                   f"FROM {s}.records r WHERE r.blueprint = %(bp)s")
    if asked.changes_us is None:
        # no zone: each stay on the wall clock of the offset its start was written in
        start_local = "at_us + at_offset::bigint * 1000000"
        end_local = "end_us + at_offset::bigint * 1000000"
    elif not asked.changes_us:
        fixed = (asked.offsets or (0,))[0]
        start_local, end_local = f"at_us + {int(fixed) * 1_000_000}", f"end_us + {int(fixed) * 1_000_000}"
    else:
        def offset(t: str) -> str:
            return f"(%(offsets)s::bigint[])[width_bucket({t}, %(changes)s::bigint[]) + 1] * 1000000"
        start_local, end_local = f"at_us + {offset('at_us')}", f"end_us + {offset('end_us')}"
    window = ("(%(since)s::bigint IS NULL OR {t} >= %(since)s::bigint) "
              "AND (%(until)s::bigint IS NULL OR {t} < %(until)s::bigint)")
    sets = "GROUPING SETS ((state), (grp, state))" if grouped else "state"
    sets_left = "GROUPING SETS ((state, left_by, went), (grp, state, left_by, went))" if grouped else \
        "state, left_by, went"
    group_of = "CASE WHEN GROUPING(grp) = 0 THEN grp END" if grouped else "NULL::text"

    def spread(a: str) -> str:
        n = f"coalesce(cardinality({a}), 0)"
        return (f"json_build_array({n}, CASE WHEN {n} = 0 THEN NULL WHEN {n} %% 2 = 1 THEN {a}[{n} / 2 + 1] "
                f"ELSE ({a}[{n} / 2] + {a}[{n} / 2 + 1]) / 2 END, "
                f"{a}[greatest(1, ceil(0.9::float8 * {n})::int)], {a}[{n}])")

    return f"""
    WITH r AS MATERIALIZED ({records}),
    m AS (  -- the entries that name a state, in order, with the state the record was in
        SELECT h.record_id, h.seq, h.at_us, h.at_offset, h.kind, h.transition, h.from_state, h.to_state,
               h.version, lag(h.to_state) OVER (PARTITION BY h.record_id ORDER BY h.seq) AS before
        FROM {s}.history h WHERE h.record_id IN (SELECT id FROM r) AND h.to_state IS NOT NULL),
    marked AS (  -- which begin a stay; and records with an entry that leaves the record where it is
                 -- while it says it moves it (a report would count it as a move): judged by the report
        SELECT m.*, before IS NULL OR to_state <> before OR kind IN ('create', 'enter') AS begins,
               bool_or(to_state = before AND kind IN ('move', 'migrate') AND from_state IS DISTINCT FROM to_state)
                   OVER (PARTITION BY record_id ORDER BY seq ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
                   AS muddled
        FROM m),
    st AS MATERIALIZED (  -- each stay: the entry that began it, and what ended it
        SELECT record_id, seq, kind, transition, from_state, to_state AS state, version, before, at_us, at_offset,
               muddled, lead(at_us) OVER w AS end_us, lead(coalesce(nullif(transition, ''), kind)) OVER w AS left_by,
               lead(to_state) OVER w AS went, row_number() OVER w AS n, lead(seq) OVER w IS NULL AS last
        FROM marked WHERE begins
        WINDOW w AS (PARTITION BY record_id ORDER BY seq)),
    moves AS (SELECT * FROM unnest(%(mv)s::integer[], %(mt)s::text[], %(mf)s::text[], %(mto)s::text[])
              AS v(version, transition, from_state, to_state)),
    states AS (SELECT * FROM unnest(%(sv)s::integer[], %(ss)s::text[]) AS v(version, state)),
    odd AS MATERIALIZED (  -- records whose history the server does not judge: read the exact way
        SELECT h.record_id FROM {s}.history h WHERE NOT h.typed AND h.record_id IN (SELECT id FROM r)
        UNION
        SELECT record_id FROM st WHERE muddled OR kind NOT IN ('create', 'enter', 'move', 'migrate')
            OR version IS NULL OR kind IN ('move', 'migrate') AND before IS NOT NULL AND from_state IS DISTINCT FROM before
            OR kind = 'move' AND NOT coalesce((version, transition, from_state, state) IN (SELECT * FROM moves), false)
            OR kind <> 'move' AND NOT coalesce((version, state) IN (SELECT * FROM states), false)
        UNION
        SELECT r.id FROM r LEFT JOIN st ON st.record_id = r.id AND st.last
        WHERE r.format > {FORMAT} OR r.history_length > 0 AND st.state IS DISTINCT FROM r.state),
    good AS MATERIALIZED (SELECT r.* FROM r WHERE NOT EXISTS (SELECT 1 FROM odd WHERE odd.record_id = r.id)),
    ok AS MATERIALIZED (  -- the stays of the records the server judges
        SELECT st.*, {"r.grp" if grouped else "NULL::text AS grp"}, {window.format(t="st.at_us")} AS began_in,
               end_us IS NOT NULL AND {window.format(t="end_us")} AS ended_in
        FROM st {"JOIN r ON r.id = st.record_id" if grouped else ""}
        WHERE NOT EXISTS (SELECT 1 FROM odd WHERE odd.record_id = st.record_id)),
    timed AS (  -- each stay's times (OFFSET 0: each value computed once, not again where it is used)
        SELECT grp, state, ended_in, began_in, cal,
               CASE WHEN NOT ended_in THEN NULL WHEN end_us <= at_us THEN 0::float8
                    ELSE ({_clock_sql("db", "tb", asked)} - {_clock_sql("da", "ta", asked)})::float8 / 1000000
               END AS bus
        FROM (SELECT y.*, {_days_sql("la")[0]} AS da, {_days_sql("la")[1]} AS ta,
                     {_days_sql("lb")[0]} AS db, {_days_sql("lb")[1]} AS tb
              FROM (SELECT grp, state, ended_in, began_in, at_us, end_us, (end_us - at_us)::float8 / 1000000 AS cal,
                           CASE WHEN ended_in THEN {start_local} END AS la, CASE WHEN ended_in THEN {end_local} END AS lb
                    FROM ok OFFSET 0) AS y OFFSET 0) AS z),
    tally AS (
        SELECT {group_of} AS grp, state, count(*) FILTER (WHERE now) AS now,
               count(*) FILTER (WHERE began_in) AS entries,
               array_agg(cal ORDER BY cal) FILTER (WHERE ended_in) AS cals,
               array_agg(bus ORDER BY bus) FILTER (WHERE ended_in) AS buss
        FROM (SELECT grp, state, false AS now, began_in, ended_in, cal, bus FROM timed
              UNION ALL
              SELECT grp, state, true, false, false, NULL, NULL FROM good WHERE state IS NOT NULL) AS x
        GROUP BY {sets}),
    entered AS (SELECT record_id FROM ok WHERE n = 1 AND began_in)
    SELECT 'state', json_build_array(grp, state, now, entries, {spread('cals')}, {spread('buss')}) FROM tally
    UNION ALL
    SELECT 'left', json_build_array({group_of}, state, left_by, went, count(*)) FROM ok WHERE ended_in
    GROUP BY {sets_left}
    UNION ALL
    SELECT 'records', json_build_array({group_of}, count(*)) FROM good
    GROUP BY {"GROUPING SETS ((), (grp))" if grouped else "()"}
    UNION ALL
    SELECT 'entered', json_build_array(count(*)) FROM entered
    UNION ALL
    SELECT 'reached', json_build_array(state, count(DISTINCT record_id)) FROM ok
    WHERE record_id IN (SELECT record_id FROM entered) AND (%(until)s::bigint IS NULL OR at_us < %(until)s::bigint)
    GROUP BY state
    UNION ALL
    SELECT 'buckets', coalesce(json_agg(json_build_array(b * %(bucket)s::bigint - {_SHIFT_DAYS * _DAY_US}, moves, done)),
                               '[]')
    FROM (SELECT (at_us + {_SHIFT_DAYS * _DAY_US}) / %(bucket)s::bigint AS b, count(*) AS moves,
                 count(*) FILTER (WHERE state = ANY(%(final)s::text[])) AS done
          FROM ok WHERE kind IN ('move', 'migrate') AND state IS DISTINCT FROM from_state AND began_in
          GROUP BY 1) AS b
    UNION ALL
    SELECT 'span', json_build_array(min(at_us), max(coalesce(end_us, at_us))) FROM ok
    UNION ALL
    SELECT 'odd', json_build_array(record_id) FROM odd
    UNION ALL
    SELECT 'stuck', json_build_array(c.id, c.data, c.last_at, c.began_at) FROM (
        SELECT good.id, rr.data, last.entry->>'at' AS last_at, last.at_us AS last_us,
               (SELECT h.entry->>'at' FROM {s}.history h WHERE h.record_id = good.id AND h.seq = st.seq) AS began_at,
               good.state
        FROM good JOIN {s}.records rr ON rr.id = good.id JOIN st ON st.record_id = good.id AND st.last
        CROSS JOIN LATERAL (SELECT h.entry, h.at_us FROM {s}.history h WHERE h.record_id = good.id
                            ORDER BY h.seq DESC LIMIT 1) AS last
        WHERE good.state IS NOT NULL AND NOT good.state = ANY(%(final)s::text[])) AS c
    WHERE c.state = ANY(%(timed)s::text[]) OR %(idle)s::bigint IS NOT NULL AND c.last_us < %(now)s::bigint - %(idle)s::bigint
    """


def _spread(found: list[Any]) -> SpreadFound:
    """A spread as the server sends it: JSON writes a whole float8 as an integer."""
    n, *values = found
    return SpreadFound(int(n), *(float(v) if v is not None else None for v in values))


def _driver() -> Any:
    try:
        import psycopg
    except ImportError:
        raise BlueprintError("this workspace keeps its records in PostgreSQL, and the driver is not installed",
                             hint=INSTALL_HINT) from None
    return psycopg


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


# ----- the store -----------------------------------------------------------------------------

class PostgresStore:
    def __init__(self, url: str | Location, *, check: bool = True) -> None:
        self.place = url if isinstance(url, Location) else parse_url(url)
        self.schema = self.place.schema
        self._s = f'"{self.schema}"'  # validated by parse_url: safe to splice into SQL
        self._check = check
        self._conn: psycopg.Connection[Any] | None = None
        #: "sh"/"ex" while this process holds the publish lock
        self._held: str | None = None
        self._data_cache: dict[tuple[str, int], Mapping[str, Any]] = {}
        #: `published()` as last read; dropped whenever it could have changed for this
        #: process (entering a session or publishing, starting a scan)
        self._published: list[PublishedBlueprint] | None = None

    def __repr__(self) -> str:
        return f"PostgresStore({self.place.url!r})"

    @property
    def url(self) -> str:
        return self.place.url

    # ----- what the store is (the `Store` protocol) --------------------------------------

    @property
    def location(self) -> str:
        return self.place.url

    @property
    def folder(self) -> Path | None:
        return None

    def info(self) -> dict[str, Any]:
        return {"kind": "postgresql", "url": self.url, "schema": self.schema,
                "schema_version": self.schema_version(), **self.counts()}

    def reopened(self) -> Store:
        return PostgresStore(self.place)

    @contextmanager
    def writer(self) -> Iterator[None]:
        yield None  # a batch is one transaction: nothing to gain from a helper

    # ----- connecting ---------------------------------------------------------------------

    @classmethod
    def init(cls, url: str | Location) -> PostgresStore:
        """Create the schema and its tables, or bring them up to date."""
        store = cls(url, check=False)
        store.migrate()
        store._check = True
        return store

    def connect(self) -> psycopg.Connection[Any]:
        """The connection, opened (and the schema version checked) on first use."""
        if self._conn is not None and not self._conn.closed and not self._conn.broken:
            return self._conn
        if self._held is not None:
            raise self._lost(None)  # the locks this command holds went with the connection
        driver = _driver()
        # the pid lets an administrator (or a test) tell the clients apart in pg_stat_activity
        kwargs: dict[str, Any] = {"autocommit": True, "application_name": f"blueprint/{os.getpid()}"}
        password = os.environ.get(PASSWORD_ENV) or self.place.password
        if password:
            kwargs["password"] = password
        if "connect_timeout" not in self.place.conninfo:
            kwargs["connect_timeout"] = 10
        try:
            conn: psycopg.Connection[Any] = driver.connect(self.place.conninfo, **kwargs)
        except driver.Error as exc:
            raise BlueprintError(
                f"cannot connect to the store at {self.url}: {_first_line(exc)}",
                hint=f"is the server running? the password comes from ${PASSWORD_ENV}, $PGPASSWORD or ~/.pgpass",
                exit_code=1) from None
        except UnicodeError:  # from the resolver's IDNA encoding: a part over 63 characters, or an empty one
            raise BlueprintError(f"cannot connect to the store at {self.url}: its host is no name DNS can look up",
                                 hint="each dot-separated part of a host name is 1 to 63 characters",
                                 exit_code=1) from None
        with self._errors():
            conn.execute(f"SET lock_timeout = {LOCK_TIMEOUT_MS}")
        if self._check:
            try:
                self._check_schema(conn)
            except BaseException:
                conn.close()
                raise
        self._conn = conn
        return conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _check_schema(self, conn: psycopg.Connection[Any]) -> None:
        version = self.schema_version(conn)
        if version is None:
            raise BlueprintError(f"no blueprint store in {self.url} (schema {self.schema!r} has no tables)",
                                 hint=f"create it: blueprint init --store {self.url}", exit_code=1)
        if version > LATEST:
            raise BlueprintError(f"the store at {self.url} is at schema version {version}; "
                                 f"this blueprint knows versions up to {LATEST}",
                                 hint=UPGRADE_HINT, exit_code=1)
        if version < LATEST:
            raise BlueprintError(f"the store at {self.url} is at schema version {version}, "
                                 f"this blueprint needs {LATEST}",
                                 hint="migrate it (all its users upgrade first): blueprint store migrate", exit_code=1)

    def schema_version(self, conn: psycopg.Connection[Any] | None = None) -> int | None:
        """The schema's migration level, or None when it has no blueprint tables."""
        conn = conn or self.connect()
        with self._errors():
            row = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (f"{self._s}.schema_version",)).fetchone()
            if not row or not row[0]:
                return None
            row = conn.execute(f"SELECT max(version) FROM {self._s}.schema_version").fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    def migrate(self) -> list[Migration]:
        """Apply the migrations this schema lacks, each with its version row, in one
        transaction; concurrent callers wait for each other. Returns those applied."""
        was, self._check = self._check, False
        try:
            conn = self.connect()
        finally:
            self._check = was
        applied: list[Migration] = []
        with self._errors(), conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (f"{self.schema}/migrate",))
            conn.execute(f"CREATE SCHEMA IF NOT EXISTS {self._s}")
            conn.execute(f"""CREATE TABLE IF NOT EXISTS {self._s}.schema_version (
                                 version integer PRIMARY KEY, description text NOT NULL,
                                 applied_at timestamptz NOT NULL DEFAULT now())""")
            row = conn.execute(f"SELECT coalesce(max(version), 0) FROM {self._s}.schema_version").fetchone()
            current = int(row[0]) if row else 0
            if current > LATEST:
                raise BlueprintError(f"the store at {self.url} is at schema version {current}; "
                                     f"this blueprint knows versions up to {LATEST}", hint=UPGRADE_HINT,
                                     exit_code=1)
            for migration in MIGRATIONS:
                if migration.version > current:
                    conn.execute(migration.sql.format(s=self._s))
                    conn.execute(f"INSERT INTO {self._s}.schema_version (version, description) VALUES (%s, %s)",
                                 (migration.version, migration.description))
                    applied.append(migration)
        return applied

    @contextmanager
    def _errors(self, record_id: str | None = None) -> Iterator[None]:
        """Driver errors become messages a user can act on (never a traceback)."""
        psycopg = _driver()
        try:
            yield
        except psycopg.errors.LockNotAvailable:
            what = f"record {record_id}" if record_id else "the workspace"
            raise BlueprintError(f"{what} is locked by another blueprint client (waited {LOCK_TIMEOUT_MS / 1000:g}s)",
                                 hint="try again", exit_code=1) from None
        except psycopg.OperationalError as exc:
            raise self._lost(exc, record_id) from None
        except psycopg.errors.UndefinedTable as exc:
            raise BlueprintError(f"the store at {self.url} lacks a table: {_first_line(exc)}",
                                 hint="blueprint store migrate", exit_code=1) from None
        except psycopg.Error as exc:
            raise BlueprintError(f"the store at {self.url} refused the change: {_first_line(exc)}",
                                 hint="nothing of it was written", exit_code=1) from None

    def _lost(self, exc: BaseException | None, record_id: str | None = None) -> BlueprintError:
        detail = f": {_first_line(exc)}" if exc is not None else ""
        check = f" (see `blueprint history {record_id}`)" if record_id else ""
        return BlueprintError(f"lost the connection to the store at {self.url}{detail}",
                              hint="nothing is half-written: each change is either committed whole or not at all"
                                   + check, exit_code=1)

    def _key(self, name: str) -> str:
        return f"{self.schema}/{name}"

    # ----- reading records ----------------------------------------------------------------

    def display(self, record_id: str) -> str:
        return f"{self.schema}.records id {record_id}"

    def _decode(self, record_id: str, data: Any, history: Any) -> StoredRecord:
        name = self.display(record_id)
        problem = problem_in("record", data)
        if problem is not None:
            raise CorruptFile(name, f"not a valid record: {problem}")
        try:
            record = Record.from_dict(data)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise CorruptFile(name, f"not a valid record: {type(exc).__name__} {exc}") from None
        if record.id != record_id:
            raise CorruptFile(name, f"holds record {record.id!r}, not {record_id!r}")
        return StoredRecord(record, self._decode_history(record_id, history))

    def _decode_history(self, record_id: str, history: Any) -> list[HistoryEntry]:
        if history:  # () when a batch reads no history
            problem = problem_in("history", history)
            if problem is not None:
                raise CorruptFile(self.display(record_id), f"not a valid history: {problem}")
        try:
            return [HistoryEntry.from_dict(e) for e in history or ()]
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise CorruptFile(self.display(record_id),
                              f"not a valid history entry: {type(exc).__name__} {exc}") from None

    def _read(self, record_id: str) -> StoredRecord:
        history = (f"(SELECT coalesce(json_agg(h.entry ORDER BY h.seq), '[]') FROM {self._s}.history h "
                   f"WHERE h.record_id = r.id)")
        sql = f"SELECT r.data, {history}, r.format FROM {self._s}.records r WHERE r.id = %s"
        row = self.connect().execute(sql, (record_id,)).fetchone()
        if row is None:
            raise UnknownRecord(f"no record {record_id}", hint="see `blueprint record list`")
        data, history_rows, fmt = row
        self._check_format(record_id, fmt)
        return self._decode(record_id, data, history_rows)

    def get(self, record_id: str) -> StoredRecord:
        check_id(record_id)
        with self._errors(record_id):
            return self._read(record_id)

    def scan(self, *, blueprint: str | None = None, state: str | None = None,
             errors: list[CorruptFile] | None = None) -> Iterator[Record]:
        """Records in id order (as the JSON store), a page per query."""
        where, params = [], []
        if blueprint is not None:
            where.append("blueprint = %s")
            params.append(blueprint)
        if state is not None:
            where.append("state = %s")
            params.append(state)
        self._published = None
        last: tuple[str, str] | None = None
        while True:
            clauses = where + (["(sort_key, id) > (%s, %s)"] if last else [])
            sql = (f"SELECT id, sort_key, data FROM {self._s}.records"
                   + (" WHERE " + " AND ".join(clauses) if clauses else "")
                   + f" ORDER BY sort_key, id LIMIT {PAGE}")
            with self._errors():
                rows = self.connect().execute(sql, [*params, *(last or ())]).fetchall()
            for record_id, _, data in rows:
                try:
                    record = self._decode(record_id, data, ()).record
                except CorruptFile as exc:
                    if errors is None:
                        raise
                    errors.append(exc)
                    continue
                yield record
            if len(rows) < PAGE:
                return
            last = (rows[-1][1], rows[-1][0])

    def histories(self, *, blueprint: str | None = None,
                  errors: list[CorruptFile] | None = None) -> Iterator[tuple[Record, Sequence[Passage]]]:
        """Records with their histories' passages, in id order, a page of records
        per query and one more for their entries. The server takes each entry
        apart (`json_to_record`, the entry's text parsed once) and sends only a
        passage's members as columns, with whether they have the types the store
        schema's `history` gives them; a record whose entries do not all pass
        (or a page the server cannot take apart) is read as before, whole, and
        checked by `problem_in` — so its error is the same one."""
        last: tuple[str, str] | None = None
        while True:
            clauses = (["r.blueprint = %s"] if blueprint is not None else []) + \
                (["(r.sort_key, r.id) > (%s, %s)"] if last else [])
            sql = (f"SELECT r.id, r.sort_key, r.data, r.format FROM {self._s}.records r"
                   + (" WHERE " + " AND ".join(clauses) if clauses else "")
                   + f" ORDER BY r.sort_key, r.id LIMIT {PAGE}")
            params = ([blueprint] if blueprint is not None else []) + list(last or ())
            with self._errors():
                rows = self.connect().execute(sql, params).fetchall()
            yield from self._with_passages([(r[0], r[2], r[3]) for r in rows], errors)
            if len(rows) < PAGE:
                return
            last = (rows[-1][1], rows[-1][0])

    def history_figures(self, asked: FiguresAsked, errors: list[CorruptFile] | None = None) -> FiguresFound:
        """The report's figures in one statement over the typed history columns
        (`_figures_sql`); the records the server does not vouch for are then read
        the exact way, in one more query (`HistoryFigures`)."""
        params: dict[str, Any] = {
            "bp": asked.blueprint, "since": asked.since_us, "until": asked.until_us, "now": asked.now_us,
            "idle": asked.idle_us, "final": list(asked.final), "timed": list(asked.timed_states),
            "bucket": asked.bucket_us,
            "mv": [m[0] for m in asked.moves], "mt": [m[1] for m in asked.moves],
            "mf": [m[2] for m in asked.moves], "mto": [m[3] for m in asked.moves],
            "sv": [v for v, _ in asked.states], "ss": [st for _, st in asked.states],
            "changes": list(asked.changes_us or ()), "offsets": list(asked.offsets or ()),
            "ids": [i for i, _ in asked.selected or ()], "groups": [g for _, g in asked.selected or ()]}
        conn = self.connect()
        with self._errors(), conn.transaction():
            # the stays are sorted and aggregated in memory, not in files (the default is 4 MB)
            conn.execute(f"SET LOCAL work_mem = '{FIGURES_WORK_MEM}'")
            rows = conn.execute(_figures_sql(self._s, asked), params).fetchall()
        states: list[StateFound] = []
        left_by: list[tuple[str | None, str, str, str, int]] = []
        records, groups, entered = 0, {}, 0
        reached: dict[str, int] = {}
        buckets: list[tuple[int, int, int]] = []
        span: tuple[int, int] | None = None
        odd: list[str] = []
        stuck: list[tuple[Record, str, str]] = []
        for part, v in rows:
            if part == "state":
                states.append(StateFound(v[0], v[1], v[2], v[3], _spread(v[4]), _spread(v[5])))
            elif part == "left":
                left_by.append((v[0], v[1], v[2], v[3], v[4]))
            elif part == "records":
                if v[0] is None:
                    records = v[1]
                else:
                    groups[v[0]] = v[1]
            elif part == "entered":
                entered = v[0]
            elif part == "reached":
                reached[v[0]] = v[1]
            elif part == "buckets":
                buckets = [(b, n, done) for b, n, done in v]
            elif part == "span":
                span = (v[0], v[1]) if v[0] is not None else None
            elif part == "odd":
                odd.append(v[0])
            elif part == "stuck":
                record_id, data, last_at, began_at = v
                try:
                    stuck.append((self._decode(record_id, data, ()).record, last_at, began_at))
                except CorruptFile as exc:
                    if errors is None:
                        raise
                    errors.append(exc)
        return FiguresFound(records, groups, states, left_by, entered, reached, buckets, stuck,
                            list(self._histories_of(sorted(odd, key=id_order), errors)), span)

    def _histories_of(self, record_ids: Sequence[str],
                      errors: list[CorruptFile] | None) -> Iterator[tuple[Record, Sequence[Passage]]]:
        """These records with their passages, as `histories` reads them (a page per query)."""
        for start in range(0, len(record_ids), PAGE):
            ids = list(record_ids[start:start + PAGE])
            with self._errors():
                rows = self.connect().execute(
                    f"SELECT r.id, r.data, r.format FROM {self._s}.records r WHERE r.id = ANY(%s) "
                    "ORDER BY r.sort_key, r.id", (ids,)).fetchall()
            yield from self._with_passages(rows, errors)

    def _with_passages(self, rows: Sequence[tuple[str, Any, int]],
                       errors: list[CorruptFile] | None) -> Iterator[tuple[Record, Sequence[Passage]]]:
        """A page of record rows (id, data, format) with their passages (one more query)."""
        found = self._page_passages([r[0] for r in rows])
        for record_id, data, fmt in rows:
            try:
                self._check_format(record_id, fmt)
                record = self._decode(record_id, data, ()).record
                passages = found.get(record_id)
                if passages is None:
                    passages = self._exact_passages(record_id)
            except CorruptFile as exc:
                if errors is None:
                    raise
                errors.append(exc)
                continue
            yield record, passages

    def _page_passages(self, record_ids: Sequence[str]) -> dict[str, list[Passage]]:
        """The passages of these records whose every entry the server found well
        typed (the others are left out: `_exact_passages` reads them)."""
        if not record_ids:
            return {}
        psycopg = _driver()
        conn = self.connect()
        with self._errors():
            try:
                with conn.transaction():  # a savepoint inside a session: a refusal leaves it usable
                    rows = conn.execute(_PASSAGES_SQL.format(h=f"{self._s}.history"), (list(record_ids),)).fetchall()
            except psycopg.DataError:
                return {}  # an entry the server cannot take apart (not an object, a \u0000): each read whole
        out: dict[str, list[Passage]] = {}
        bad: set[str] = set()
        for record_id, at, user, kind, transition, source, target, version, ok in rows:
            if not ok:
                bad.add(record_id)
            else:
                out.setdefault(record_id, []).append(Passage(at, user, kind, transition, source, target, version))
        for record_id in bad:
            out.pop(record_id, None)
        return out

    def _exact_passages(self, record_id: str) -> list[Passage]:
        """One record's passages the slow, exact way: its entries' members as JSON,
        checked against the store schema (raises `CorruptFile` as `get` would)."""
        members = ("json_build_object('at', e.entry->'at', 'user', e.entry->'user', 'kind', "
                   "coalesce(e.entry->'kind', to_json('move'::text)), 'transition', e.entry->'transition', "
                   "'from', e.entry->'from', 'to', e.entry->'to', 'version', e.entry->'version')")
        with self._errors(record_id):
            row = self.connect().execute(
                f"SELECT coalesce(json_agg({members} ORDER BY e.seq), '[]') FROM {self._s}.history e "
                "WHERE e.record_id = %s", (record_id,)).fetchone()
        history = row[0] if row else []
        problem = problem_in("history", history)
        if problem is not None:
            raise CorruptFile(self.display(record_id), f"not a valid history: {problem}")
        return passages_of(history)

    def record_ids_in(self, blueprint: str, state: str) -> list[str]:
        return [r.id for r in self.scan(blueprint=blueprint, state=state, errors=[])]

    def ids(self, *, blueprint: str, state: str) -> list[str]:
        """Ids of the records in a state, in id order, from the index alone."""
        with self._errors():
            rows = self.connect().execute(
                f"SELECT id FROM {self._s}.records WHERE blueprint = %s AND state = %s ORDER BY sort_key, id",
                (blueprint, state)).fetchall()
        return [r[0] for r in rows]

    def counts(self) -> dict[str, int]:
        """How many records, history entries, blueprints and versions the store holds."""
        with self._errors():
            row = self.connect().execute(
                f"SELECT (SELECT count(*) FROM {self._s}.records), (SELECT count(*) FROM {self._s}.history), "
                f"(SELECT count(*) FROM {self._s}.blueprints), (SELECT count(*) FROM {self._s}.blueprint_versions)"
            ).fetchone()
        assert row is not None
        return dict(zip(("records", "history", "blueprints", "versions"), map(int, row)))

    # ----- writing records ----------------------------------------------------------------

    _LOCK_SHARED = "SELECT pg_advisory_lock_shared(hashtextextended(%s, 0))"
    _UNLOCK_SHARED = "SELECT pg_advisory_unlock_shared(hashtextextended(%s, 0))"
    _LOCK = "SELECT pg_advisory_lock(hashtextextended(%s, 0))"
    _UNLOCK = "SELECT pg_advisory_unlock(hashtextextended(%s, 0))"

    @contextmanager
    def session(self) -> Iterator[None]:
        """Hold off publishing while a command reads blueprints and writes records."""
        if self._held is not None:
            yield
            return
        conn = self.connect()
        self._published = None
        try:
            with self._errors():
                conn.execute(self._LOCK_SHARED, (self._key("publish"),))
            self._held = "sh"
            yield
        finally:
            self._held = None
            self._release([(self._UNLOCK_SHARED, self._key("publish"))])

    def _release(self, unlocks: Sequence[tuple[str, Any]], *, rollback: bool = False) -> None:
        """End an unfinished transaction and drop advisory locks, in one round trip.
        Unlocking a lock not held only makes the server warn, so this is safe after a
        failure part-way through taking them."""
        conn = self._conn
        if conn is None or conn.closed or conn.broken:
            return  # the server dropped the locks with the connection
        psycopg = _driver()
        sql = [sql for sql, _ in unlocks]
        if rollback and conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            sql.insert(0, "ROLLBACK")  # the block ended without committing (a refusal, an error)
        try:
            self._script(sql, [key for _, key in unlocks])
        except psycopg.OperationalError:
            pass

    def _script(self, statements: Sequence[str], params: Sequence[Any]) -> list[list[Any]]:
        """Run several statements in one round trip (the simple query protocol, values
        bound on the client) and return the rows of each that returns rows. psycopg's
        pipeline mode would do the same, but it polls the socket while it waits,
        which costs a CPU per waiting client."""
        cur = _driver().ClientCursor(self.connect())
        cur.execute("; ".join(statements), params)
        rows: list[list[Any]] = []
        while True:
            if cur.description is not None:
                rows.append(cur.fetchall())
            if not cur.nextset():
                return rows

    @contextmanager
    def transaction(self, record_id: str) -> Iterator[_Transaction]:
        """Lock the record for the block: its advisory lock (held across commits), then
        its row, read FOR UPDATE in a transaction — taken in one round trip, with the
        session's shared publish lock when this is the command's first."""
        check_id(record_id)
        outer = self._held is None
        locks = ([(self._UNLOCK_SHARED, self._key("publish"))] if outer else []) + \
            [(self._UNLOCK, self._key(f"record/{record_id}"))]
        if outer:
            self._published = None
        try:
            with self._errors(record_id):
                # session locks outlive the transaction they were taken in; the command's
                # first lock also reads the published blueprints, which cannot change under it
                results = self._script(
                    ["BEGIN", *([self._LOCK_SHARED, self._published_sql] if outer else []), self._LOCK,
                     f"SELECT data, history_length, format FROM {self._s}.records WHERE id = %s FOR UPDATE"],
                    [*([self._key("publish")] if outer else []), self._key(f"record/{record_id}"), record_id])
                if outer:
                    self._held = "sh"
                    self._published = self._published_from(results[1])
                row = results[-1][0] if results[-1] else None
            if row is None:
                raise UnknownRecord(f"no record {record_id}", hint="see `blueprint record list`")
            data, length, fmt = row
            self._check_format(record_id, fmt)
            record = self._decode(record_id, data, ()).record
            yield _Transaction(self, record_id, _LockedRecord(self, record, int(length)))
        finally:
            if outer:
                self._held = None
            self._release(list(reversed(locks)), rollback=True)

    @contextmanager
    def batch(self, record_ids: Sequence[str], errors: list[CorruptFile] | None = None) -> Iterator[_Batch]:
        """Lock many records for a bulk operation: their advisory locks in id order
        (two batches never deadlock), then their rows FOR UPDATE, in one round trip;
        `commit` writes all their changes in one transaction."""
        ids = sorted(dict.fromkeys(check_id(i) for i in record_ids), key=id_order)
        outer = self._held is None
        keys = [self._key(f"record/{i}") for i in ids]
        if outer:
            self._published = None
        try:
            with self._errors():
                results = self._script(
                    ["BEGIN", *([self._LOCK_SHARED, self._published_sql] if outer else []),
                     "SELECT count(pg_advisory_lock(hashtextextended(k, 0))) "
                     "FROM unnest(%s::text[]) WITH ORDINALITY AS t(k, n)",
                     f"SELECT id, data, history_length, format FROM {self._s}.records WHERE id = ANY(%s::text[]) "
                     "ORDER BY sort_key, id FOR UPDATE"],
                    [*([self._key("publish")] if outer else []), keys, ids])
                if outer:
                    self._held = "sh"
                    self._published = self._published_from(results[1])
            current: dict[str, _LockedRecord] = {}
            for record_id, data, length, fmt in results[-1]:
                try:
                    self._check_format(record_id, fmt)
                    current[record_id] = _LockedRecord(self, self._decode(record_id, data, ()).record, int(length))
                except CorruptFile as exc:
                    if errors is None:
                        raise
                    errors.append(exc)
            yield _Batch(self, current)
        finally:
            if outer:
                self._held = None
            unlock = ("SELECT count(pg_advisory_unlock(hashtextextended(k, 0))) "
                      "FROM unnest(%s::text[]) AS t(k)")
            self._release([(unlock, keys)] + ([(self._UNLOCK_SHARED, self._key("publish"))] if outer else []),
                          rollback=True)

    def _history(self, record_id: str) -> list[HistoryEntry]:
        with self._errors(record_id):
            rows = self.connect().execute(f"SELECT entry FROM {self._s}.history WHERE record_id = %s ORDER BY seq",
                                          (record_id,)).fetchall()
        return self._decode_history(record_id, [r[0] for r in rows])

    def _check_format(self, record_id: str, fmt: int) -> None:
        if fmt > FORMAT:
            raise CorruptFile(self.display(record_id), f"written in store format {fmt}; this blueprint reads {FORMAT}")

    def create(self, build: Callable[[str], tuple[Record, HistoryEntry]]) -> Record:
        """Take the next id, build the record with it, and write it with its first entry."""
        with self.session():
            conn = self.connect()
            while True:
                with self._errors():
                    row = conn.execute(f"SELECT nextval('{self._s}.record_ids')").fetchone()
                assert row is not None
                record_id = str(row[0])
                record, entry = build(record_id)
                if record.id != record_id:
                    raise ValueError("the built record must carry the allocated id")
                with self._errors(record_id):
                    row = conn.execute(
                        f"WITH r AS ({self._insert_record()} ON CONFLICT (id) DO NOTHING RETURNING id) "
                        f"INSERT INTO {self._s}.history (record_id, seq, entry) SELECT id, 0, %s FROM r RETURNING 1",
                        (*self._record_params(record, 1), _dumps(entry.to_dict()))).fetchone()
                if row is not None:
                    return record
                # the id was taken (copied in from another store): take the next

    def create_many(self, builds: Sequence[Callable[[str], tuple[Record, HistoryEntry]]]) -> list[Record]:
        """Create several records (an import) in one transaction: all or none."""
        if not builds:
            return []
        with self.session():
            conn = self.connect()
            ids: list[str] = []
            with self._errors():
                while len(ids) < len(builds):  # ids copied in from another store may be taken: skip them
                    rows = conn.execute(
                        f"SELECT n::text FROM (SELECT nextval('{self._s}.record_ids') AS n "
                        "FROM generate_series(1, %s)) AS t "
                        f"WHERE NOT EXISTS (SELECT 1 FROM {self._s}.records r WHERE r.id = t.n::text) ORDER BY n",
                        (len(builds) - len(ids),)).fetchall()
                    ids += [r[0] for r in rows]
            built = build_all(ids, builds)
            rows_json = _dumps([{"id": r.id, "module": r.module, "blueprint": r.blueprint, "state": r.state,
                                 "data": r.to_dict()} for r, _ in built])
            history_json = _dumps([{"record_id": r.id, "entry": e.to_dict()} for r, e in built])
            with self._errors():
                self._script([
                    "BEGIN",
                    f"INSERT INTO {self._s}.records (id, module, blueprint, state, format, data, history_length) "
                    f"SELECT id, module, blueprint, state, {FORMAT}, data, 1 FROM json_to_recordset(%s::json) "
                    "AS x(id text, module text, blueprint text, state text, data json)",
                    f"INSERT INTO {self._s}.history (record_id, seq, entry) SELECT record_id, 0, entry "
                    "FROM json_to_recordset(%s::json) AS x(record_id text, entry json)",
                    "COMMIT"], [rows_json, history_json])
            return [r for r, _ in built]

    def _insert_record(self) -> str:
        return (f"INSERT INTO {self._s}.records (id, module, blueprint, state, format, data, history_length) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s)")

    @staticmethod
    def _record_params(record: Record, history_length: int) -> tuple[Any, ...]:
        return (record.id, record.module, record.blueprint, record.state, FORMAT, _dumps(record.to_dict()),
                history_length)

    # ----- blueprints -------------------------------------------------------------------

    def published(self) -> list[PublishedBlueprint]:
        """Published blueprints in publish order. Read once, then again only after
        something could have changed them: listing many records asks for every one."""
        if self._published is not None:
            return list(self._published)
        with self._errors():
            rows = self.connect().execute(self._published_sql).fetchall()
        self._published = self._published_from(rows)
        return list(self._published)

    @property
    def _published_sql(self) -> str:
        return f"SELECT id, module, latest, seq, priority, versions FROM {self._s}.blueprints ORDER BY seq"

    @staticmethod
    def _published_from(rows: Sequence[Any]) -> list[PublishedBlueprint]:
        return [PublishedBlueprint(i, m, int(latest), int(seq), priority, tuple(versions or ()))
                for i, m, latest, seq, priority, versions in rows]

    def blueprint_data(self, blueprint: str, version: int) -> Mapping[str, Any]:
        key = (blueprint, version)
        if key not in self._data_cache:
            with self._errors():
                row = self.connect().execute(
                    f"SELECT data FROM {self._s}.blueprint_versions WHERE blueprint = %s AND version = %s",
                    (blueprint, int(version))).fetchone()
            if row is None:
                raise BlueprintError(f"blueprint {blueprint} version {version} is not published in this workspace",
                                     hint="see `blueprint publish`", exit_code=2)
            if not isinstance(row[0], dict):
                raise CorruptFile(f"{self.schema}.blueprint_versions {blueprint} v{version}", "no blueprint `data`")
            problem = blueprint_problem(row[0])
            if problem is not None:
                raise CorruptFile(f"{self.schema}.blueprint_versions {blueprint} v{version}", problem)
            self._data_cache[key] = row[0]
        return self._data_cache[key]

    def blueprint_text(self, blueprint: str, version: int) -> str:
        with self._errors():
            row = self.connect().execute(
                f"SELECT text FROM {self._s}.blueprint_versions WHERE blueprint = %s AND version = %s",
                (blueprint, int(version))).fetchone()
        if row is None:
            raise BlueprintError(f"blueprint {blueprint} version {version} is not published in this workspace",
                                 hint="see `blueprint publish`", exit_code=2)
        return str(row[0])

    @contextmanager
    def publishing(self) -> Iterator[_Publishing]:
        if self._held is not None:
            raise RuntimeError("publishing inside another store session")
        conn = self.connect()
        self._published = None
        with self._errors():
            conn.execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", (self._key("publish"),))
        self._held = "ex"
        try:
            yield _Publishing(self)
        finally:
            self._held = None
            self._release([(self._UNLOCK, self._key("publish"))])

    # ----- whole-store copies (`blueprint store copy`) ------------------------------------------

    def is_empty(self) -> bool:
        counts = self.counts()
        return counts["records"] == 0 and counts["blueprints"] == 0 and counts["versions"] == 0

    def next_id(self) -> int:
        with self._errors():
            row = self.connect().execute(
                f"SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END FROM {self._s}.record_ids"
            ).fetchone()
        assert row is not None
        return int(row[0])

    def load(self, dump: Dump, progress: Callable[[int], None] | None = None) -> None:
        """Fill this empty store in one transaction (all or nothing)."""
        conn = self.connect()
        with self.publishing(), conn.transaction():
            if not self.is_empty():
                raise BlueprintError(f"the target store {self.url} is not empty", exit_code=1,
                                     hint="copy into an empty store (a new ?schema=NAME, or a new database)")
            for bp, versions in dump.blueprints:
                self.load_blueprint(bp, versions)

            def counted() -> Iterator[StoredRecord]:
                n = 0
                for stored in dump.records:
                    yield stored
                    n += 1
                    if progress is not None and n % 1000 == 0:
                        progress(n)

            self.load_records(counted(), next_id=dump.next_id)
        self._published = None

    def load_records(self, records: Iterable[StoredRecord], *, next_id: int) -> int:
        """Write many records with their history through COPY, in one transaction
        (all or nothing); then make sure new ids start at `next_id` or above. For
        `load`, and for generating benchmark data."""
        conn = self.connect()
        count = 0
        with self._errors(), conn.transaction():
            with conn.cursor() as cur:
                pending: list[StoredRecord] = []

                def flush() -> None:
                    with cur.copy(f"COPY {self._s}.records (id, module, blueprint, state, format, data, "
                                  "history_length) FROM STDIN") as copy:
                        for stored in pending:
                            copy.write_row(self._record_params(stored.record, len(stored.history)))
                    with cur.copy(f"COPY {self._s}.history (record_id, seq, entry) FROM STDIN") as copy:
                        for stored in pending:
                            for seq, entry in enumerate(stored.history):
                                copy.write_row((stored.record.id, seq, _dumps(entry.to_dict())))
                    pending.clear()

                for stored in records:
                    check_id(stored.record.id)
                    pending.append(stored)
                    count += 1
                    if len(pending) >= 5000:
                        flush()
                flush()
                cur.execute(f"SELECT setval('{self._s}.record_ids', greatest(%s, "
                            f"(SELECT coalesce(max(id::numeric), 0) + 1 FROM {self._s}.records "
                            "WHERE id ~ '^[0-9]{1,18}$'))::bigint, false)", (next_id,))
        return count

    def load_blueprint(self, blueprint: PublishedBlueprint, versions: Sequence[Version]) -> None:
        """Store a published blueprint with all its versions (text, data, meta) as they are."""
        conn = self.connect()
        with self._errors(), conn.transaction():
            for version, text, data, meta in versions:
                conn.execute(f"INSERT INTO {self._s}.blueprint_versions (blueprint, version, text, data, meta) "
                             "VALUES (%s, %s, %s, %s, %s)", (blueprint.id, version, text, _dumps(data), _dumps(meta)))
            conn.execute(f"INSERT INTO {self._s}.blueprints (id, module, latest, seq, priority, versions) "
                         "VALUES (%s, %s, %s, %s, %s, %s)",
                         (blueprint.id, blueprint.module, blueprint.latest, blueprint.seq, blueprint.priority,
                          _dumps(list(blueprint.versions))))


class _LockedRecord(StoredRecord):
    """The record a transaction holds. Its history is read only if asked for: a
    move appends to it by number, so its cost does not grow with the history."""

    def __init__(self, store: PostgresStore, record: Record, length: int) -> None:
        self.record = record
        self.length = length
        self._store = store
        self._history: list[HistoryEntry] | None = None

    @property
    def history(self) -> list[HistoryEntry]:
        if self._history is None:
            self._history = self._store._history(self.record.id)
        return self._history

    @history.setter
    def history(self, value: list[HistoryEntry]) -> None:
        self._history = value
        self.length = len(value)


class _Transaction:
    def __init__(self, store: PostgresStore, record_id: str, current: _LockedRecord) -> None:
        self.store = store
        self.record_id = record_id
        self.current: _LockedRecord = current

    def commit(self, record: Record, append: Sequence[HistoryEntry] = (),
               amend: Mapping[int, HistoryEntry] | None = None) -> None:
        """Write the row, append and amend history rows, and COMMIT, in one round trip."""
        if record.id != self.record_id:
            raise ValueError("a transaction commits the record it locked")
        check_order(self.current.record, append)
        store, s = self.store, self.store._s
        length = self.current.length
        changed: list[tuple[int, HistoryEntry]] = []
        for index, entry in (amend or {}).items():
            seq = index + length if index < 0 else index
            if not 0 <= seq < length:
                raise IndexError(f"no history entry {index} to amend")
            changed.append((seq, entry))
        conn = store.connect()
        # a second commit in the same block starts its own transaction (the advisory lock still holds the record)
        again = conn.info.transaction_status == _driver().pq.TransactionStatus.IDLE
        sql: list[str] = ["BEGIN"] if again else []
        params: list[Any] = []
        sql.append(f"UPDATE {s}.records SET module = %s, blueprint = %s, state = %s, format = %s, data = %s, "
                   "history_length = %s, written_at = now() WHERE id = %s")
        params += [record.module, record.blueprint, record.state, FORMAT, _dumps(record.to_dict()),
                   length + len(append), record.id]
        if append:
            sql.append(f"INSERT INTO {s}.history (record_id, seq, entry) "
                       "SELECT %s, %s + o - 1, e FROM json_array_elements(%s::json) WITH ORDINALITY AS t(e, o)")
            params += [record.id, length, _dumps([e.to_dict() for e in append])]
        for seq, entry in changed:
            sql.append(f"UPDATE {s}.history SET entry = %s WHERE record_id = %s AND seq = %s")
            params += [_dumps(entry.to_dict()), record.id, seq]
        sql.append("COMMIT")
        with store._errors(record.id):
            store._script(sql, params)  # one round trip; an error skips the rest, COMMIT included
        known = self.current._history
        current = _LockedRecord(store, record, length + len(append))
        if known is not None:
            history = list(known)
            for seq, entry in changed:
                history[seq] = entry
            current.history = history + list(append)
        self.current = current


class _Batch:
    """Records locked together; `commit` writes every change in one transaction,
    with three statements whatever the number of records."""

    def __init__(self, store: PostgresStore, current: dict[str, _LockedRecord]) -> None:
        self.store = store
        self.current: dict[str, _LockedRecord] = current

    def hand_over(self, writes: Sequence[Write], writer: BatchWriter) -> None:
        self.commit(writes)  # `PostgresStore.writer` gives no writer: never called with one

    def commit(self, writes: Sequence[Write]) -> None:
        store, s = self.store, self.store._s
        rows, appended, amended = [], [], []
        lengths: dict[str, int] = {}
        for w in writes:
            record = w.record
            old = self.current.get(record.id)
            if old is None:
                raise ValueError(f"record {record.id} is not in this batch")
            check_order(old.record, w.append)
            length = lengths.get(record.id, old.length)
            for index, entry in (w.amend or {}).items():
                seq = index + length if index < 0 else index
                if not 0 <= seq < length:
                    raise IndexError(f"no history entry {index} of record {record.id} to amend")
                amended.append({"record_id": record.id, "seq": seq, "entry": entry.to_dict()})
            for n, entry in enumerate(w.append):
                appended.append({"record_id": record.id, "seq": length + n, "entry": entry.to_dict()})
            lengths[record.id] = length + len(w.append)
            rows.append({"id": record.id, "module": record.module, "blueprint": record.blueprint,
                         "state": record.state, "data": record.to_dict(), "history_length": lengths[record.id]})
        if not rows:
            return
        conn = store.connect()
        again = conn.info.transaction_status == _driver().pq.TransactionStatus.IDLE
        sql = ["BEGIN"] if again else []
        params: list[Any] = []
        sql.append(f"UPDATE {s}.records r SET module = x.module, blueprint = x.blueprint, state = x.state, "
                   f"format = {FORMAT}, data = x.data, history_length = x.history_length, written_at = now() "
                   "FROM json_to_recordset(%s::json) AS x(id text, module text, blueprint text, state text, "
                   "data json, history_length integer) WHERE r.id = x.id")
        params.append(_dumps(rows))
        if appended:
            sql.append(f"INSERT INTO {s}.history (record_id, seq, entry) SELECT record_id, seq, entry "
                       "FROM json_to_recordset(%s::json) AS x(record_id text, seq integer, entry json)")
            params.append(_dumps(appended))
        if amended:
            sql.append(f"UPDATE {s}.history h SET entry = x.entry "
                       "FROM json_to_recordset(%s::json) AS x(record_id text, seq integer, entry json) "
                       "WHERE h.record_id = x.record_id AND h.seq = x.seq")
            params.append(_dumps(amended))
        sql.append("COMMIT")
        with store._errors():
            store._script(sql, params)
        for w in writes:
            old = self.current[w.record.id]
            new = _LockedRecord(store, w.record, lengths[w.record.id])
            if old._history is not None:
                history = list(old._history)
                for index, entry in (w.amend or {}).items():
                    history[index] = entry
                new.history = history + list(w.append)
            self.current[w.record.id] = new


class _Publishing:
    def __init__(self, store: PostgresStore) -> None:
        self.store = store

    def record_ids_in(self, blueprint: str, state: str) -> list[str]:
        return self.store.record_ids_in(blueprint, state)

    def transaction(self, record_id: str) -> AbstractContextManager[_Transaction]:
        return self.store.transaction(record_id)

    def save_version(self, blueprint: str, version: int, text: str, data: Mapping[str, Any],
                     meta: Mapping[str, Any]) -> None:
        """Store a version; records do not follow it until `activate`."""
        s = self.store._s
        with self.store._errors():
            self.store.connect().execute(
                f"INSERT INTO {s}.blueprint_versions (blueprint, version, text, data, meta) "
                "VALUES (%s, %s, %s, %s, %s) "
                "ON CONFLICT (blueprint, version) DO UPDATE SET text = EXCLUDED.text, data = EXCLUDED.data, "
                "meta = EXCLUDED.meta",
                (blueprint, int(version), text, _dumps(data), _dumps(meta)))
        self.store._data_cache.pop((blueprint, version), None)

    def activate(self, blueprint: str, version: int, module: str, priority: int | None,
                 meta: Mapping[str, Any]) -> None:
        """Make `version` the one records follow (the commit point of a publish)."""
        store = self.store
        meta = {**meta, "version": version}
        current = {b.id: b for b in store.published()}.get(blueprint)
        with store._errors():
            if current is None:
                store.connect().execute(
                    f"INSERT INTO {store._s}.blueprints (id, module, latest, seq, priority, versions) "
                    f"VALUES (%s, %s, %s, (SELECT coalesce(max(seq), 0) + 1 FROM {store._s}.blueprints), %s, %s)",
                    (blueprint, module, int(version), priority, _dumps([meta])))
            else:
                store.connect().execute(
                    f"UPDATE {store._s}.blueprints SET module = %s, latest = %s, priority = %s, versions = %s "
                    "WHERE id = %s",
                    (module, int(version), priority, _dumps([*current.versions, meta]), blueprint))
        store._published = None


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, default=str)
