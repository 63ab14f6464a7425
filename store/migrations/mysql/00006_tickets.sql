-- Tickets: complaints, suggestions, fault reports and consultations left
-- unresolved, followed from opening to closure and the return visit. One
-- row per ticket, rewritten on every change (version only grows, so a
-- replayed older save changes nothing); ticket_changes keeps who changed
-- what, when and why. call_ids lists the linked calls, space-separated;
-- caller_trusted is 1 when the caller's number came from a trusted network
-- (only such a number is ever dialled for the return visit).
-- +goose Up
CREATE TABLE tickets (
    ticket_id      VARCHAR(64)   NOT NULL PRIMARY KEY,
    version        BIGINT        NOT NULL,
    category       VARCHAR(32)   NOT NULL,
    urgency        VARCHAR(16)   NOT NULL,
    state          VARCHAR(32)   NOT NULL,
    caller         VARCHAR(64)   NOT NULL DEFAULT '',
    caller_trusted INT           NOT NULL DEFAULT 0,
    account        VARCHAR(64)   NOT NULL DEFAULT '',
    language       VARCHAR(16)   NOT NULL DEFAULT '',
    call_ids       VARCHAR(2048) NOT NULL DEFAULT '',
    recording      VARCHAR(512)  NOT NULL DEFAULT '',
    work_order     VARCHAR(64)   NOT NULL DEFAULT '',
    external_id    VARCHAR(128)  NOT NULL DEFAULT '',
    description    TEXT          NOT NULL,
    owner          VARCHAR(128)  NOT NULL DEFAULT '',
    created_by     VARCHAR(128)  NOT NULL DEFAULT '',
    created_ms     BIGINT        NOT NULL,
    updated_ms     BIGINT        NOT NULL,
    due_ms         BIGINT        NOT NULL,
    answered_ms    BIGINT        NOT NULL DEFAULT 0,
    closed_ms      BIGINT        NOT NULL DEFAULT 0,
    escalated_ms   BIGINT        NOT NULL DEFAULT 0,
    visit_state    VARCHAR(16)   NOT NULL DEFAULT '',
    visit_due_ms   BIGINT        NOT NULL DEFAULT 0,
    visit_attempts INT           NOT NULL DEFAULT 0,
    satisfaction   INT           NOT NULL DEFAULT 0,
    resolved       VARCHAR(8)    NOT NULL DEFAULT '',
    reopened       INT           NOT NULL DEFAULT 0,
    INDEX tickets_created (created_ms),
    INDEX tickets_state (state, created_ms),
    INDEX tickets_category (category, created_ms),
    INDEX tickets_caller (caller, created_ms),
    INDEX tickets_account (account, created_ms),
    INDEX tickets_owner (owner, created_ms),
    INDEX tickets_owner_state (owner, state, created_ms),
    INDEX tickets_due (state, due_ms),
    INDEX tickets_visit (visit_state, visit_due_ms),
    INDEX tickets_external (external_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE ticket_changes (
    ticket_id  VARCHAR(64)   NOT NULL,
    seq        INT           NOT NULL,
    at_ms      BIGINT        NOT NULL,
    actor      VARCHAR(128)  NOT NULL DEFAULT '',
    action     VARCHAR(32)   NOT NULL,
    from_state VARCHAR(32)   NOT NULL DEFAULT '',
    to_state   VARCHAR(32)   NOT NULL,
    note       VARCHAR(2048) NOT NULL DEFAULT '',
    PRIMARY KEY (ticket_id, seq)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- +goose Down
DROP TABLE ticket_changes;
DROP TABLE tickets;
