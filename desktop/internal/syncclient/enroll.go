package syncclient

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"connectrpc.com/connect"
	"github.com/bianmin/bianmin/desktop/internal/store"
	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/catalog"
	syncv1 "github.com/bianmin/bianmin/shared/gen/bianmin/sync/v1"
	"github.com/bianmin/bianmin/shared/gen/bianmin/sync/v1/syncv1connect"
	"github.com/bianmin/bianmin/shared/syncapi"
	"github.com/google/uuid"
)

// NewHTTPClient returns the HTTP client used to reach central. Over https it
// verifies the server: against the system roots, or, when pinSHA256 is set,
// by the SHA-256 of the server's certificate (pinned at enrollment for a
// central that uses its own self-signed certificate).
func NewHTTPClient(pinSHA256 string) (*http.Client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 4
	tr.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	tr.ResponseHeaderTimeout = 45 * time.Second // above the longest long poll
	if pinSHA256 != "" {
		pin := strings.ToLower(strings.ReplaceAll(pinSHA256, ":", ""))
		tr.TLSClientConfig = &tls.Config{
			MinVersion:         tls.VersionTLS12,
			InsecureSkipVerify: true, // replaced by the pin check below, which is stricter
			VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
				if len(raw) == 0 {
					return errors.New("server sent no certificate")
				}
				sum := sha256.Sum256(raw[0])
				if hex.EncodeToString(sum[:]) != pin {
					return errPinMismatch
				}
				return nil
			},
		}
	}
	return &http.Client{Transport: tr}, nil
}

// errPinMismatch is what the pinned check returns for any other certificate.
var errPinMismatch = errors.New("server certificate does not match the certificate pinned at enrollment")

// certError explains a server certificate the client refused (not the
// pinned one, or one the system roots do not trust), or returns nil when err
// is something else. Retrying does not help, and the clerk needs to know that
// this is not an ordinary network failure: it may be the wrong server.
func certError(err error) *bmerr.Error {
	var verify *tls.CertificateVerificationError
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	var cause error
	switch {
	case errors.As(err, &verify):
		cause = verify
	case errors.As(err, &unknown):
		cause = unknown
	case errors.As(err, &host):
		cause = host
	case errors.As(err, &invalid):
		cause = invalid
	}
	switch {
	case errors.Is(err, errPinMismatch):
		return bmerr.New(bmerr.Unavailable, "certificate_pin_mismatch",
			"中心服务器的证书与注册时核对的证书指纹不一致，已拒绝连接。请向中心管理员核实服务器地址和证书指纹。",
			"the server's certificate does not match the certificate pinned at enrollment, so the connection was refused; check the server address and the certificate fingerprint with central's administrator.")
	case cause != nil:
		return bmerr.Newf(bmerr.Unavailable, "certificate_untrusted",
			"无法验证中心服务器的证书，已拒绝连接（%v）。如中心使用自签名证书，请在注册时填写中心管理员提供的证书指纹。",
			"the server's certificate could not be verified, so the connection was refused (%v); if central uses its own self-signed certificate, enter the fingerprint its administrator gives you when enrolling.", cause)
	}
	return nil
}

// EnrollOptions configures Enroll.
type EnrollOptions struct {
	ServerURL  string // e.g. http://192.168.1.10:8700
	Code       string // the one-time code from central
	DeviceName string
	// PinSHA256, if set, is the SHA-256 of central's TLS certificate, as
	// central's admin reads it out; it is kept for every later connection.
	PinSHA256  string
	HTTPClient *http.Client
	Now        func() time.Time
}

// Enroll trades a one-time code for this device's credential and saves the
// identity (station, credential, server address) and the catalog in st.
//
// The device chooses its own id and secret before the call and keeps them in
// memory across retries, so a retry after a lost reply repeats the same
// request, which central answers with the same success.
func Enroll(ctx context.Context, st *store.Store, o EnrollOptions) (store.Identity, error) {
	u, err := url.Parse(strings.TrimSpace(o.ServerURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return store.Identity{}, bmerr.New(bmerr.Invalid, "server_url", "服务器地址格式不对，应如 http://192.168.1.10:8700。", "the server address should look like http://192.168.1.10:8700.")
	}
	if o.PinSHA256 != "" && u.Scheme != "https" {
		return store.Identity{}, bmerr.New(bmerr.Invalid, "pin_without_tls", "证书指纹只用于 https 地址；请把地址改为 https:// 开头，或清空指纹。", "a certificate fingerprint only applies to an https address; use https:// or leave the fingerprint empty.")
	}
	base := strings.TrimRight(u.String(), "/")
	hc := o.HTTPClient
	if hc == nil {
		if hc, err = NewHTTPClient(o.PinSHA256); err != nil {
			return store.Identity{}, err
		}
	}
	secretBytes := make([]byte, 32)
	if _, err := rand.Read(secretBytes); err != nil {
		return store.Identity{}, err
	}
	deviceID := uuid.New().String()
	secret := base64.RawURLEncoding.EncodeToString(secretBytes)
	client := syncv1connect.NewEnrollmentServiceClient(hc, base)
	req := &syncv1.EnrollRequest{Code: o.Code, DeviceId: deviceID, Secret: secret, DeviceName: o.DeviceName}

	var resp *connect.Response[syncv1.EnrollResponse]
	for attempt := 1; ; attempt++ {
		resp, err = client.Enroll(ctx, connect.NewRequest(req))
		if err == nil {
			break
		}
		if ce := certError(err); ce != nil {
			return store.Identity{}, ce // the code never left this machine: the handshake failed first
		}
		be := syncapi.FromConnect(err)
		if be.Code != bmerr.Unavailable || attempt == 4 || ctx.Err() != nil {
			return store.Identity{}, be
		}
		time.Sleep(Backoff(attempt, 500*time.Millisecond, 4*time.Second))
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	s := resp.Msg.Station
	id := store.Identity{
		Station: s.Code, StationName: s.Name, Level: catalog.Level(s.Level), Parent: s.Parent,
		DeviceID: deviceID, Secret: secret, ServerURL: base, PinnedCertSHA256: o.PinSHA256, EnrolledAt: now(),
	}
	if err := st.SaveIdentity(ctx, id); err != nil {
		return store.Identity{}, err
	}
	// Fetch the catalog at once, so the station can accept cases offline
	// from its first minute.
	cat := syncv1connect.NewCatalogServiceClient(hc, base,
		connect.WithInterceptors(syncapi.Bearer(syncapi.Credential(deviceID, secret))))
	cr, err := cat.GetCatalog(ctx, connect.NewRequest(&syncv1.GetCatalogRequest{}))
	if err != nil {
		return id, syncapi.FromConnect(err)
	}
	if err := st.SaveCatalog(ctx, int(cr.Msg.Version), cr.Msg.CatalogJson, cr.Msg.CalendarJson); err != nil {
		return id, err
	}
	return id, nil
}
