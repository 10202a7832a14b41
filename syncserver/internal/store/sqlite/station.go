package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/syncserver/internal/store"
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
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO stations (code, name, level, parent, created_at) VALUES (?, ?, ?, ?, ?)`,
			st.Code, st.Name, string(st.Level), st.Parent, st.CreatedAt.UnixNano())
		if isDuplicate(err) {
			return bmerr.Newf(bmerr.Conflict, "station_exists", "站点 %s 已存在。", "Station %s already exists.", st.Code)
		}
		if err != nil {
			return fmt.Errorf("sqlite: create station: %w", err)
		}
		return nil
	})
}

const stationColumns = `code, name, level, parent, created_at`

type rowScanner interface{ Scan(dest ...any) error }

func scanStation(r rowScanner) (store.Station, error) {
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
	return station(ctx, s.r, code)
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func station(ctx context.Context, q querier, code string) (store.Station, error) {
	st, err := scanStation(q.QueryRowContext(ctx, `SELECT `+stationColumns+` FROM stations WHERE code = ?`, code))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Station{}, stationNotFound(code)
	}
	if err != nil {
		return store.Station{}, fmt.Errorf("sqlite: station: %w", err)
	}
	return st, nil
}

// Stations returns every station in code order.
func (s *Store) Stations(ctx context.Context) ([]store.Station, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+stationColumns+` FROM stations ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: stations: %w", err)
	}
	defer rows.Close()
	var out []store.Station
	for rows.Next() {
		st, err := scanStation(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: stations: %w", err)
		}
		out = append(out, st)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: stations: %w", err)
	}
	return out, nil
}

// CreateEnrollCode stores a code for an existing station.
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
	return s.write(ctx, func(tx *sql.Tx) error {
		if _, err := station(ctx, tx, c.Station); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO enroll_codes (hash, station, created_at, expires_at, used_at, used_by)
			VALUES (?, ?, ?, ?, ?, ?)`,
			c.Hash, c.Station, c.CreatedAt.UnixNano(), c.ExpiresAt.UnixNano(), nanos(c.UsedAt), c.UsedBy)
		if isDuplicate(err) {
			return bmerr.New(bmerr.Conflict, "enroll_code_exists", "该注册码已存在。", "This enrollment code exists already.")
		}
		if err != nil {
			return fmt.Errorf("sqlite: create enroll code: %w", err)
		}
		return nil
	})
}

// Enroll makes device d a computer of the station the code was issued for.
func (s *Store) Enroll(ctx context.Context, codeHash string, d store.Device, now time.Time) (store.Station, error) {
	if d.ID == "" || d.SecretHash == "" {
		return store.Station{}, invalid("device_identity", "设备标识和密钥不能为空。", "The device id and secret are required.")
	}
	var st store.Station
	err := s.write(ctx, func(tx *sql.Tx) error {
		var (
			code    string
			expires int64
			usedAt  sql.NullInt64
			usedBy  string
		)
		err := tx.QueryRowContext(ctx, `SELECT station, expires_at, used_at, used_by FROM enroll_codes WHERE hash = ?`, codeHash).
			Scan(&code, &expires, &usedAt, &usedBy)
		if errors.Is(err, sql.ErrNoRows) {
			return bmerr.New(bmerr.NotFound, "enroll_code_unknown", "注册码无效，请向中心核对。", "The enrollment code is not valid; check it with central.")
		}
		if err != nil {
			return fmt.Errorf("sqlite: enroll: %w", err)
		}
		if usedAt.Valid {
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
		_, err = tx.ExecContext(ctx, `INSERT INTO devices (id, station, name, secret_hash, enrolled_at) VALUES (?, ?, ?, ?, ?)`,
			d.ID, code, d.Name, d.SecretHash, now.UnixNano())
		if isDuplicate(err) {
			return bmerr.New(bmerr.Conflict, "device_exists", "该设备已注册。", "This device is enrolled already.")
		}
		if err != nil {
			return fmt.Errorf("sqlite: enroll: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE enroll_codes SET used_at = ?, used_by = ? WHERE hash = ?`,
			now.UnixNano(), d.ID, codeHash); err != nil {
			return fmt.Errorf("sqlite: enroll: %w", err)
		}
		st, err = station(ctx, tx, code)
		return err
	})
	return st, err
}

const deviceColumns = `id, station, name, secret_hash, enrolled_at, revoked_at, last_seen_at`

func scanDevice(r rowScanner) (store.Device, error) {
	var d store.Device
	var enrolled int64
	var revoked, seen sql.NullInt64
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
	d, err := scanDevice(q.QueryRowContext(ctx, `SELECT `+deviceColumns+` FROM devices WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Device{}, deviceNotFound(id)
	}
	if err != nil {
		return store.Device{}, fmt.Errorf("sqlite: device: %w", err)
	}
	return d, nil
}

// Device returns one device, or NotFound.
func (s *Store) Device(ctx context.Context, id string) (store.Device, error) {
	return device(ctx, s.r, id)
}

// Devices returns a station's devices, revoked ones included, in id order.
func (s *Store) Devices(ctx context.Context, station string) ([]store.Device, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+deviceColumns+` FROM devices WHERE station = ? ORDER BY id`, station)
	if err != nil {
		return nil, fmt.Errorf("sqlite: devices: %w", err)
	}
	defer rows.Close()
	var out []store.Device
	for rows.Next() {
		d, err := scanDevice(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: devices: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: devices: %w", err)
	}
	return out, nil
}

// RevokeDevice withdraws a device's credential. Revoking it again keeps the
// first revocation time.
func (s *Store) RevokeDevice(ctx context.Context, id string, now time.Time) error {
	return s.updateDevice(ctx, id, `UPDATE devices SET revoked_at = coalesce(revoked_at, ?1) WHERE id = ?2`, now)
}

// TouchDevice records that the device was seen at now (never moving back).
func (s *Store) TouchDevice(ctx context.Context, id string, now time.Time) error {
	return s.updateDevice(ctx, id, `UPDATE devices SET last_seen_at = max(coalesce(last_seen_at, ?1), ?1) WHERE id = ?2`, now)
}

func (s *Store) updateDevice(ctx context.Context, id, query string, now time.Time) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, query, now.UnixNano(), id)
		if err != nil {
			return fmt.Errorf("sqlite: device: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("sqlite: device: %w", err)
		} else if n == 0 {
			return deviceNotFound(id)
		}
		return nil
	})
}
