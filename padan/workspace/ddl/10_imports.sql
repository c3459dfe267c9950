-- Imports (owner: padan/ingest). One row per import run; rows of all versions and snapshots
-- live in dpt_rows / registry_rows keyed by import_id. Canonical columns: docs/ARCHITECTURE.md.
CREATE SEQUENCE IF NOT EXISTS import_id_seq START 1;

CREATE TABLE IF NOT EXISTS imports (
    import_id      INTEGER PRIMARY KEY,
    kind           VARCHAR NOT NULL,          -- 'dpt' | 'registry'
    pemilihan      VARCHAR,                   -- election profile (dpt)
    versi          VARCHAR,                   -- DPT version name: DPS, DPSHP, DPT, DPT-PERBAIKAN-1 ...
    snapshot_date  DATE,                      -- register snapshot date (registry)
    is_delta       BOOLEAN DEFAULT false,
    imported_by    VARCHAR,
    imported_at    TIMESTAMP DEFAULT current_timestamp,
    files          JSON,                      -- [{"name":..., "sha256":..., "bytes":...}]
    content_hash   VARCHAR,                   -- hash over all files, for duplicate detection
    raw_columns    VARCHAR[],                 -- header of the input, in order (DPT: for the result file)
    rows_read      BIGINT,
    accepted       BIGINT,
    rejected       BIGINT,
    report         JSON                       -- warnings: unknown regions, date order decided, ...
);

CREATE TABLE IF NOT EXISTS dpt_rows (
    import_id      INTEGER NOT NULL,
    row_id         BIGINT NOT NULL,           -- 0-based input order within the import
    source_file    VARCHAR,
    source_sheet   VARCHAR,
    source_row     INTEGER,
    kode_kab       VARCHAR,
    kode_kec       VARCHAR,
    kode_desa      VARCHAR,
    tps            VARCHAR,
    tps_key        VARCHAR,
    nik            VARCHAR,
    nik_raw        VARCHAR,
    nik_flags      VARCHAR,
    nkk            VARCHAR,
    nama           VARCHAR,
    tempat_lahir   VARCHAR,
    tanggal_lahir  DATE,
    usia           INTEGER,
    status_kawin   VARCHAR,
    jenis_kelamin  VARCHAR,
    alamat         VARCHAR,
    rt             VARCHAR,
    rw             VARCHAR,
    disabilitas    VARCHAR,
    ktp_el         VARCHAR,
    keterangan     VARCHAR,
    raw            VARCHAR[]                  -- the input row's values as read, in header order
);

CREATE TABLE IF NOT EXISTS registry_rows (
    import_id      INTEGER NOT NULL,
    snapshot_date  DATE NOT NULL,
    row_id         BIGINT NOT NULL,
    nik            VARCHAR NOT NULL,
    no_kk          VARCHAR,
    nama           VARCHAR,
    tempat_lahir   VARCHAR,
    tanggal_lahir  DATE,
    jenis_kelamin  VARCHAR,
    status_kawin   VARCHAR,
    alamat         VARCHAR,
    rt             VARCHAR,
    rw             VARCHAR,
    kode_desa      VARCHAR,
    status_ktp_el  VARCHAR,
    tgl_rekam      DATE
);

CREATE TABLE IF NOT EXISTS import_rejects (
    import_id      INTEGER NOT NULL,
    source_file    VARCHAR,
    source_sheet   VARCHAR,
    source_row     INTEGER,
    reason         VARCHAR,                   -- stable code
    column_name    VARCHAR,
    value_masked   VARCHAR,
    message        VARCHAR,                   -- Bahasa Indonesia
    raw            VARCHAR[]
);
