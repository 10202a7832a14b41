-- Central's schema. Times are unix nanoseconds (INTEGER, NULL for "never");
-- UUIDs are their 36-character lower-case text form, whose byte order is the
-- UUID's, so "ORDER BY id" is id order. Large columns (doc, body, data) come
-- last in their rows: SQLite reads a row's columns in order, and a column
-- stored after a large one means walking that one's overflow pages.

CREATE TABLE stations (
	code       TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	level      TEXT NOT NULL,
	parent     TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE enroll_codes (
	hash       TEXT PRIMARY KEY, -- hex SHA-256 of the code
	station    TEXT NOT NULL REFERENCES stations (code),
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	used_at    INTEGER,
	used_by    TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX enroll_codes_station ON enroll_codes (station);

CREATE TABLE devices (
	id           TEXT PRIMARY KEY,
	station      TEXT NOT NULL REFERENCES stations (code),
	name         TEXT NOT NULL,
	secret_hash  TEXT NOT NULL,
	enrolled_at  INTEGER NOT NULL,
	revoked_at   INTEGER,
	last_seen_at INTEGER
) STRICT;

CREATE INDEX devices_station ON devices (station, id);

-- cases holds the current copy of every case: the columns a query filters
-- on, and doc, the casefile.Case as JSON, which is what readers get back.
CREATE TABLE cases (
	id               TEXT PRIMARY KEY,
	number           TEXT NOT NULL,
	origin_station   TEXT NOT NULL,
	handling_station TEXT NOT NULL,
	matter           TEXT NOT NULL,
	state            TEXT NOT NULL,
	version          INTEGER NOT NULL,
	updated_at       INTEGER NOT NULL,
	doc              TEXT NOT NULL
) STRICT;

-- One index per party role, each ordered by id, so that a station's page of
-- cases is two bounded index range scans (see PartyCases). handling_station
-- is the origin for a case that is not a proxy case (never ''), and only
-- proxy cases need the second index: it is partial, and queries repeat its
-- condition so that SQLite uses it.
CREATE INDEX cases_origin ON cases (origin_station, id);
CREATE INDEX cases_handling ON cases (handling_station, id) WHERE handling_station <> origin_station;

-- changes is central's log. seq is the rowid, so reading by seq is reading
-- the table in order. The parties are copied from the case at the time of
-- the change so that a station's feed is a range scan of its own entries.
CREATE TABLE changes (
	seq              INTEGER PRIMARY KEY AUTOINCREMENT,
	id               TEXT NOT NULL UNIQUE,
	case_id          TEXT NOT NULL,
	origin_station   TEXT NOT NULL,
	handling_station TEXT NOT NULL,
	station          TEXT NOT NULL, -- who pushed it; '' for central
	case_version     INTEGER NOT NULL,
	applied_at       INTEGER NOT NULL,
	received_at      INTEGER NOT NULL,
	body             BLOB NOT NULL
) STRICT;

CREATE INDEX changes_origin ON changes (origin_station, seq);
CREATE INDEX changes_handling ON changes (handling_station, seq) WHERE handling_station <> origin_station;
CREATE INDEX changes_case ON changes (case_id, seq);

CREATE TABLE rejections (
	id          TEXT PRIMARY KEY,
	case_id     TEXT NOT NULL,
	station     TEXT NOT NULL,
	code        TEXT NOT NULL,
	reason      TEXT NOT NULL,
	message_zh  TEXT NOT NULL,
	message_en  TEXT NOT NULL,
	received_at INTEGER NOT NULL,
	body        BLOB NOT NULL
) STRICT;

CREATE INDEX rejections_case ON rejections (case_id);

-- case_blobs lists the attachments each case refers to, kept by SaveApplied,
-- so that BlobVisible is an index lookup rather than a search of documents.
-- It is keyed for that look-up only: SaveApplied knows a case's previous
-- attachments from its stored document and deletes pairs by key.
CREATE TABLE case_blobs (
	sha256  TEXT NOT NULL,
	case_id TEXT NOT NULL,
	PRIMARY KEY (sha256, case_id)
) STRICT, WITHOUT ROWID;

-- Attachments live in the database, not in files beside it: one file is the
-- whole of central's state to back up and restore; a chunk and the offset
-- that acknowledges it are written in one transaction, so a crash can never
-- leave bytes on disk that the blob row does not count (or the reverse); and
-- a discarded or abandoned upload is a DELETE, with no orphan files to sweep.
CREATE TABLE blobs (
	sha256     TEXT PRIMARY KEY,
	size       INTEGER NOT NULL,
	received   INTEGER NOT NULL DEFAULT 0,
	complete   INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL
) STRICT;

-- pos is the chunk's byte offset in the blob ("offset" is an SQL keyword).
CREATE TABLE blob_chunks (
	sha256 TEXT NOT NULL REFERENCES blobs (sha256) ON DELETE CASCADE,
	pos    INTEGER NOT NULL,
	data   BLOB NOT NULL,
	PRIMARY KEY (sha256, pos)
) STRICT;

CREATE TABLE catalogs (
	version       INTEGER PRIMARY KEY,
	published_at  INTEGER NOT NULL,
	catalog_json  TEXT NOT NULL,
	calendar_json TEXT NOT NULL
) STRICT;
