-- Outage notices per area, managed by supervisors through the API, and the
-- work orders filed by fault reports. Times are UTC ms since the epoch;
-- ends_ms 0 means "until expired". areas is a comma-separated list, "*"
-- for every area; prompts is a JSON object language → file name under
-- data_dir/notices/<id>/.
-- +goose Up
CREATE TABLE notices (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    areas       TEXT    NOT NULL,
    text        TEXT    NOT NULL DEFAULT '',
    prompts     TEXT    NOT NULL DEFAULT '{}',
    starts_ms   BIGINT  NOT NULL,
    ends_ms     BIGINT  NOT NULL DEFAULT 0,
    created_by  TEXT    NOT NULL DEFAULT '',
    created_ms  BIGINT  NOT NULL,
    updated_ms  BIGINT  NOT NULL,
    expired     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX notices_active ON notices (expired, starts_ms);

CREATE TABLE work_orders (
    number      TEXT    NOT NULL PRIMARY KEY,
    day         TEXT    NOT NULL,
    seq         INTEGER NOT NULL,
    call_id     TEXT    NOT NULL DEFAULT '',
    account     TEXT    NOT NULL DEFAULT '',
    caller      TEXT    NOT NULL DEFAULT '',
    recording   TEXT    NOT NULL DEFAULT '',
    created_ms  BIGINT  NOT NULL,
    UNIQUE (day, seq)
);
CREATE INDEX work_orders_created ON work_orders (created_ms);

-- +goose Down
DROP TABLE work_orders;
DROP TABLE notices;
