-- 0001: the station's local store. See the package documentation for what
-- each table is for; times are Unix milliseconds (UTC) unless named *_on,
-- which are calendar dates "YYYY-MM-DD".

-- The one enrolment of this device (a single row).
CREATE TABLE identity (
    id                 INTEGER PRIMARY KEY CHECK (id = 1),
    station            TEXT    NOT NULL,
    station_name       TEXT    NOT NULL,
    level              TEXT    NOT NULL,
    parent             TEXT    NOT NULL,
    device_id          TEXT    NOT NULL,
    secret             TEXT    NOT NULL,
    server_url         TEXT    NOT NULL,
    pinned_cert_sha256 TEXT    NOT NULL,
    enrolled_at        INTEGER NOT NULL
) STRICT;

-- The newest catalog and calendar received from central, exactly as published.
CREATE TABLE catalog_copy (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    version       INTEGER NOT NULL,
    catalog_json  BLOB    NOT NULL,
    calendar_json BLOB    NOT NULL,
    saved_at      INTEGER NOT NULL
) STRICT;

-- Per-day sequence of case numbers issued offline.
CREATE TABLE case_seq (
    day  TEXT PRIMARY KEY,
    last INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- Small settings: the pull cursor, the last push and pull times.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value ANY
) STRICT, WITHOUT ROWID;

-- One row per case: the columns the case list shows, sorts and filters on,
-- kept in step with the local projection so a list never decodes documents.
-- Full ID numbers are never stored here, only inside the documents.
CREATE TABLE cases (
    rid               INTEGER PRIMARY KEY,
    id                TEXT    NOT NULL UNIQUE, -- 36-char lower-case UUID
    number            TEXT    NOT NULL,
    matter_code       TEXT    NOT NULL DEFAULT '',
    matter_name       TEXT    NOT NULL DEFAULT '',
    applicant_name    TEXT    NOT NULL DEFAULT '', -- for search only; lists show name_masked
    name_masked       TEXT    NOT NULL DEFAULT '',
    id_masked         TEXT    NOT NULL DEFAULT '',
    state             TEXT    NOT NULL DEFAULT '',
    due_on            TEXT    NOT NULL DEFAULT '9999-12-31', -- sentinel: no due date sorts last
    warning           TEXT    NOT NULL DEFAULT '',
    warning_rank      INTEGER NOT NULL DEFAULT 0,
    sync_state        TEXT    NOT NULL DEFAULT 'synced',
    received_at       INTEGER NOT NULL DEFAULT 0,
    updated_at        INTEGER NOT NULL DEFAULT 0,
    local_version     INTEGER NOT NULL DEFAULT 0,
    confirmed_version INTEGER -- NULL until central has confirmed the case
) STRICT;

CREATE INDEX cases_number   ON cases (number);
CREATE INDEX cases_updated  ON cases (updated_at);
CREATE INDEX cases_received ON cases (received_at);
CREATE INDEX cases_due      ON cases (due_on);
CREATE INDEX cases_state    ON cases (state, updated_at);
CREATE INDEX cases_state_due      ON cases (state, due_on);
CREATE INDEX cases_state_received ON cases (state, received_at);
CREATE INDEX cases_warning  ON cases (warning_rank, updated_at);
CREATE INDEX cases_sync     ON cases (sync_state, updated_at);
CREATE INDEX cases_matter   ON cases (matter_code, updated_at);
CREATE INDEX cases_name     ON cases (applicant_name);
CREATE INDEX cases_idmask   ON cases (id_masked);
CREATE INDEX cases_digest   ON cases (id, confirmed_version) WHERE confirmed_version IS NOT NULL;

-- The case documents (JSON of casefile.Case), apart from the list columns so
-- that the list table stays narrow: a 2 KB document in the same row would
-- leave one or two rows per page and make every list scan read them all.
CREATE TABLE case_docs (
    rid           INTEGER PRIMARY KEY REFERENCES cases (rid) ON DELETE CASCADE,
    -- The local projection. NULL when it is the confirmed copy itself (no
    -- change of ours on top: most cases, most of the time, so the document
    -- is not stored twice), or when nothing applies (cases.local_version 0:
    -- a rejected intake).
    local_doc     BLOB,
    confirmed_doc BLOB  -- central's authoritative copy; NULL until confirmed
) STRICT;

-- Substring search over the list columns. The trigram tokenizer matches any
-- substring of three or more characters, which is what Chinese needs (there
-- are no spaces between words). External content: the text lives in cases.
CREATE VIRTUAL TABLE cases_fts USING fts5 (
    number, matter_name, applicant_name, id_masked,
    content = 'cases', content_rowid = 'rid', tokenize = 'trigram'
);

CREATE TRIGGER cases_fts_insert AFTER INSERT ON cases BEGIN
    INSERT INTO cases_fts (rowid, number, matter_name, applicant_name, id_masked)
    VALUES (new.rid, new.number, new.matter_name, new.applicant_name, new.id_masked);
END;

CREATE TRIGGER cases_fts_delete AFTER DELETE ON cases BEGIN
    INSERT INTO cases_fts (cases_fts, rowid, number, matter_name, applicant_name, id_masked)
    VALUES ('delete', old.rid, old.number, old.matter_name, old.applicant_name, old.id_masked);
END;

CREATE TRIGGER cases_fts_update AFTER UPDATE OF number, matter_name, applicant_name, id_masked ON cases
WHEN old.number IS NOT new.number OR old.matter_name IS NOT new.matter_name
  OR old.applicant_name IS NOT new.applicant_name OR old.id_masked IS NOT new.id_masked
BEGIN
    INSERT INTO cases_fts (cases_fts, rowid, number, matter_name, applicant_name, id_masked)
    VALUES ('delete', old.rid, old.number, old.matter_name, old.applicant_name, old.id_masked);
    INSERT INTO cases_fts (rowid, number, matter_name, applicant_name, id_masked)
    VALUES (new.rid, new.number, new.matter_name, new.applicant_name, new.id_masked);
END;

-- Every change this station knows: its own (origin 'local') and central's
-- feed (origin 'remote'). seq is the order the station recorded or learned
-- them; body is the protobuf bianmin.sync.v1.Change, the bytes pushed.
CREATE TABLE changes (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT    NOT NULL UNIQUE,
    case_id      TEXT    NOT NULL,
    action       TEXT    NOT NULL,
    actor_user   TEXT    NOT NULL,
    at           INTEGER NOT NULL, -- by the actor's clock
    origin       TEXT    NOT NULL CHECK (origin IN ('local', 'remote')),
    state        TEXT    NOT NULL CHECK (state IN ('pending', 'sent', 'synced', 'rejected', 'deferred', 'remote')),
    body         BLOB    NOT NULL,
    server_seq   INTEGER,          -- position in central's log, once known
    case_version INTEGER,          -- the case's version at central after this change
    applied_at   INTEGER,          -- when central applied it
    code         TEXT    NOT NULL DEFAULT '', -- rejection (or deferral, or local conflict) code
    reason       TEXT    NOT NULL DEFAULT '',
    message_zh   TEXT    NOT NULL DEFAULT '',
    message_en   TEXT    NOT NULL DEFAULT '',
    note         TEXT    NOT NULL DEFAULT '', -- 'conflict': no longer applies locally
    recorded_at  INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
) STRICT;

CREATE INDEX changes_case  ON changes (case_id, seq);
CREATE INDEX changes_state ON changes (state) WHERE state <> 'remote' AND state <> 'synced';

-- Changes not yet acknowledged by central, in recording order.
CREATE TABLE outbox (
    seq          INTEGER PRIMARY KEY REFERENCES changes (seq) ON DELETE CASCADE,
    attempts     INTEGER NOT NULL DEFAULT 0, -- times central deferred it
    last_sent_at INTEGER
) STRICT;

-- Which attachments (blobs) a change references.
CREATE TABLE change_blobs (
    seq    INTEGER NOT NULL REFERENCES changes (seq) ON DELETE CASCADE,
    sha256 TEXT    NOT NULL,
    PRIMARY KEY (seq, sha256)
) STRICT, WITHOUT ROWID;

CREATE INDEX change_blobs_sha ON change_blobs (sha256);

-- Scans, addressed by the SHA-256 of their content. data is the last column
-- so reading the upload state never touches the blob's overflow pages.
CREATE TABLE blobs (
    sha256     TEXT    PRIMARY KEY,
    size       INTEGER NOT NULL,
    name       TEXT    NOT NULL,
    mime       TEXT    NOT NULL,
    acked      INTEGER NOT NULL DEFAULT 0, -- bytes central has acknowledged
    complete   INTEGER NOT NULL DEFAULT 0, -- central holds and verified all of it
    created_at INTEGER NOT NULL,
    data       BLOB    NOT NULL
) STRICT;

-- Case ids seen in the pages of a full resync still in progress.
CREATE TABLE resync_seen (
    id TEXT PRIMARY KEY
) STRICT, WITHOUT ROWID;
