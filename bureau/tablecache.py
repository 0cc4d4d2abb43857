"""Cache entries that stay valid exactly as long as the tables they were read from are unchanged.

Every write statement Django sends gives its table a new stamp in the shared cache, at once and
again when the transaction commits (a reader that looked between the two would have cached the old
rows under the intermediate stamp). An entry records the stamps of the tables read to build it,
taken before the reading began, and is served only while all of them are still current: a reader
never gets data older than the last commit. The stamps live in the shared cache (Redis in
production), so one worker's write reaches every worker.

Used for what a user's roles reach (bureau.scoping), API tokens (bureau.apiconf) and API list
pages (bureau.rest). Writes that do not go through a Django cursor's `execute` (COPY) must call
`changed(table)`; an entry's lifetime bounds anything else missed (another program writing the
database).
"""

import re
import secrets
from contextlib import contextmanager

from django.core.cache import cache
from django.db import connection

ANY = "*"  # stamped by writes whose table the statement does not name plainly (TRUNCATE, CTEs)
# SQLite writes INSERT OR IGNORE / OR REPLACE for m2m adds and conflicts, MySQL INSERT IGNORE.
WRITE = re.compile(
    r'\s*(?:INSERT\s+(?:OR\s+\w+\s+|IGNORE\s+)?INTO|REPLACE\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.IGNORECASE
)
OTHER_WRITE = re.compile(r"\s*(?:TRUNCATE\b|WITH\b.*\b(?:INSERT|UPDATE|DELETE)\b)", re.IGNORECASE | re.DOTALL)
READ = re.compile(r'\b(?:FROM|JOIN)\s+"?(\w+)', re.IGNORECASE)


def stamp_key(table):
    return f"written:{table}"


def written(*tables):
    """Give these tables new stamps: every entry read from one of them is stale."""
    cache.set_many({stamp_key(table): secrets.token_hex(8) for table in tables}, None)


def changed(table, db=connection):
    """A write to `table` on `db`: stamp it now, and again when the transaction commits."""
    written(table)
    if db.in_atomic_block:
        pending = getattr(db, "_written", None)
        # One stamp queued per transaction, however many rows it writes. Django replaces
        # run_on_commit on commit, rollback and savepoint rollback: a new list means none is.
        if pending is None or pending[0] is not db.run_on_commit:
            tables = set()
            db.on_commit(lambda: written(*tables))
            pending = db._written = (db.run_on_commit, tables)
        pending[1].add(table)


def watch_writes(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    match = WRITE.match(sql)
    table = match[1] if match else ANY if OTHER_WRITE.match(sql) else None
    if table is not None:
        changed(table, context["connection"])
    return result


def install(sender, connection, **kwargs):
    """connection_created receiver: watch every connection's writes, once."""
    if watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(watch_writes)


@contextmanager
def reading():
    """The tables read by the queries run inside."""
    tables = set()

    def note(execute, sql, params, many, context):
        tables.update(READ.findall(sql))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(note):
        yield tables


def fresh(key, tables):
    """(value, stamps): the value kept under `key` if none of its tables changed since (else None),
    and the current stamps of `tables`, to `keep` a value read after this call."""
    keys = {stamp_key(table): table for table in tables}
    found = cache.get_many([key, *keys])
    entry = found.pop(key, None)
    stamps = {keys[k]: v for k, v in found.items()}
    if entry is not None and all(stamps.get(t) == s for t, s in entry["stamps"].items()):
        return entry["value"], stamps
    missing = tables - stamps.keys()
    if missing:  # never record "no stamp": an evicted stamp would then look unchanged
        new = {table: secrets.token_hex(8) for table in missing}
        cache.set_many({stamp_key(t): s for t, s in new.items()}, None)
        stamps |= new
    return None, stamps


def keep(key, value, read, stamps, seconds):
    """Keep `value`, built from the tables `read`, if each of them was stamped before the reading."""
    if read <= stamps.keys():
        cache.set(key, {"stamps": {t: stamps[t] for t in read | {ANY}}, "value": value}, seconds)


def remember(key, tables, build, seconds):
    """`build()`, kept under `key` while the `tables` it reads are unchanged."""
    value, stamps = fresh(key, tables)
    if value is None:
        with reading() as read:
            value = build()
        keep(key, value, read, stamps, seconds)
    return value
