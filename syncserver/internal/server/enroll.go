package server

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"connectrpc.com/connect"
	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
	syncv1 "github.com/bianmin/bianmin/shared/gen/bianmin/sync/v1"
	"github.com/bianmin/bianmin/shared/syncapi"
	"github.com/bianmin/bianmin/syncserver/internal/audit"
	"github.com/bianmin/bianmin/syncserver/internal/store"
	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/timestamppb"
)

type enrollService struct{ *Server }

// Enroll binds a device to the station its one-time code names.
func (s *enrollService) Enroll(ctx context.Context, req *connect.Request[syncv1.EnrollRequest]) (*connect.Response[syncv1.EnrollResponse], error) {
	m := req.Msg
	code := NormalizeCode(m.Code)
	if len(code) != codeLength {
		return nil, bmerr.New(bmerr.Invalid, "code_format", "注册码格式不对：应为 12 位字母和数字（如 ABCD-EFGH-JKLM）。", "the enrollment code should be 12 letters and digits, e.g. ABCD-EFGH-JKLM.")
	}
	if _, err := uuid.Parse(m.DeviceId); err != nil {
		return nil, bmerr.New(bmerr.Invalid, "device_id", "设备编号无效。", "the device id is not a UUID.")
	}
	if len(m.Secret) < 43 || len(m.Secret) > 128 {
		return nil, bmerr.New(bmerr.Invalid, "secret", "设备密钥长度不对。", "the device secret must be 32 to 96 random bytes in base64url.")
	}
	name := strings.TrimSpace(m.DeviceName)
	if utf8.RuneCountInString(name) > 100 {
		name = string([]rune(name)[:100])
	}
	now := s.now()
	st, err := s.store.Enroll(ctx, syncapi.HashSecret(code), store.Device{
		ID: strings.ToLower(m.DeviceId), Station: "", Name: name, SecretHash: syncapi.HashSecret(m.Secret), EnrolledAt: now,
	}, now)
	if err != nil {
		return nil, err
	}
	s.log.Info("device enrolled", "station", st.Code, "device", m.DeviceId, "name", name)
	if err := s.store.AppendAudit(ctx, audit.Entry{At: now, Actor: "station:" + st.Code, Kind: audit.Enroll, Subject: "device " + m.DeviceId, Detail: name}); err != nil {
		return nil, err
	}
	resp := &syncv1.EnrollResponse{Station: stationToWire(st), ServerTime: timestamppb.New(now)}
	if cur, err := s.store.CurrentCatalog(ctx); err == nil {
		resp.CatalogVersion = int32(cur.Version)
	}
	return connect.NewResponse(resp), nil
}

func stationToWire(st store.Station) *syncv1.Station {
	return &syncv1.Station{Code: st.Code, Name: st.Name, Level: string(st.Level), Parent: st.Parent}
}

// codeAlphabet avoids letters and digits a clerk could misread (0/O, 1/I/L).
const codeAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

const codeLength = 12

// NormalizeCode upper-cases a typed code and drops spaces and dashes.
func NormalizeCode(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if r == '-' || r == ' ' {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// FormatCode groups a code in fours for reading aloud: ABCD-EFGH-JKLM.
func FormatCode(code string) string {
	var parts []string
	for i := 0; i < len(code); i += 4 {
		parts = append(parts, code[i:min(i+4, len(code))])
	}
	return strings.Join(parts, "-")
}

// CreateStation registers a station after checking its code, level and parent.
func (s *Server) CreateStation(ctx context.Context, st store.Station) error {
	if err := caseflow.ValidStationCode(st.Code); err != nil {
		return err
	}
	if strings.TrimSpace(st.Name) == "" {
		return bmerr.New(bmerr.Invalid, "station_name", "请填写站点名称。", "enter the station's name.")
	}
	switch st.Level {
	case catalog.Township, catalog.Central:
		if st.Parent != "" {
			return bmerr.New(bmerr.Invalid, "station_parent", "只有社区（村）站点需要上级乡镇。", "only a community station has a parent township.")
		}
	case catalog.Community:
		parent, err := s.store.Station(ctx, st.Parent)
		if err != nil || parent.Level != catalog.Township {
			return bmerr.Newf(bmerr.Invalid, "station_parent", "社区（村）站点的上级必须是已登记的乡镇站点（%q 不是）。", "a community station's parent must be a registered township station (%q is not).", st.Parent)
		}
	default:
		return bmerr.Newf(bmerr.Invalid, "station_level", "站点层级“%s”无效，应为 township 或 community。", "station level %q is not valid; use township or community.", st.Level)
	}
	st.CreatedAt = s.now()
	if err := s.store.CreateStation(ctx, st); err != nil {
		return err
	}
	return s.auditAdmin(ctx, actorOf(ctx), "station "+st.Code, fmt.Sprintf("created: %s, %s, parent %q", st.Name, st.Level, st.Parent))
}

// NewEnrollCode issues a one-time enrollment code for a station, valid for ttl.
// Only the code's hash is stored: the code is shown once, to the admin.
func (s *Server) NewEnrollCode(ctx context.Context, station string, ttl time.Duration) (string, error) {
	if _, err := s.store.Station(ctx, station); err != nil {
		return "", err
	}
	if ttl <= 0 {
		ttl = 7 * 24 * time.Hour
	}
	b := make([]byte, codeLength)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	for i := range b {
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
	}
	code := string(b)
	now := s.now()
	if err := s.store.CreateEnrollCode(ctx, store.EnrollCode{Hash: syncapi.HashSecret(code), Station: station, CreatedAt: now, ExpiresAt: now.Add(ttl)}); err != nil {
		return "", err
	}
	if err := s.auditAdmin(ctx, actorOf(ctx), "station "+station, "enrollment code issued, valid until "+now.Add(ttl).Format(time.RFC3339)); err != nil {
		return "", err
	}
	return FormatCode(code), nil
}

// RevokeDevice refuses a device's every later call (e.g. a stolen laptop).
func (s *Server) RevokeDevice(ctx context.Context, id string) error {
	if err := s.store.RevokeDevice(ctx, id, s.now()); err != nil {
		return err
	}
	s.Forget(id)
	return s.auditAdmin(ctx, actorOf(ctx), "device "+id, "revoked")
}
