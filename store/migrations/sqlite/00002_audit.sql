-- The audit log: every write through the API and every supervisor action,
-- with who, when, what and from where. Rows are only ever added; id is
-- unique per entry so that an entry written twice (spool replay) is one row.
-- +goose Up
CREATE TABLE audit_log (
    id     TEXT   NOT NULL PRIMARY KEY,
    at_ms  BIGINT NOT NULL,
    actor  TEXT   NOT NULL DEFAULT '',
    role   TEXT   NOT NULL DEFAULT '',
    agent  TEXT   NOT NULL DEFAULT '',
    action TEXT   NOT NULL DEFAULT '',
    target TEXT   NOT NULL DEFAULT '',
    detail TEXT   NOT NULL DEFAULT '{}',
    source TEXT   NOT NULL DEFAULT '',
    result TEXT   NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at_ms);
CREATE INDEX audit_log_actor_at ON audit_log (actor, at_ms);

-- +goose Down
DROP TABLE audit_log;
