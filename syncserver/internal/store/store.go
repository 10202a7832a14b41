// Package store is central's persistence, behind one interface so that the
// embedded SQLite store and the PostgreSQL store are interchangeable and pass
// the same conformance suite (storetest).
//
// The store knows nothing of the case state machine: the sync service decides
// what a change does (casefile.Apply) and the store keeps the outcome, the
// case and the change in one transaction. That transaction is what makes a
// push exactly-once: a change id is recorded with its effect, or not at all.
package store

import (
	"context"
	"time"

	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/google/uuid"
)

// Station is a service station.
type Station struct {
	Code      string
	Name      string
	Level     catalog.Level // township or community (central for central's own windows)
	Parent    string        // for a community station: its township's code
	CreatedAt time.Time
}

// EnrollCode is a one-time code that lets one device become a station.
type EnrollCode struct {
	Hash      string // hex SHA-256 of the code; the code itself is never stored
	Station   string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time // zero until used
	UsedBy    string    // device id
}

// Device is an enrolled station computer and its credential.
type Device struct {
	ID         string // UUID chosen by the device
	Station    string
	Name       string
	SecretHash string // hex SHA-256 of the device's secret
	EnrolledAt time.Time
	RevokedAt  time.Time // zero while valid
	LastSeenAt time.Time
}

// Outcome is how a pushed change ended, kept forever under its id.
type Outcome struct {
	ChangeID    uuid.UUID
	Applied     bool   // false: rejected
	Code        string // bmerr code of a rejection
	Reason      string // machine-readable reason of a rejection
	MessageZh   string
	MessageEn   string
	CaseVersion int64 // the case's version after the change (applied only)
	Seq         int64 // position in central's log (applied only)
}

// Applied is a change to record with the case it produced.
type Applied struct {
	Change     *casefile.Change
	Body       []byte    // the change's wire encoding, returned as is by Feed
	Station    string    // the station that pushed it ("" for central's own changes)
	ReceivedAt time.Time // central's clock when it arrived
	// Doc is the case's document cut in two, as SplitCase(EncodeCase(c))
	// or an Encoder gives it, if the caller already has it (say, encoded on
	// another goroutine); the store encodes the case otherwise. Either way
	// the store keeps the same bytes. A Doc whose ID or Version is not the
	// case's fails Invalid; the rest is the caller's word.
	//
	// A store may write the rows of several saves together (the SQLite
	// store does), so it may hold Body and Doc until the Update ends: the
	// caller must not modify them before.
	Doc *CaseDoc
}

// Rejected is a change refused for good.
type Rejected struct {
	ChangeID   uuid.UUID
	CaseID     uuid.UUID
	Station    string
	Code       string
	Reason     string
	MessageZh  string
	MessageEn  string
	Body       []byte
	ReceivedAt time.Time
}

// FeedEntry is one applied change in central's order.
type FeedEntry struct {
	Seq         int64
	ChangeID    uuid.UUID
	CaseID      uuid.UUID
	Body        []byte // as given in Applied.Body
	CaseVersion int64
	AppliedAt   time.Time
}

// Catalog is one published version of the catalog and calendar files.
type Catalog struct {
	Version      int
	CatalogJSON  []byte
	CalendarJSON []byte
	PublishedAt  time.Time
}

// Blob is how much of an attachment central holds.
type Blob struct {
	SHA256   string
	Size     int64 // declared total size
	Received int64 // bytes held, contiguous from 0
	Complete bool  // all bytes held and the SHA-256 verified
}

// Tx is the work of one push, done in one transaction.
type Tx interface {
	CentralTx

	// Outcomes returns the recorded outcome of each id seen before.
	Outcomes(ids []uuid.UUID) (map[uuid.UUID]Outcome, error)
	// LoadCases returns the current copy of each existing case, locked
	// against concurrent writers until the transaction ends.
	LoadCases(ids []uuid.UUID) (map[uuid.UUID]*casefile.Case, error)
	// SaveApplied stores c (the case after a.Change) and records a.Change as
	// applied, returning its position in the log. A change id recorded before
	// fails with a bmerr Conflict.
	SaveApplied(c *casefile.Case, a Applied) (seq int64, err error)
	// SaveRejected records a change refused for good.
	SaveRejected(r Rejected) error
	// BlobsComplete reports which of the given blobs are held complete.
	BlobsComplete(shas []string) (map[string]bool, error)
}

// Store is central's persistence. All methods are safe for concurrent use,
// also from several server processes sharing one database.
type Store interface {
	Central

	// Stations and enrollment.
	CreateStation(ctx context.Context, s Station) error
	Station(ctx context.Context, code string) (Station, error)
	Stations(ctx context.Context) ([]Station, error)
	CreateEnrollCode(ctx context.Context, c EnrollCode) error
	// Enroll uses the code with hash codeHash for device d, atomically. The
	// same device repeating the same enrollment (same id and secret hash)
	// succeeds again; any other reuse of a used code fails FailedPrecondition.
	Enroll(ctx context.Context, codeHash string, d Device, now time.Time) (Station, error)
	Device(ctx context.Context, id string) (Device, error)
	Devices(ctx context.Context, station string) ([]Device, error)
	RevokeDevice(ctx context.Context, id string, now time.Time) error
	TouchDevice(ctx context.Context, id string, now time.Time) error

	// Changes and cases.
	Update(ctx context.Context, fn func(Tx) error) error
	// Feed returns up to limit applied changes to cases the station is party
	// to (origin or handling station), with Seq > after, in Seq order.
	Feed(ctx context.Context, station string, after int64, limit int) ([]FeedEntry, error)
	// Cases returns the current copies of the given cases (missing ids are skipped).
	Cases(ctx context.Context, ids []uuid.UUID) ([]*casefile.Case, error)
	// PartyCases returns, in id order, up to limit cases the station is party
	// to with id > after (uuid.Nil for the first page).
	PartyCases(ctx context.Context, station string, after uuid.UUID, limit int) ([]*casefile.Case, error)
	// PartyVersions returns (id, version) of every case the station is party
	// to, in id order.
	PartyVersions(ctx context.Context, station string) ([]CaseVersion, error)
	// LastSeq is the highest Seq in the log (0 when empty).
	LastSeq(ctx context.Context) (int64, error)
	// Case returns one case, or a bmerr NotFound.
	Case(ctx context.Context, id uuid.UUID) (*casefile.Case, error)
	// Changes returns every applied change of a case in order (its history).
	Changes(ctx context.Context, caseID uuid.UUID) ([]FeedEntry, error)

	// Attachments.
	BlobStat(ctx context.Context, sha string) (Blob, error)
	// PutChunk stores data at offset of blob sha (declared size). A chunk at
	// an offset below Received is acknowledged and not written; one beyond it
	// fails Invalid. When the last byte arrives, verify is called with a
	// reader of the whole blob; if it fails, the blob's bytes are discarded.
	PutChunk(ctx context.Context, sha string, size, offset int64, data []byte, verify func(Reader) error) (Blob, error)
	// ReadBlob reads up to limit bytes of a complete blob from offset.
	ReadBlob(ctx context.Context, sha string, offset int64, limit int) ([]byte, error)
	// BlobVisible reports whether a case the station is party to refers to blob sha.
	BlobVisible(ctx context.Context, station, sha string) (bool, error)

	// Catalog.
	PublishCatalog(ctx context.Context, c Catalog) error
	// CurrentCatalog returns the newest catalog, or a bmerr NotFound.
	CurrentCatalog(ctx context.Context) (Catalog, error)

	Close() error
}

// CaseVersion is one line of a digest.
type CaseVersion struct {
	ID      uuid.UUID
	Version int64
}

// Reader reads a blob's bytes in order.
type Reader interface {
	Read(p []byte) (int, error)
}
