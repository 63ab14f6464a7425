-- Agents' planned shifts (workforce schedules), entered by supervisors
-- through the API or imported from CSV. Times are UTC ms since the epoch;
-- a shift covers [starts_ms, ends_ms). activity is what the agent should be
-- doing (phones, training, meeting, ...); breaks is a JSON array of
-- {"start","end","activity"} inside the shift.
-- +goose Up
CREATE TABLE shifts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    agent       TEXT    NOT NULL,
    starts_ms   BIGINT  NOT NULL,
    ends_ms     BIGINT  NOT NULL,
    activity    TEXT    NOT NULL DEFAULT 'phones',
    breaks      TEXT    NOT NULL DEFAULT '[]',
    note        TEXT    NOT NULL DEFAULT '',
    updated_by  TEXT    NOT NULL DEFAULT '',
    updated_ms  BIGINT  NOT NULL
);
CREATE INDEX shifts_agent_starts ON shifts (agent, starts_ms);
CREATE INDEX shifts_starts ON shifts (starts_ms);

-- +goose Down
DROP TABLE shifts;
