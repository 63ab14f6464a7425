-- Tickets: complaints, suggestions, fault reports and consultations left
-- unresolved, followed from opening to closure and the return visit. One
-- row per ticket, rewritten on every change (version only grows, so a
-- replayed older save changes nothing); ticket_changes keeps who changed
-- what, when and why. call_ids lists the linked calls, space-separated;
-- caller_trusted is 1 when the caller's number came from a trusted network
-- (only such a number is ever dialled for the return visit).
-- +goose Up
CREATE TABLE tickets (
    ticket_id      TEXT    NOT NULL PRIMARY KEY,
    version        BIGINT  NOT NULL,
    category       TEXT    NOT NULL,
    urgency        TEXT    NOT NULL,
    state          TEXT    NOT NULL,
    caller         TEXT    NOT NULL DEFAULT '',
    caller_trusted INTEGER NOT NULL DEFAULT 0,
    account        TEXT    NOT NULL DEFAULT '',
    language       TEXT    NOT NULL DEFAULT '',
    call_ids       TEXT    NOT NULL DEFAULT '',
    recording      TEXT    NOT NULL DEFAULT '',
    work_order     TEXT    NOT NULL DEFAULT '',
    external_id    TEXT    NOT NULL DEFAULT '',
    description    TEXT    NOT NULL DEFAULT '',
    owner          TEXT    NOT NULL DEFAULT '',
    created_by     TEXT    NOT NULL DEFAULT '',
    created_ms     BIGINT  NOT NULL,
    updated_ms     BIGINT  NOT NULL,
    due_ms         BIGINT  NOT NULL,
    answered_ms    BIGINT  NOT NULL DEFAULT 0,
    closed_ms      BIGINT  NOT NULL DEFAULT 0,
    escalated_ms   BIGINT  NOT NULL DEFAULT 0,
    visit_state    TEXT    NOT NULL DEFAULT '',
    visit_due_ms   BIGINT  NOT NULL DEFAULT 0,
    visit_attempts INTEGER NOT NULL DEFAULT 0,
    satisfaction   INTEGER NOT NULL DEFAULT 0,
    resolved       TEXT    NOT NULL DEFAULT '',
    reopened       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX tickets_created ON tickets (created_ms);
CREATE INDEX tickets_state ON tickets (state, created_ms);
CREATE INDEX tickets_category ON tickets (category, created_ms);
CREATE INDEX tickets_caller ON tickets (caller, created_ms);
CREATE INDEX tickets_account ON tickets (account, created_ms);
CREATE INDEX tickets_owner ON tickets (owner, created_ms);
CREATE INDEX tickets_owner_state ON tickets (owner, state, created_ms);
CREATE INDEX tickets_due ON tickets (state, due_ms);
CREATE INDEX tickets_visit ON tickets (visit_state, visit_due_ms);
CREATE INDEX tickets_external ON tickets (external_id);

CREATE TABLE ticket_changes (
    ticket_id  TEXT    NOT NULL,
    seq        INTEGER NOT NULL,
    at_ms      BIGINT  NOT NULL,
    actor      TEXT    NOT NULL DEFAULT '',
    action     TEXT    NOT NULL,
    from_state TEXT    NOT NULL DEFAULT '',
    to_state   TEXT    NOT NULL,
    note       TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (ticket_id, seq)
);

-- +goose Down
DROP TABLE ticket_changes;
DROP TABLE tickets;
