-- Outage notices per area, managed by supervisors through the API, and the
-- work orders filed by fault reports. Times are UTC ms since the epoch;
-- ends_ms 0 means "until expired". areas is a comma-separated list, "*"
-- for every area; prompts is a JSON object language → file name under
-- data_dir/notices/<id>/.
-- +goose Up
CREATE TABLE notices (
    id          BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    areas       VARCHAR(512) NOT NULL,
    text        TEXT         NOT NULL,
    prompts     TEXT         NOT NULL,
    starts_ms   BIGINT       NOT NULL,
    ends_ms     BIGINT       NOT NULL DEFAULT 0,
    created_by  VARCHAR(128) NOT NULL DEFAULT '',
    created_ms  BIGINT       NOT NULL,
    updated_ms  BIGINT       NOT NULL,
    expired     TINYINT      NOT NULL DEFAULT 0,
    INDEX notices_active (expired, starts_ms)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE work_orders (
    number      VARCHAR(64)  NOT NULL PRIMARY KEY,
    day         VARCHAR(8)   NOT NULL,
    seq         INT          NOT NULL,
    call_id     VARCHAR(255) NOT NULL DEFAULT '',
    account     VARCHAR(64)  NOT NULL DEFAULT '',
    caller      VARCHAR(64)  NOT NULL DEFAULT '',
    recording   VARCHAR(512) NOT NULL DEFAULT '',
    created_ms  BIGINT       NOT NULL,
    UNIQUE KEY work_orders_day_seq (day, seq),
    INDEX work_orders_created (created_ms)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- +goose Down
DROP TABLE work_orders;
DROP TABLE notices;
