-- 0003: the PDFs printed for a case (受理通知书, 一次性告知书, 不予受理通知书,
-- 收件凭证, 决定书), kept with it so that a clerk can reprint exactly what the
-- applicant was given. They are the station's own record and are not synced:
-- central keeps the changes they were printed from.
CREATE TABLE documents (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id    TEXT    NOT NULL,
    kind       TEXT    NOT NULL,              -- notice kind, e.g. 受理通知书
    filename   TEXT    NOT NULL,
    change_id  TEXT    NOT NULL DEFAULT '',   -- the change it was printed for, if any
    created_by TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    size       INTEGER NOT NULL,
    sha256     TEXT    NOT NULL,
    data       BLOB    NOT NULL               -- last: listing never reads it
) STRICT;

CREATE INDEX documents_case ON documents (case_id, id);
