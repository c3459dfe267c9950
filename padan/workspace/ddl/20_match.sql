-- Matching (owner: padan/linkage). A match run links one DPT import against the register as
-- of one date; every run is kept, so progress over snapshot dates can be shown.
CREATE SEQUENCE IF NOT EXISTS match_id_seq START 1;

CREATE TABLE IF NOT EXISTS match_runs (
    match_id       INTEGER PRIMARY KEY,
    pemilihan      VARCHAR NOT NULL,
    dpt_import_id  INTEGER NOT NULL,
    registry_date  DATE NOT NULL,
    started_at     TIMESTAMP DEFAULT current_timestamp,
    finished_at    TIMESTAMP,
    params         JSON,                      -- thresholds, model version
    counts         JSON                       -- per tier / status
);

CREATE TABLE IF NOT EXISTS match_results (
    match_id       INTEGER NOT NULL,
    row_id         BIGINT NOT NULL,
    kode_kab       VARCHAR,
    kode_kec       VARCHAR,
    kode_desa      VARCHAR,
    tps_key        VARCHAR,
    nik_dukcapil   VARCHAR,
    status_rekam   VARCHAR,
    status_ktp_el  VARCHAR,
    metode_padan   VARCHAR,
    skor_padan     DOUBLE,
    catatan        VARCHAR
);

CREATE TABLE IF NOT EXISTS match_explanations (
    match_id          INTEGER NOT NULL,
    row_id            BIGINT NOT NULL,
    candidate_nik     VARCHAR,
    candidate_rank    INTEGER,
    tier              VARCHAR,                -- NIK | NIK_KOREKSI | PROBABILISTIK
    match_probability DOUBLE,
    match_weight      DOUBLE,
    details           JSON                    -- compared fields, values, per-comparison weights
);

-- Decisions people take in the review queue. Keyed by the DPT row, so a later match run
-- (next day's snapshot) applies them again.
CREATE SEQUENCE IF NOT EXISTS review_id_seq START 1;
CREATE TABLE IF NOT EXISTS review_decisions (
    review_id      INTEGER PRIMARY KEY,
    dpt_import_id  INTEGER NOT NULL,
    row_id         BIGINT NOT NULL,
    candidate_nik  VARCHAR,                   -- NULL with 'tolak' = none of the candidates
    decision       VARCHAR NOT NULL,          -- 'terima' | 'tolak'
    note           VARCHAR,
    decided_by     VARCHAR,
    decided_at     TIMESTAMP DEFAULT current_timestamp
);
