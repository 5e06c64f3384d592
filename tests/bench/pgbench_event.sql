-- pgbench reference for one ingested event (ingress_wrk.sh, STORE=postgresql)
-- run with -M prepared -D n=0 -D base=N -D body=JSON, on pgbench_schema.sql.
-- One transaction per event, as the gateway's store does for a single-event
-- request (core/src/store/sql_transaction.cpp), its dedup key remembered with
-- RETURNING, then the event_log row, about 350 bytes of body sent as a
-- parameter.  Constant text is written with \072 for the colon, which pgbench
-- would read as a variable.  Ids are base + client_id * 10^12 + n, new per run.
\set n :n + 1
\set id :base + :client_id * 1000000000000 + :n
BEGIN;
INSERT INTO ingress_dedup (source, event_id, expires_at)
  VALUES (E'urn\072bench\072sender', 'pgb-' || :id::text, E'2026-12-04T10\07200\07200.000000Z')
  ON CONFLICT (source, event_id) DO NOTHING RETURNING source, event_id;
INSERT INTO event_log (sequence, event_id, source, type, subject, time, recorded_at, body)
  VALUES (nextval('event_log_numbers'), 'pgb-' || :id::text, E'urn\072bench\072sender', 'bench.event',
          's-' || :id::text, E'2026-11-23T10\07200\07200Z', E'2026-12-03T10\07200\07200.000Z', :body);
END;
