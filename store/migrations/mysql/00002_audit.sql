-- The audit log: every write through the API and every supervisor action,
-- with who, when, what and from where. Rows are only ever added; id is
-- unique per entry so that an entry written twice (spool replay) is one row.
-- Lengths match the limits the store clips values to.
-- +goose Up
CREATE TABLE audit_log (
    id     VARCHAR(64)  NOT NULL PRIMARY KEY,
    at_ms  BIGINT       NOT NULL,
    actor  VARCHAR(128) NOT NULL DEFAULT '',
    role   VARCHAR(32)  NOT NULL DEFAULT '',
    agent  VARCHAR(128) NOT NULL DEFAULT '',
    action VARCHAR(255) NOT NULL DEFAULT '',
    target VARCHAR(255) NOT NULL DEFAULT '',
    detail TEXT         NOT NULL,
    source VARCHAR(64)  NOT NULL DEFAULT '',
    result VARCHAR(32)  NOT NULL DEFAULT '',
    INDEX audit_log_at (at_ms),
    INDEX audit_log_actor_at (actor, at_ms)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- +goose Down
DROP TABLE audit_log;
