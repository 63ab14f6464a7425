-- Pending callbacks (virtual hold), so that a restart keeps them: one row
-- per callback from its request until it is answered or gives up. queued_ms
-- is when the caller first queued (their place and their wait); number has
-- called the hotline (the anti toll-fraud rule is checked again on restore).
-- +goose Up
CREATE TABLE callbacks (
    callback_id    VARCHAR(255) NOT NULL PRIMARY KEY,
    call_id        VARCHAR(255) NOT NULL,
    queue          VARCHAR(128) NOT NULL,
    priority       INT          NOT NULL DEFAULT 0,
    caller         VARCHAR(64)  NOT NULL DEFAULT '',
    number         VARCHAR(64)  NOT NULL,
    hotline_number VARCHAR(64)  NOT NULL DEFAULT '',
    language       VARCHAR(16)  NOT NULL DEFAULT '',
    queued_ms      BIGINT       NOT NULL,
    give_up_ms     BIGINT       NOT NULL,
    attempts       INT          NOT NULL DEFAULT 0
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- +goose Down
DROP TABLE callbacks;
