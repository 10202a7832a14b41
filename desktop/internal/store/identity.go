package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
)

// Identity is this device's enrolment: which station it is and how it
// reaches central. Secret is the device credential; it sits in the file in
// clear, like everything else here until the file is encrypted (see the
// package report on encryption at rest).
type Identity struct {
	Station          string // station code, e.g. "XQ01"
	StationName      string
	Level            catalog.Level
	Parent           string // for a community station, the township it forwards to
	DeviceID         string
	Secret           string
	ServerURL        string
	PinnedCertSHA256 string // hex SHA-256 of central's certificate, if pinned
	EnrolledAt       time.Time
}

// SaveIdentity stores the enrolment, replacing any earlier one.
func (s *Store) SaveIdentity(ctx context.Context, id Identity) error {
	if err := caseflow.ValidStationCode(id.Station); err != nil {
		return err
	}
	if !id.Level.Valid() {
		return bmerr.Newf(bmerr.Invalid, "station_level", "站点层级“%s”无效。", "station level %q is not valid.", id.Level).WithField("level")
	}
	return s.write(ctx, func(tx querier) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO identity
			(id, station, station_name, level, parent, device_id, secret, server_url, pinned_cert_sha256, enrolled_at)
			VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET station = excluded.station, station_name = excluded.station_name,
				level = excluded.level, parent = excluded.parent, device_id = excluded.device_id,
				secret = excluded.secret, server_url = excluded.server_url,
				pinned_cert_sha256 = excluded.pinned_cert_sha256, enrolled_at = excluded.enrolled_at`,
			id.Station, id.StationName, string(id.Level), id.Parent, id.DeviceID, id.Secret, id.ServerURL,
			id.PinnedCertSHA256, millis(id.EnrolledAt))
		return err
	})
}

// Identity returns the enrolment; ok is false before the device is enrolled.
func (s *Store) Identity(ctx context.Context) (Identity, bool, error) {
	var id Identity
	err := s.read(ctx, func(tx querier) error {
		var err error
		id, err = identityTx(ctx, tx)
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return Identity{}, false, nil
	}
	if err != nil {
		return Identity{}, false, err
	}
	return id, true, nil
}

func identityTx(ctx context.Context, tx querier) (Identity, error) {
	var id Identity
	var level string
	var at int64
	err := tx.QueryRowContext(ctx, `SELECT station, station_name, level, parent, device_id, secret, server_url,
		pinned_cert_sha256, enrolled_at FROM identity WHERE id = 1`).
		Scan(&id.Station, &id.StationName, &level, &id.Parent, &id.DeviceID, &id.Secret, &id.ServerURL,
			&id.PinnedCertSHA256, &at)
	id.Level, id.EnrolledAt = catalog.Level(level), fromMillis(at)
	return id, err
}
