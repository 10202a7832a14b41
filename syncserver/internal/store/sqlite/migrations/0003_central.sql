-- Central's own people and supervision: users and their sessions, the audit
-- trail, bad reviews' rectifications, and the indexes that let a department
-- find its cases and the scheduler walk the open ones.

CREATE TABLE users (
	username        TEXT PRIMARY KEY,
	name            TEXT NOT NULL,
	role            TEXT NOT NULL,
	department      TEXT NOT NULL DEFAULT '', -- '' for an admin
	password_hash   TEXT NOT NULL,            -- argon2id, PHC string
	disabled        INTEGER NOT NULL DEFAULT 0,
	created_at      INTEGER NOT NULL,
	failed_sign_ins INTEGER NOT NULL DEFAULT 0,
	last_failed_at  INTEGER
) STRICT;

CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY, -- hex SHA-256 of the token
	username   TEXT NOT NULL REFERENCES users (username) ON DELETE CASCADE,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
) STRICT;

CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE INDEX sessions_username ON sessions (username);

-- audit_log is the trail (see package audit). seq is the rowid and is
-- assigned by the store, last + 1, in the transaction that appends: the
-- write lock serialises appenders, in this process or another, so the
-- chain has one entry per seq and no gaps. Entries are never updated or
-- deleted; if one is, audit.Verify names it.
CREATE TABLE audit_log (
	seq     INTEGER PRIMARY KEY,
	at      INTEGER NOT NULL,
	actor   TEXT NOT NULL,
	kind    TEXT NOT NULL,
	subject TEXT NOT NULL,
	prev    TEXT NOT NULL,
	hash    TEXT NOT NULL,
	detail  TEXT NOT NULL -- a push's entry lists every change: last
) STRICT;

-- A bad review's handling, one per case. Dates are 'YYYY-MM-DD', NULL for
-- "not yet".
CREATE TABLE rectifications (
	case_id        TEXT PRIMARY KEY,
	number         TEXT NOT NULL,
	station        TEXT NOT NULL,
	department     TEXT NOT NULL,
	rating         INTEGER NOT NULL,
	named          INTEGER NOT NULL,
	opened_on      TEXT,
	due_on         TEXT,
	verified_on    TEXT,
	rectified_on   TEXT,
	answered_on    TEXT,
	followed_up_on TEXT,
	outcome        TEXT NOT NULL,
	comment        TEXT NOT NULL,
	note           TEXT NOT NULL
) STRICT;

CREATE INDEX rectifications_open ON rectifications (opened_on, case_id) WHERE followed_up_on IS NULL;

-- case_departments lists, per department, the cases it must see now, kept by
-- SaveApplied from each case's document, so that a department's inbox is a
-- range scan of its own rows rather than a search of documents:
--   'task':   the department has a pending workflow task on the case
--             (casefile.Case.Tasks);
--   'matter': the case is open and carries a warning, and the department
--             implements its matter (the snapshot's department,
--             co-departments or workflow departments): for supervision and
--             escalation.
-- Most cases never carry a warning, so a push of new cases writes no rows
-- here; a case's rows change only when its task departments change, when it
-- is first warned, and when it closes.
CREATE TABLE case_departments (
	department TEXT NOT NULL,
	case_id    TEXT NOT NULL,
	kind       TEXT NOT NULL CHECK (kind IN ('task', 'matter')),
	PRIMARY KEY (department, case_id, kind)
) STRICT, WITHOUT ROWID;

-- The open cases in id order, for the scheduler's pages (OpenCases). Closed
-- is the one terminal state, so over the years this index holds a small
-- part of the cases; queries repeat its condition so that SQLite uses it.
CREATE INDEX cases_open ON cases (id) WHERE state <> 'closed';
