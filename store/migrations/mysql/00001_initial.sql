-- Times are UTC milliseconds since the Unix epoch (BIGINT): the same in
-- both dialects, compared as numbers, converted to a time zone in reports.
-- Lengths match the limits the store clips values to.
-- +goose Up
CREATE TABLE calls (
    call_id           VARCHAR(255) NOT NULL PRIMARY KEY,
    caller            VARCHAR(64)  NOT NULL DEFAULT '',
    number            VARCHAR(64)  NOT NULL DEFAULT '',
    language          VARCHAR(32)  NOT NULL DEFAULT '',
    flow              VARCHAR(128) NOT NULL DEFAULT '',
    ivr_path          TEXT         NOT NULL,
    vars              TEXT         NOT NULL,
    queue             VARCHAR(128) NOT NULL DEFAULT '',
    agent             VARCHAR(128) NOT NULL DEFAULT '',
    priority          INT          NOT NULL DEFAULT 0,
    arrived_ms        BIGINT       NOT NULL,
    answered_ms       BIGINT       NULL,
    ivr_ended_ms      BIGINT       NULL,
    queued_ms         BIGINT       NULL,
    agent_offered_ms  BIGINT       NULL,
    agent_answered_ms BIGINT       NULL,
    talk_ended_ms     BIGINT       NULL,
    ended_ms          BIGINT       NULL,
    agent_offers      INT          NOT NULL DEFAULT 0,
    talk_ms           BIGINT       NOT NULL DEFAULT 0,
    hold_ms           BIGINT       NOT NULL DEFAULT 0,
    hold_count        INT          NOT NULL DEFAULT 0,
    transfer_kind     VARCHAR(32)  NOT NULL DEFAULT '',
    transfer_target   VARCHAR(255) NOT NULL DEFAULT '',
    hangup_by         VARCHAR(32)  NOT NULL DEFAULT '',
    result            VARCHAR(32)  NOT NULL DEFAULT '',
    end_reason        VARCHAR(128) NOT NULL DEFAULT '',
    recording_file    VARCHAR(512) NOT NULL DEFAULT '',
    answer_delay_ms   BIGINT       NOT NULL DEFAULT 0,
    queue_wait_ms     BIGINT       NOT NULL DEFAULT 0,
    INDEX calls_arrived (arrived_ms),
    INDEX calls_caller (caller, arrived_ms),
    INDEX calls_agent (agent, agent_answered_ms)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE queue_visits (
    call_id   VARCHAR(255) NOT NULL,
    seq       INT          NOT NULL,
    queue     VARCHAR(128) NOT NULL,
    priority  INT          NOT NULL DEFAULT 0,
    queued_ms BIGINT       NOT NULL,
    left_ms   BIGINT       NULL,
    outcome   VARCHAR(32)  NOT NULL DEFAULT '',
    wait_ms   BIGINT       NOT NULL DEFAULT 0,
    target    VARCHAR(255) NOT NULL DEFAULT '',
    -- The answering agent's part of the call.
    agent         VARCHAR(128) NOT NULL DEFAULT '',
    talk_ended_ms BIGINT       NULL,
    talk_ms       BIGINT       NOT NULL DEFAULT 0,
    hold_ms       BIGINT       NOT NULL DEFAULT 0,
    transfer_kind VARCHAR(32)  NOT NULL DEFAULT '',
    PRIMARY KEY (call_id, seq),
    INDEX queue_visits_queued (queued_ms),
    INDEX queue_visits_left (left_ms),
    CONSTRAINT queue_visits_call FOREIGN KEY (call_id) REFERENCES calls (call_id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE agent_states (
    id         VARCHAR(255) NOT NULL PRIMARY KEY,
    agent      VARCHAR(128) NOT NULL,
    state      VARCHAR(32)  NOT NULL,
    prev_state VARCHAR(32)  NOT NULL DEFAULT '',
    reason     VARCHAR(128) NOT NULL DEFAULT '',
    at_ms      BIGINT       NOT NULL,
    INDEX agent_states_agent_at (agent, at_ms),
    INDEX agent_states_at (at_ms)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE dispositions (
    call_id  VARCHAR(255) NOT NULL,
    agent    VARCHAR(128) NOT NULL,
    category VARCHAR(64)  NOT NULL DEFAULT '',
    resolved TINYINT(1)   NOT NULL DEFAULT 0,
    at_ms    BIGINT       NOT NULL,
    PRIMARY KEY (call_id, agent),
    INDEX dispositions_at (at_ms)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE survey_answers (
    call_id VARCHAR(255) NOT NULL PRIMARY KEY,
    score   INT          NOT NULL,
    at_ms   BIGINT       NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE wrapups (
    call_id VARCHAR(255) NOT NULL,
    agent   VARCHAR(128) NOT NULL,
    at_ms   BIGINT       NOT NULL,
    PRIMARY KEY (call_id, agent)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE agent_status (
    agent      VARCHAR(128) NOT NULL PRIMARY KEY,
    state      VARCHAR(32)  NOT NULL,
    reason     VARCHAR(128) NOT NULL DEFAULT '',
    queues     TEXT         NOT NULL,
    since_ms   BIGINT       NOT NULL,
    updated_ms BIGINT       NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- +goose Down
DROP TABLE agent_status;
DROP TABLE wrapups;
DROP TABLE survey_answers;
DROP TABLE dispositions;
DROP TABLE agent_states;
DROP TABLE queue_visits;
DROP TABLE calls;
