"""The catalog and statistics queries of a snapshot. Each starts with ``/* redline */`` so the audit's
own statements are recognisable (and left out) in pg_stat_statements."""

from __future__ import annotations

TAG = "/* redline */"
_USER_SCHEMAS = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%%'"

SERVER = (
    TAG
    + """
SELECT current_setting('server_version_num')::int, version(), current_database(), current_user,
       (SELECT rolsuper FROM pg_roles WHERE rolname = current_user),
       ARRAY(SELECT rolname FROM pg_roles WHERE rolname LIKE 'pg\\_%%' AND pg_has_role(current_user, oid, 'USAGE')
             ORDER BY rolname),
       ARRAY(SELECT extname FROM pg_extension ORDER BY extname),
       current_setting('block_size')::int,
       to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
       (SELECT to_char(stats_reset AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') FROM pg_stat_database
         WHERE datname = current_database())
"""
)

SETTINGS = (
    TAG
    + """
SELECT name, setting FROM pg_settings WHERE name = ANY(%s) ORDER BY name
"""
)

SETTING_NAMES = (
    "max_connections",
    "superuser_reserved_connections",
    "reserved_connections",
    "shared_buffers",
    "work_mem",
    "autovacuum",
    "autovacuum_freeze_max_age",
    "autovacuum_multixact_freeze_max_age",
    "track_counts",
    "track_activities",
    "compute_query_id",
    "pg_stat_statements.track",
    "track_io_timing",
    "random_page_cost",
    "effective_cache_size",
    "statement_timeout",
    "idle_in_transaction_session_timeout",
    "shared_preload_libraries",
)

EXTENSION_SCHEMA = (
    TAG
    + """
SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = %s
"""
)

VIEW_COLUMNS = (
    TAG
    + """
SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(%s) AND attnum > 0 AND NOT attisdropped
"""
)

# {total}: total_exec_time + total_plan_time (13+) or total_time (pg_stat_statements before 1.8);
# {toplevel}: "AND s.toplevel" where the column exists (14+), so nested statements are not counted twice
STATEMENTS = (
    TAG
    + """
WITH s AS (
  SELECT s.queryid::text AS queryid, s.query, s.calls, ({total})::float8 AS total_ms, s.rows,
         s.shared_blks_hit, s.shared_blks_read
    FROM {schema}.pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
   WHERE d.datname = current_database() {toplevel} AND s.query NOT LIKE '/* redline */%%'
)
SELECT queryid, query, calls, total_ms, rows, shared_blks_hit, shared_blks_read,
       sum(total_ms) OVER () AS all_ms
  FROM s ORDER BY total_ms DESC, queryid LIMIT %s
"""
)

TABLES = (
    TAG
    + """
SELECT n.nspname, c.relname, c.relkind::text,
       coalesce((SELECT pn.nspname || '.' || pc.relname FROM pg_inherits i
                   JOIN pg_class pc ON pc.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = pc.relnamespace
                  WHERE i.inhrelid = c.oid AND pc.relkind = 'p' LIMIT 1), ''),
       coalesce(ARRAY(SELECT a.attname::text FROM unnest(pt.partattrs::int2[]) WITH ORDINALITY k(attnum, ord)
                        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum ORDER BY k.ord),
                '{}'),
       coalesce(CASE pt.partstrat WHEN 'r' THEN 'range' WHEN 'l' THEN 'list' WHEN 'h' THEN 'hash' END, ''),
       coalesce(s.n_live_tup, 0), coalesce(s.n_dead_tup, 0), coalesce(s.seq_scan, 0), coalesce(s.seq_tup_read, 0),
       coalesce(s.idx_scan, 0), coalesce(s.n_tup_upd, 0), coalesce(s.n_tup_hot_upd, 0),
       pg_table_size(c.oid), pg_total_relation_size(c.oid),
       coalesce(io.heap_blks_hit, 0), coalesce(io.heap_blks_read, 0),
       to_char(greatest(s.last_vacuum, s.last_autovacuum) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
       has_table_privilege(c.oid, 'SELECT'),
       NOT EXISTS (SELECT 1 FROM unnest(c.reloptions) o
                    WHERE lower(o) IN ('autovacuum_enabled=false', 'autovacuum_enabled=off',
                                       'autovacuum_enabled=0', 'autovacuum_enabled=no')),
       coalesce(ARRAY(SELECT CASE WHEN a.attidentity IN ('a', 'd') THEN 'identity'
                                  ELSE coalesce(pg_get_expr(ad.adbin, ad.adrelid), '') END
                        FROM unnest(pt.partattrs::int2[]) WITH ORDINALITY k(attnum, ord)
                        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
                        LEFT JOIN pg_attrdef ad ON ad.adrelid = c.oid AND ad.adnum = a.attnum ORDER BY k.ord),
                '{}')
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
  LEFT JOIN pg_statio_user_tables io ON io.relid = c.oid
  LEFT JOIN pg_partitioned_table pt ON pt.partrelid = c.oid
 WHERE c.relkind IN ('r', 'p') AND """
    + _USER_SCHEMAS
    + """
 ORDER BY 1, 2
"""
)

INDEXES = (
    TAG
    + """
SELECT n.nspname, t.relname, i.relname,
       ARRAY(SELECT pg_get_indexdef(x.indexrelid, k, true) FROM generate_series(1, x.indnkeyatts) k ORDER BY k),
       ARRAY(SELECT pg_get_indexdef(x.indexrelid, k, true) FROM generate_series(x.indnkeyatts + 1, x.indnatts) k
              ORDER BY k),
       am.amname::text, x.indisunique, x.indisprimary,
       coalesce((SELECT con.conname::text FROM pg_constraint con
                  WHERE con.conindid = x.indexrelid AND con.conrelid = x.indrelid AND con.contype IN ('p', 'u', 'x')
                  LIMIT 1), ''),
       coalesce(pg_get_expr(x.indpred, x.indrelid, true), ''), x.indisvalid,
       coalesce(s.idx_scan, 0), pg_relation_size(i.oid), i.relpages, i.reltuples::float8, pg_get_indexdef(i.oid)
  FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
  JOIN pg_namespace n ON n.oid = t.relnamespace JOIN pg_am am ON am.oid = i.relam
  LEFT JOIN pg_stat_user_indexes s ON s.indexrelid = x.indexrelid
 WHERE t.relkind IN ('r', 'p') AND """
    + _USER_SCHEMAS
    + """
 ORDER BY 1, 2, 3
"""
)

FOREIGN_KEYS = (
    TAG
    + """
SELECT n.nspname, t.relname, con.conname,
       ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.ord)
  FROM pg_constraint con JOIN pg_class t ON t.oid = con.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
 WHERE con.contype = 'f' AND """
    + _USER_SCHEMAS
    + """
 ORDER BY 1, 2, 3
"""
)

COLUMN_STATS = (
    TAG
    + """
SELECT s.schemaname::text, s.tablename::text, s.attname::text, s.null_frac::float8, s.n_distinct::float8,
       coalesce(s.most_common_freqs::float8[], '{}'), s.avg_width, s.correlation::float8
  FROM pg_stats s
 WHERE s.schemaname NOT IN ('pg_catalog', 'information_schema') AND NOT s.inherited
 ORDER BY 1, 2, 3
"""
)

# {query_id}: pg_stat_activity.query_id (14+) or ''
SESSIONS = (
    TAG
    + """
SELECT a.pid, coalesce(a.usename::text, ''), coalesce(a.application_name, ''), coalesce(a.state, ''),
       extract(epoch FROM now() - a.xact_start)::float8, extract(epoch FROM now() - a.state_change)::float8,
       coalesce(a.wait_event_type, ''), coalesce(a.wait_event, ''), pg_blocking_pids(a.pid), {query_id},
       coalesce((SELECT l.locktype || coalesce(' ' || l.relation::regclass::text, '') || ' (' || l.mode || ')'
                   FROM pg_locks l WHERE l.pid = a.pid AND NOT l.granted LIMIT 1), '')
  FROM pg_stat_activity a
 WHERE a.backend_type = 'client backend' AND a.pid <> pg_backend_pid() AND a.datname = current_database()
 ORDER BY a.pid
"""
)

SEQUENCES = (
    TAG
    + """
SELECT s.schemaname::text, s.sequencename::text, s.data_type::text, s.last_value, s.min_value, s.max_value,
       s.increment_by, s.cycle,
       coalesce((SELECT tn.nspname || '.' || t.relname || '.' || a.attname || '|' || format_type(a.atttypid, NULL)
                   FROM pg_depend d JOIN pg_class t ON t.oid = d.refobjid
                   JOIN pg_namespace tn ON tn.oid = t.relnamespace
                   JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                  WHERE d.objid = c.oid AND d.classid = 'pg_class'::regclass
                    AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') LIMIT 1), ''),
       has_sequence_privilege(c.oid, 'SELECT')
  FROM pg_sequences s JOIN pg_namespace n ON n.nspname = s.schemaname
  JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = s.sequencename
 ORDER BY 1, 2
"""
)

DATABASE = (
    TAG
    + """
SELECT d.datname::text, age(d.datfrozenxid), mxid_age(d.datminmxid), coalesce(s.blks_hit, 0),
       coalesce(s.blks_read, 0), coalesce(s.deadlocks, 0),
       (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::int,
       current_setting('max_connections')::int,
       current_setting('superuser_reserved_connections')::int
         + coalesce(current_setting('reserved_connections', true)::int, 0)
  FROM pg_database d LEFT JOIN pg_stat_database s ON s.datid = d.oid
 WHERE d.datname = current_database()
"""
)

PGSTATINDEX = TAG + "SELECT avg_leaf_density::float8 FROM {schema}.pgstatindex(%s::regclass)"
