package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/syncserver/internal/store"
	"github.com/jackc/pgx/v5"
)

// CreateStation adds a station; an existing code fails Conflict.
func (s *Store) CreateStation(ctx context.Context, st store.Station) error {
	if st.Code == "" {
		return invalid("station_code", "站点编码不能为空。", "The station code is required.")
	}
	if !st.Level.Valid() {
		return invalid("station_level", "站点层级“%s”无效。", "The station level %q is not valid.", st.Level)
	}
	if st.CreatedAt.IsZero() {
		st.CreatedAt = s.now()
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO stations (code, name, level, parent, created_at) VALUES ($1, $2, $3, $4, $5)`,
		st.Code, st.Name, string(st.Level), st.Parent, st.CreatedAt.UnixNano())
	if isDuplicate(err) {
		return bmerr.Newf(bmerr.Conflict, "station_exists", "站点 %s 已存在。", "Station %s already exists.", st.Code)
	}
	if err != nil {
		return fmt.Errorf("postgres: create station: %w", err)
	}
	return nil
}

const stationColumns = `code, name, level, parent, created_at`

func scanStation(r pgx.Row) (store.Station, error) {
	var st store.Station
	var level string
	var created int64
	if err := r.Scan(&st.Code, &st.Name, &level, &st.Parent, &created); err != nil {
		return store.Station{}, err
	}
	st.Level = catalog.Level(level)
	st.CreatedAt = timeAt(created)
	return st, nil
}

func stationNotFound(code string) error {
	return bmerr.Newf(bmerr.NotFound, "station_unknown", "没有编码为 %s 的站点。", "There is no station with code %s.", code)
}

// Station returns one station, or NotFound.
func (s *Store) Station(ctx context.Context, code string) (store.Station, error) {
	return station(ctx, s.pool, code)
}

func station(ctx context.Context, q querier, code string) (store.Station, error) {
	st, err := scanStation(q.QueryRow(ctx, `SELECT `+stationColumns+` FROM stations WHERE code = $1`, code))
	if errNoRows(err) {
		return store.Station{}, stationNotFound(code)
	}
	if err != nil {
		return store.Station{}, fmt.Errorf("postgres: station: %w", err)
	}
	return st, nil
}

// Stations returns every station in code order.
func (s *Store) Stations(ctx context.Context) ([]store.Station, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+stationColumns+` FROM stations ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("postgres: stations: %w", err)
	}
	out, err := pgx.AppendRows([]store.Station(nil), rows,
		func(r pgx.CollectableRow) (store.Station, error) { return scanStation(r) })
	if err != nil {
		return nil, fmt.Errorf("postgres: stations: %w", err)
	}
	return out, nil
}

// CreateEnrollCode stores a code for an existing station (NotFound
// otherwise); a code stored before fails Conflict.
func (s *Store) CreateEnrollCode(ctx context.Context, c store.EnrollCode) error {
	if c.Hash == "" {
		return invalid("enroll_code_hash", "注册码不能为空。", "The enrollment code is required.")
	}
	if c.ExpiresAt.IsZero() {
		return invalid("enroll_code_expiry", "注册码必须设置有效期。", "An enrollment code needs an expiry time.")
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = s.now()
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO enroll_codes (hash, station, created_at, expires_at, used_at, used_by)
		VALUES ($1, $2, $3, $4, $5, $6)`,
		c.Hash, c.Station, c.CreatedAt.UnixNano(), c.ExpiresAt.UnixNano(), nanos(c.UsedAt), c.UsedBy)
	switch {
	case isDuplicate(err):
		return bmerr.New(bmerr.Conflict, "enroll_code_exists", "该注册码已存在。", "This enrollment code exists already.")
	case sqlState(err) == foreignKeyViolation:
		return stationNotFound(c.Station)
	case err != nil:
		return fmt.Errorf("postgres: create enroll code: %w", err)
	}
	return nil
}

// Enroll makes device d a computer of the station the code was issued for.
// The code's row is locked first, so two devices racing for one code take
// turns and the second finds it used.
func (s *Store) Enroll(ctx context.Context, codeHash string, d store.Device, now time.Time) (store.Station, error) {
	if d.ID == "" || d.SecretHash == "" {
		return store.Station{}, invalid("device_identity", "设备标识和密钥不能为空。", "The device id and secret are required.")
	}
	var st store.Station
	err := s.write(ctx, func(tx pgx.Tx) error {
		var (
			code    string
			expires int64
			usedAt  *int64
			usedBy  string
		)
		err := tx.QueryRow(ctx, `SELECT station, expires_at, used_at, used_by FROM enroll_codes WHERE hash = $1 FOR UPDATE`,
			codeHash).Scan(&code, &expires, &usedAt, &usedBy)
		if errNoRows(err) {
			return bmerr.New(bmerr.NotFound, "enroll_code_unknown", "注册码无效，请向中心核对。", "The enrollment code is not valid; check it with central.")
		}
		if err != nil {
			return fmt.Errorf("postgres: enroll: %w", err)
		}
		if usedAt != nil {
			// A device that enrolled but lost the answer asks again: the same
			// device with the same secret gets the same answer.
			if usedBy == d.ID {
				prev, err := device(ctx, tx, d.ID)
				if err == nil && prev.SecretHash == d.SecretHash && prev.RevokedAt.IsZero() {
					st, err = station(ctx, tx, code)
					return err
				}
				if err != nil && bmerr.CodeOf(err) != bmerr.NotFound {
					return err
				}
			}
			return bmerr.New(bmerr.FailedPrecondition, "enroll_code_used", "该注册码已被使用，请向中心申请新的注册码。",
				"This enrollment code has been used; ask central for a new one.")
		}
		if !now.Before(timeAt(expires)) {
			return bmerr.New(bmerr.FailedPrecondition, "enroll_code_expired", "该注册码已过期，请向中心申请新的注册码。",
				"This enrollment code has expired; ask central for a new one.")
		}
		_, err = tx.Exec(ctx, `INSERT INTO devices (id, station, name, secret_hash, enrolled_at) VALUES ($1, $2, $3, $4, $5)`,
			d.ID, code, d.Name, d.SecretHash, now.UnixNano())
		if isDuplicate(err) {
			return bmerr.New(bmerr.Conflict, "device_exists", "该设备已注册。", "This device is enrolled already.")
		}
		if err != nil {
			return fmt.Errorf("postgres: enroll: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE enroll_codes SET used_at = $1, used_by = $2 WHERE hash = $3`,
			now.UnixNano(), d.ID, codeHash); err != nil {
			return fmt.Errorf("postgres: enroll: %w", err)
		}
		st, err = station(ctx, tx, code)
		return err
	})
	return st, err
}

const deviceColumns = `id, station, name, secret_hash, enrolled_at, revoked_at, last_seen_at`

func scanDevice(r pgx.Row) (store.Device, error) {
	var d store.Device
	var enrolled int64
	var revoked, seen *int64
	if err := r.Scan(&d.ID, &d.Station, &d.Name, &d.SecretHash, &enrolled, &revoked, &seen); err != nil {
		return store.Device{}, err
	}
	d.EnrolledAt, d.RevokedAt, d.LastSeenAt = timeAt(enrolled), timeOf(revoked), timeOf(seen)
	return d, nil
}

func deviceNotFound(id string) error {
	return bmerr.Newf(bmerr.NotFound, "device_unknown", "没有标识为 %s 的设备。", "There is no device with id %s.", id)
}

func device(ctx context.Context, q querier, id string) (store.Device, error) {
	d, err := scanDevice(q.QueryRow(ctx, `SELECT `+deviceColumns+` FROM devices WHERE id = $1`, id))
	if errNoRows(err) {
		return store.Device{}, deviceNotFound(id)
	}
	if err != nil {
		return store.Device{}, fmt.Errorf("postgres: device: %w", err)
	}
	return d, nil
}

// Device returns one device, or NotFound.
func (s *Store) Device(ctx context.Context, id string) (store.Device, error) {
	return device(ctx, s.pool, id)
}

// Devices returns a station's devices, revoked ones included, in id order.
func (s *Store) Devices(ctx context.Context, station string) ([]store.Device, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+deviceColumns+` FROM devices WHERE station = $1 ORDER BY id`, station)
	if err != nil {
		return nil, fmt.Errorf("postgres: devices: %w", err)
	}
	out, err := pgx.AppendRows([]store.Device(nil), rows,
		func(r pgx.CollectableRow) (store.Device, error) { return scanDevice(r) })
	if err != nil {
		return nil, fmt.Errorf("postgres: devices: %w", err)
	}
	return out, nil
}

// RevokeDevice withdraws a device's credential. Revoking it again keeps the
// first revocation time.
func (s *Store) RevokeDevice(ctx context.Context, id string, now time.Time) error {
	return s.updateDevice(ctx, id, `UPDATE devices SET revoked_at = coalesce(revoked_at, $1) WHERE id = $2`, now)
}

// TouchDevice records that the device was seen at now (never moving back).
func (s *Store) TouchDevice(ctx context.Context, id string, now time.Time) error {
	return s.updateDevice(ctx, id, `UPDATE devices SET last_seen_at = greatest(last_seen_at, $1) WHERE id = $2`, now)
}

// updateDevice runs one UPDATE of a device row: a statement of its own,
// atomic without a transaction around it.
func (s *Store) updateDevice(ctx context.Context, id, query string, now time.Time) error {
	tag, err := s.pool.Exec(ctx, query, now.UnixNano(), id)
	if err != nil {
		return fmt.Errorf("postgres: device: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return deviceNotFound(id)
	}
	return nil
}
