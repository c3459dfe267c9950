-- Web (owner: padan/web). Users, server-side sessions, API tokens, audit log, background jobs.
-- Passwords and tokens are stored only as hashes (argon2 / sha256); the session cookie holds
-- nothing but an opaque random id, so a session can be revoked by deleting its row.
CREATE SEQUENCE IF NOT EXISTS web_user_id_seq START 1;
CREATE TABLE IF NOT EXISTS users (
    user_id        INTEGER PRIMARY KEY,
    username       VARCHAR NOT NULL UNIQUE,
    password_hash  VARCHAR NOT NULL,          -- argon2id
    peran          VARCHAR NOT NULL,          -- admin | provinsi | kpu_kabupaten | dukcapil_kabupaten | pemantau
    kode_kab       VARCHAR,                   -- 4 digits for *_kabupaten roles, else NULL
    active         BOOLEAN DEFAULT true,
    created_at     TIMESTAMP DEFAULT current_timestamp,
    password_changed_at TIMESTAMP DEFAULT current_timestamp
);

CREATE TABLE IF NOT EXISTS sessions (
    session_id     VARCHAR PRIMARY KEY,       -- sha256 of the random id the cookie carries
    user_id        INTEGER NOT NULL,
    csrf_token     VARCHAR NOT NULL,
    created_at     TIMESTAMP DEFAULT current_timestamp,
    last_seen      TIMESTAMP DEFAULT current_timestamp,
    expires_at     TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS login_attempts (
    username       VARCHAR,
    client         VARCHAR,                   -- remote address
    at_time        TIMESTAMP DEFAULT current_timestamp,
    ok             BOOLEAN
);

CREATE SEQUENCE IF NOT EXISTS api_token_id_seq START 1;
CREATE TABLE IF NOT EXISTS api_tokens (
    token_id       INTEGER PRIMARY KEY,
    system         VARCHAR NOT NULL,          -- name of the system using it (e.g. siak-sulsel)
    token_hash     VARCHAR NOT NULL UNIQUE,   -- sha256 of the bearer token
    prefix         VARCHAR,                   -- first characters, to recognise a token in lists
    peran          VARCHAR NOT NULL,
    kode_kab       VARCHAR,
    active         BOOLEAN DEFAULT true,
    created_at     TIMESTAMP DEFAULT current_timestamp,
    last_used      TIMESTAMP
);

CREATE SEQUENCE IF NOT EXISTS audit_id_seq START 1;
CREATE TABLE IF NOT EXISTS audit_log (
    audit_id       BIGINT PRIMARY KEY,
    at_time        TIMESTAMP DEFAULT current_timestamp,
    actor          VARCHAR,                   -- username, or token:<system>
    peran          VARCHAR,
    kode_kab       VARCHAR,                   -- region the action concerned (or the actor's)
    action         VARCHAR NOT NULL,          -- login, logout, lihat_nik, tinjau, unggah, ...
    target         VARCHAR,                   -- what it concerned (never a full NIK)
    detail         VARCHAR,
    client         VARCHAR
);

CREATE SEQUENCE IF NOT EXISTS job_id_seq START 1;
CREATE TABLE IF NOT EXISTS jobs (
    job_id         INTEGER PRIMARY KEY,
    kind           VARCHAR NOT NULL,          -- impor_dpt | impor_registry | padan
    status         VARCHAR NOT NULL,          -- menunggu | berjalan | selesai | gagal
    started_by     VARCHAR,
    created_at     TIMESTAMP DEFAULT current_timestamp,
    started_at     TIMESTAMP,
    finished_at    TIMESTAMP,
    stage          VARCHAR,
    done           BIGINT,
    total          BIGINT,
    message        VARCHAR,                   -- Bahasa Indonesia, for the page
    result         JSON                       -- import report, match id, ...
);

-- Server settings kept with the workspace (the cookie-signing key, generated on first start).
CREATE TABLE IF NOT EXISTS web_settings (
    key            VARCHAR PRIMARY KEY,
    value          VARCHAR
);
