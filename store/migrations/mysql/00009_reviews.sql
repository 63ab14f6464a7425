-- Quality reviews: one evaluation per recorded call, filled in by a
-- supervisor against a form of the configuration. answers is a JSON
-- object question id → value; critical_failed a comma-separated list of
-- the critical questions answered 0. started_ms is the call's start, by
-- which reviews are counted to a month; acknowledged_ms 0 means the agent
-- has not acknowledged it yet.
-- +goose Up
CREATE TABLE reviews (
    id              BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    call_id         VARCHAR(255) NOT NULL,
    agent           VARCHAR(128) NOT NULL,
    queue           VARCHAR(128) NOT NULL DEFAULT '',
    form            VARCHAR(64)  NOT NULL,
    answers         TEXT         NOT NULL,
    score           DOUBLE       NOT NULL,
    raw_score       DOUBLE       NOT NULL,
    critical_failed VARCHAR(1024) NOT NULL DEFAULT '',
    comment         TEXT         NOT NULL,
    reviewer        VARCHAR(128) NOT NULL,
    started_ms      BIGINT       NOT NULL,
    reviewed_ms     BIGINT       NOT NULL,
    acknowledged_ms BIGINT       NOT NULL DEFAULT 0,
    UNIQUE KEY reviews_call (call_id),
    INDEX reviews_agent (agent, started_ms),
    INDEX reviews_started (started_ms)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- +goose Down
DROP TABLE reviews;
