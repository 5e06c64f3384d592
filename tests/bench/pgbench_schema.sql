-- The rows the gateway writes per ingested event, for the pgbench reference of
-- ingress_wrk.sh (STORE=postgresql): event_log and ingress_dedup exactly as
-- core/src/store/migrations.cpp creates them on PostgreSQL (columns, keys,
-- indexes).  Sequences come from a PostgreSQL sequence here, not from the
-- gateway's event_sequence row: that row is updated once per group commit by
-- the gateway, but once per event by a client that commits every event, which
-- would serialise all 64 pgbench clients on one row lock.
CREATE TABLE event_log (sequence BIGINT PRIMARY KEY, event_id TEXT NOT NULL, source TEXT NOT NULL, type TEXT NOT NULL,
  subject TEXT NOT NULL, time TEXT NOT NULL, recorded_at TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX event_log_type ON event_log (type);
CREATE INDEX event_log_subject ON event_log (subject);
CREATE TABLE ingress_dedup (source TEXT NOT NULL, event_id TEXT NOT NULL, expires_at TEXT NOT NULL,
  PRIMARY KEY (source, event_id));
CREATE INDEX ingress_dedup_expires ON ingress_dedup (expires_at);
CREATE SEQUENCE event_log_numbers;
