package store

import (
	"context"
	"time"

	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/workcal"
	"github.com/bianmin/bianmin/syncserver/internal/audit"
	"github.com/google/uuid"
)

// User is a central user: a department's handler, reviewer, approver or
// head, or an admin.
type User struct {
	Username     string
	Name         string
	Role         caseflow.Role
	Department   string // department code; "" for an admin
	PasswordHash string // argon2id, PHC string format
	Disabled     bool
	CreatedAt    time.Time
	// Failed sign-ins since the last success, and when the last one was,
	// to slow down guessing.
	FailedSignIns int
	LastFailedAt  time.Time
}

// Session is a signed-in user's session; only the token's hash is stored.
type Session struct {
	TokenHash string
	Username  string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Rectification is a bad review's handling (核实 → 整改 → 反馈 → 回访).
type Rectification struct {
	CaseID       uuid.UUID
	Number       string
	Station      string
	Department   string
	Rating       int
	Comment      string
	Named        bool
	OpenedOn     workcal.Date
	DueOn        workcal.Date
	VerifiedOn   workcal.Date
	RectifiedOn  workcal.Date
	AnsweredOn   workcal.Date
	FollowedUpOn workcal.Date
	Outcome      string // of the follow-up call: satisfied, unsatisfied, unreachable
	Note         string
}

// Open reports whether the rectification still has steps to do.
func (r Rectification) Open() bool { return r.FollowedUpOn.IsZero() }

// CentralTx is the part of a transaction central's own work needs.
type CentralTx interface {
	// Audit appends an entry to the trail: e's Seq becomes the last entry's
	// plus one and e is sealed onto the last entry's hash (audit.Seal),
	// whatever Seq, Prev and Hash it came with; a zero At is the
	// transaction's clock. Appenders in every process sharing the store
	// build one chain, and an Update that fails takes its entries with it.
	Audit(e audit.Entry) error
	// SaveRectification creates or replaces a case's rectification.
	SaveRectification(r Rectification) error
}

// Central is the part of the store central's people and supervision need.
type Central interface {
	// Users and sessions.
	CreateUser(ctx context.Context, u User) error // Conflict if the name is taken
	User(ctx context.Context, username string) (User, error)
	Users(ctx context.Context) ([]User, error)    // in username order
	UpdateUser(ctx context.Context, u User) error // NotFound if missing; Username and CreatedAt are kept
	// CreateSession fails NotFound if the user is missing, Conflict if the
	// token hash is in use. It may forget sessions already expired.
	CreateSession(ctx context.Context, s Session) error
	Session(ctx context.Context, tokenHash string) (Session, error) // NotFound if missing
	DeleteSession(ctx context.Context, tokenHash string) error      // a missing session is no error

	// DepartmentCases returns the cases on which department has a pending
	// workflow task (casefile.Case.Tasks), and the open cases carrying a
	// warning whose matter it implements (the snapshot's department,
	// co-departments or workflow departments: for supervision and
	// escalation), most recently updated first, at most limit.
	DepartmentCases(ctx context.Context, department string, limit int) ([]*casefile.Case, error)
	// OpenCases pages through cases not closed, in id order, after the given id.
	OpenCases(ctx context.Context, after uuid.UUID, limit int) ([]*casefile.Case, error)
	// EachCase calls fn for every case, in id order (for reports). An error
	// from fn ends it and is returned as is.
	EachCase(ctx context.Context, fn func(*casefile.Case) error) error

	// AuditEntries returns the trail in stored (Seq) order after seq, at most limit.
	AuditEntries(ctx context.Context, after int64, limit int) ([]audit.Entry, error)
	// AppendAudit appends one entry in its own transaction (see CentralTx.Audit).
	AppendAudit(ctx context.Context, e audit.Entry) error
	// AuditedChanges returns, for verification, every applied change's id
	// and the SHA-256 of its stored body (audit.BodyHash), in log order. An
	// error from fn ends it and is returned as is.
	AuditedChanges(ctx context.Context, fn func(changeID uuid.UUID, bodySHA256 string) error) error

	// Rectifications returns every rectification, or the open ones, by
	// OpenedOn then case id.
	Rectifications(ctx context.Context, openOnly bool) ([]Rectification, error)
	Rectification(ctx context.Context, caseID uuid.UUID) (Rectification, error) // NotFound if missing
	SaveRectification(ctx context.Context, r Rectification) error
}
