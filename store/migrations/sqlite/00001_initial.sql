-- Times are UTC milliseconds since the Unix epoch (BIGINT): the same in
-- both dialects, compared as numbers, converted to a time zone in reports.
-- +goose Up
CREATE TABLE calls (
    call_id           TEXT    NOT NULL PRIMARY KEY,
    caller            TEXT    NOT NULL DEFAULT '',
    number            TEXT    NOT NULL DEFAULT '',
    language          TEXT    NOT NULL DEFAULT '',
    flow              TEXT    NOT NULL DEFAULT '',
    ivr_path          TEXT    NOT NULL DEFAULT '[]',
    vars              TEXT    NOT NULL DEFAULT '{}',
    queue             TEXT    NOT NULL DEFAULT '',
    agent             TEXT    NOT NULL DEFAULT '',
    priority          INTEGER NOT NULL DEFAULT 0,
    arrived_ms        BIGINT  NOT NULL,
    answered_ms       BIGINT,
    ivr_ended_ms      BIGINT,
    queued_ms         BIGINT,
    agent_offered_ms  BIGINT,
    agent_answered_ms BIGINT,
    talk_ended_ms     BIGINT,
    ended_ms          BIGINT,
    agent_offers      INTEGER NOT NULL DEFAULT 0,
    talk_ms           BIGINT  NOT NULL DEFAULT 0,
    hold_ms           BIGINT  NOT NULL DEFAULT 0,
    hold_count        INTEGER NOT NULL DEFAULT 0,
    transfer_kind     TEXT    NOT NULL DEFAULT '',
    transfer_target   TEXT    NOT NULL DEFAULT '',
    hangup_by         TEXT    NOT NULL DEFAULT '',
    result            TEXT    NOT NULL DEFAULT '',
    end_reason        TEXT    NOT NULL DEFAULT '',
    recording_file    TEXT    NOT NULL DEFAULT '',
    answer_delay_ms   BIGINT  NOT NULL DEFAULT 0,
    queue_wait_ms     BIGINT  NOT NULL DEFAULT 0
);
CREATE INDEX calls_arrived ON calls (arrived_ms);
CREATE INDEX calls_caller ON calls (caller, arrived_ms);
CREATE INDEX calls_agent ON calls (agent, agent_answered_ms);

CREATE TABLE queue_visits (
    call_id   TEXT    NOT NULL REFERENCES calls (call_id) ON DELETE CASCADE,
    seq       INTEGER NOT NULL,
    queue     TEXT    NOT NULL,
    priority  INTEGER NOT NULL DEFAULT 0,
    queued_ms BIGINT  NOT NULL,
    left_ms   BIGINT,
    outcome   TEXT    NOT NULL DEFAULT '',
    wait_ms   BIGINT  NOT NULL DEFAULT 0,
    target    TEXT    NOT NULL DEFAULT '',
    -- The answering agent's part of the call.
    agent         TEXT   NOT NULL DEFAULT '',
    talk_ended_ms BIGINT,
    talk_ms       BIGINT NOT NULL DEFAULT 0,
    hold_ms       BIGINT NOT NULL DEFAULT 0,
    transfer_kind TEXT   NOT NULL DEFAULT '',
    PRIMARY KEY (call_id, seq)
);
CREATE INDEX queue_visits_queued ON queue_visits (queued_ms);
CREATE INDEX queue_visits_left ON queue_visits (left_ms);

CREATE TABLE agent_states (
    id         TEXT   NOT NULL PRIMARY KEY,
    agent      TEXT   NOT NULL,
    state      TEXT   NOT NULL,
    prev_state TEXT   NOT NULL DEFAULT '',
    reason     TEXT   NOT NULL DEFAULT '',
    at_ms      BIGINT NOT NULL
);
CREATE INDEX agent_states_agent_at ON agent_states (agent, at_ms);
CREATE INDEX agent_states_at ON agent_states (at_ms);

CREATE TABLE dispositions (
    call_id  TEXT    NOT NULL,
    agent    TEXT    NOT NULL,
    category TEXT    NOT NULL DEFAULT '',
    resolved INTEGER NOT NULL DEFAULT 0,
    at_ms    BIGINT  NOT NULL,
    PRIMARY KEY (call_id, agent)
);
CREATE INDEX dispositions_at ON dispositions (at_ms);

CREATE TABLE survey_answers (
    call_id TEXT    NOT NULL PRIMARY KEY,
    score   INTEGER NOT NULL,
    at_ms   BIGINT  NOT NULL
);

CREATE TABLE wrapups (
    call_id TEXT   NOT NULL,
    agent   TEXT   NOT NULL,
    at_ms   BIGINT NOT NULL,
    PRIMARY KEY (call_id, agent)
);

CREATE TABLE agent_status (
    agent      TEXT   NOT NULL PRIMARY KEY,
    state      TEXT   NOT NULL,
    reason     TEXT   NOT NULL DEFAULT '',
    queues     TEXT   NOT NULL DEFAULT '[]',
    since_ms   BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL
);

-- +goose Down
DROP TABLE agent_status;
DROP TABLE wrapups;
DROP TABLE survey_answers;
DROP TABLE dispositions;
DROP TABLE agent_states;
DROP TABLE queue_visits;
DROP TABLE calls;
