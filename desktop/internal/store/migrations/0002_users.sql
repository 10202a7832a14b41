-- 0002: the station's staff and the audit trail of what they looked at.

-- Staff who sign in at this station. Passwords are kept only as salted,
-- slow hashes (argon2id, PHC string with its parameters), so that sign-in
-- works offline and a copied file does not give the passwords away.
CREATE TABLE users (
    name            TEXT    PRIMARY KEY, -- sign-in name, e.g. "wangli"
    display_name    TEXT    NOT NULL,    -- 王丽: shown on changes and notices
    role            TEXT    NOT NULL,    -- caseflow.Role: clerk, approver, head, agent
    admin           INTEGER NOT NULL DEFAULT 0, -- may manage the other users
    password_hash   TEXT    NOT NULL,
    disabled        INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    last_sign_in    INTEGER NOT NULL DEFAULT 0,
    failed_sign_ins INTEGER NOT NULL DEFAULT 0   -- since the last successful one
) STRICT, WITHOUT ROWID;

-- Views of personal data beyond the masked default (PIPL art. 51: access
-- control and audit), e.g. a clerk showing an applicant's full ID number.
CREATE TABLE audit (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    at      INTEGER NOT NULL,
    user    TEXT    NOT NULL,
    action  TEXT    NOT NULL,              -- e.g. "show_full_id"
    case_id TEXT    NOT NULL DEFAULT '',
    detail  TEXT    NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX audit_case ON audit (case_id, seq);
