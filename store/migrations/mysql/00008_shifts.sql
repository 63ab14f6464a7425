-- Agents' planned shifts (workforce schedules), entered by supervisors
-- through the API or imported from CSV. Times are UTC ms since the epoch;
-- a shift covers [starts_ms, ends_ms). activity is what the agent should be
-- doing (phones, training, meeting, ...); breaks is a JSON array of
-- {"start","end","activity"} inside the shift.
-- +goose Up
CREATE TABLE shifts (
    id          BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    agent       VARCHAR(64)  NOT NULL,
    starts_ms   BIGINT       NOT NULL,
    ends_ms     BIGINT       NOT NULL,
    activity    VARCHAR(32)  NOT NULL DEFAULT 'phones',
    breaks      TEXT         NOT NULL,
    note        VARCHAR(512) NOT NULL DEFAULT '',
    updated_by  VARCHAR(128) NOT NULL DEFAULT '',
    updated_ms  BIGINT       NOT NULL,
    INDEX shifts_agent_starts (agent, starts_ms),
    INDEX shifts_starts (starts_ms)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- +goose Down
DROP TABLE shifts;
