-- Pending callbacks (virtual hold), so that a restart keeps them: one row
-- per callback from its request until it is answered or gives up. queued_ms
-- is when the caller first queued (their place and their wait); number has
-- called the hotline (the anti toll-fraud rule is checked again on restore).
-- +goose Up
CREATE TABLE callbacks (
    callback_id    TEXT    NOT NULL PRIMARY KEY,
    call_id        TEXT    NOT NULL,
    queue          TEXT    NOT NULL,
    priority       INTEGER NOT NULL DEFAULT 0,
    caller         TEXT    NOT NULL DEFAULT '',
    number         TEXT    NOT NULL,
    hotline_number TEXT    NOT NULL DEFAULT '',
    language       TEXT    NOT NULL DEFAULT '',
    queued_ms      BIGINT  NOT NULL,
    give_up_ms     BIGINT  NOT NULL,
    attempts       INTEGER NOT NULL DEFAULT 0
);

-- +goose Down
DROP TABLE callbacks;
