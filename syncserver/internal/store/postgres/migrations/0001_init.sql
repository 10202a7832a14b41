-- Central's schema on PostgreSQL: everything the SQLite store keeps, in one
-- step. Conventions:
--   * Times are unix nanoseconds (bigint, NULL for "never"), as in the SQLite
--     store: timestamptz keeps microseconds, and an audit entry's hash covers
--     its time in nanoseconds, so a round trip through timestamptz would
--     break the chain.
--   * Case and change ids are uuid, which PostgreSQL orders by their bytes:
--     the same order as their text form, so "ORDER BY id" is id order.
--   * Keys a list is ordered by (station codes, device ids, user names) are
--     COLLATE "C": byte order, as SQLite compares text, whatever the
--     database's locale.
--   * Documents, change bodies and attachment chunks are bytea; dates of a
--     rectification are date.

CREATE TABLE stations (
	code       text COLLATE "C" PRIMARY KEY,
	name       text NOT NULL,
	level      text NOT NULL,
	parent     text NOT NULL DEFAULT '',
	created_at bigint NOT NULL
);

CREATE TABLE enroll_codes (
	hash       text PRIMARY KEY, -- hex SHA-256 of the code
	station    text COLLATE "C" NOT NULL REFERENCES stations (code),
	created_at bigint NOT NULL,
	expires_at bigint NOT NULL,
	used_at    bigint,
	used_by    text NOT NULL DEFAULT ''
);

CREATE INDEX enroll_codes_station ON enroll_codes (station);

CREATE TABLE devices (
	id           text COLLATE "C" PRIMARY KEY,
	station      text COLLATE "C" NOT NULL REFERENCES stations (code),
	name         text NOT NULL,
	secret_hash  text NOT NULL,
	enrolled_at  bigint NOT NULL,
	revoked_at   bigint,
	last_seen_at bigint
);

CREATE INDEX devices_station ON devices (station, id);

-- Each distinct matter snapshot once (see store.SplitCase); a case row
-- refers to its snapshot by id. Rows are never changed, and deleted only by
-- the transaction that inserted them (a save that turned out stale), so a
-- committed row may be cached for good.
CREATE TABLE matter_snapshots (
	id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	sha256 bytea NOT NULL UNIQUE, -- of doc
	doc    bytea NOT NULL         -- the protobuf MatterSnapshot
);

-- The current copy of every case: the columns queries filter on, and doc,
-- the case's document without its matter snapshot. snapshot has no foreign
-- key, as in the SQLite store: the store inserts a snapshot before any case
-- that refers to it and deletes none that a case refers to, and the check
-- would cost every save of a push a trigger run.
CREATE TABLE cases (
	id               uuid PRIMARY KEY,
	number           text NOT NULL,
	origin_station   text COLLATE "C" NOT NULL,
	handling_station text COLLATE "C" NOT NULL, -- the origin for a case that is not a proxy case
	matter           text NOT NULL,
	state            text NOT NULL,
	version          bigint NOT NULL,
	updated_at       bigint NOT NULL,
	snapshot         bigint NOT NULL, -- matter_snapshots.id
	doc              bytea NOT NULL
);

-- One index per party role, each ordered by id, so that a station's page of
-- cases is two bounded index range scans (see PartyCases). Only proxy cases
-- need the second: it is partial, and queries repeat its condition.
CREATE INDEX cases_origin ON cases (origin_station, id);
CREATE INDEX cases_handling ON cases (handling_station, id) WHERE handling_station <> origin_station;
-- The open cases in id order, for the scheduler's pages (OpenCases).
CREATE INDEX cases_open ON cases (id) WHERE state <> 'closed';

-- Central's log. seq is assigned by the store, the last one plus one, under
-- the writer lock that every Update takes (see the package doc): so seqs
-- commit in order, and a reader that has seen one has seen every lower one.
-- (A sequence would hand out values in the order transactions ask, not the
-- order they commit.) A change's row is never deleted once committed, so no
-- seq is handed out twice. The parties are copied from the case at the time
-- of the change so that a station's feed is a range scan of its own entries.
CREATE TABLE changes (
	seq              bigint PRIMARY KEY,
	id               uuid NOT NULL UNIQUE,
	case_id          uuid NOT NULL,
	origin_station   text COLLATE "C" NOT NULL,
	handling_station text COLLATE "C" NOT NULL,
	station          text NOT NULL, -- who pushed it; '' for central
	case_version     bigint NOT NULL,
	applied_at       bigint NOT NULL,
	received_at      bigint NOT NULL,
	body             bytea NOT NULL
);

CREATE INDEX changes_origin ON changes (origin_station, seq);
CREATE INDEX changes_handling ON changes (handling_station, seq) WHERE handling_station <> origin_station;
CREATE INDEX changes_case ON changes (case_id, seq);

CREATE TABLE rejections (
	id          uuid PRIMARY KEY,
	case_id     uuid NOT NULL,
	station     text NOT NULL,
	code        text NOT NULL,
	reason      text NOT NULL,
	message_zh  text NOT NULL,
	message_en  text NOT NULL,
	received_at bigint NOT NULL,
	body        bytea NOT NULL
);

CREATE INDEX rejections_case ON rejections (case_id);

-- The attachments each case refers to, kept by SaveApplied, so that
-- BlobVisible is an index look-up rather than a search of documents.
CREATE TABLE case_blobs (
	sha256  text COLLATE "C" NOT NULL,
	case_id uuid NOT NULL,
	PRIMARY KEY (sha256, case_id)
);

-- Attachments live in the database: a chunk and the offset that acknowledges
-- it commit together, and the database is the whole of central's state to
-- back up.
CREATE TABLE blobs (
	sha256     text COLLATE "C" PRIMARY KEY,
	size       bigint NOT NULL,
	received   bigint NOT NULL DEFAULT 0,
	complete   boolean NOT NULL DEFAULT false,
	created_at bigint NOT NULL
);

-- pos is the chunk's byte offset in the blob.
CREATE TABLE blob_chunks (
	sha256 text COLLATE "C" NOT NULL REFERENCES blobs (sha256) ON DELETE CASCADE,
	pos    bigint NOT NULL,
	data   bytea NOT NULL,
	PRIMARY KEY (sha256, pos)
);

-- Scans are JPEG and PDF, already compressed: store them out of line
-- without trying to compress them again.
ALTER TABLE blob_chunks ALTER COLUMN data SET STORAGE EXTERNAL;

-- The files as published, byte for byte.
CREATE TABLE catalogs (
	version       integer PRIMARY KEY,
	published_at  bigint NOT NULL,
	catalog_json  bytea NOT NULL,
	calendar_json bytea NOT NULL
);

CREATE TABLE users (
	username        text COLLATE "C" PRIMARY KEY,
	name            text NOT NULL,
	role            text NOT NULL,
	department      text NOT NULL DEFAULT '', -- '' for an admin
	password_hash   text NOT NULL,            -- argon2id, PHC string
	disabled        boolean NOT NULL DEFAULT false,
	created_at      bigint NOT NULL,
	failed_sign_ins integer NOT NULL DEFAULT 0,
	last_failed_at  bigint
);

CREATE TABLE sessions (
	token_hash text PRIMARY KEY, -- hex SHA-256 of the token
	username   text COLLATE "C" NOT NULL REFERENCES users (username) ON DELETE CASCADE,
	created_at bigint NOT NULL,
	expires_at bigint NOT NULL
);

CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE INDEX sessions_username ON sessions (username);

-- The audit trail (see package audit). seq is assigned by the store, last +
-- 1, under the writer lock that every appender takes, in this process or
-- another, so the chain has one entry per seq and no gaps.
CREATE TABLE audit_log (
	seq     bigint PRIMARY KEY,
	at      bigint NOT NULL,
	actor   text NOT NULL,
	kind    text NOT NULL,
	subject text NOT NULL,
	prev    text NOT NULL,
	hash    text NOT NULL,
	detail  text NOT NULL
);

-- A bad review's handling, one per case; NULL dates are "not yet".
CREATE TABLE rectifications (
	case_id        uuid PRIMARY KEY,
	number         text NOT NULL,
	station        text NOT NULL,
	department     text NOT NULL,
	rating         integer NOT NULL,
	named          boolean NOT NULL,
	opened_on      date,
	due_on         date,
	verified_on    date,
	rectified_on   date,
	answered_on    date,
	followed_up_on date,
	outcome        text NOT NULL,
	comment        text NOT NULL,
	note           text NOT NULL
);

-- NULLS FIRST, as SQLite sorts them, in the index and in the queries.
CREATE INDEX rectifications_open ON rectifications (opened_on NULLS FIRST, case_id) WHERE followed_up_on IS NULL;

-- Per department, the cases it must see now, kept by SaveApplied (the same
-- rules as the SQLite store's 0003_central.sql):
--   'task':   the department has a pending workflow task on the case;
--   'matter': the case is open and warned, and the department implements
--             its matter (for supervision and escalation).
CREATE TABLE case_departments (
	department text COLLATE "C" NOT NULL,
	case_id    uuid NOT NULL,
	kind       text NOT NULL CHECK (kind IN ('task', 'matter')),
	PRIMARY KEY (department, case_id, kind)
);
