package syncclient_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bianmin/bianmin/desktop/internal/store"
	"github.com/bianmin/bianmin/desktop/internal/syncclient"
	"github.com/bianmin/bianmin/shared/bmerr"
)

// selfSigned writes a fresh self-signed ECDSA certificate for 127.0.0.1 and
// its key as PEM files in dir, and returns their paths and the certificate's
// pin: the hex SHA-256 of its DER bytes, as central's admin reads it out.
func selfSigned(t *testing.T, dir, name string) (certFile, keyFile, pin string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "bianmin central (" + name + ")", Organization: []string{"青山县政务服务中心"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, name+".crt"), filepath.Join(dir, name+".key")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(der)
	return certFile, keyFile, hex.EncodeToString(sum[:])
}

// colonPin writes a pin the way certificate viewers show it: AB:CD:…
func colonPin(pin string) string {
	var parts []string
	for i := 0; i < len(pin); i += 2 {
		parts = append(parts, strings.ToUpper(pin[i:i+2]))
	}
	return strings.Join(parts, ":")
}

// TestTLSPinnedCertificate runs central over TLS with a self-signed
// certificate. A station that pins the certificate's SHA-256 at enrollment
// enrolls and syncs; one with a wrong pin, or with no pin (system roots),
// fails at the TLS handshake, before its enrollment code leaves the machine,
// so the same code still works afterwards; and a central that later presents
// another certificate is refused by the enrolled station.
func TestTLSPinnedCertificate(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, pin := selfSigned(t, dir, "central")
	_, _, otherPin := selfSigned(t, dir, "impostor")
	c := startCentralWith(t, []string{"--tls-cert", certFile, "--tls-key", keyFile, "--scan-interval", "0"})
	if !strings.HasPrefix(c.url(), "https://") {
		t.Fatalf("central url %s", c.url())
	}
	ctx := context.Background()
	open := func(name string) *store.Store {
		t.Helper()
		st, err := store.Open(filepath.Join(dir, name+".db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	otp := c.admin("enroll-code", "--station", "XZ01")
	var checked []string

	// A wrong pin: the handshake fails, nothing is saved, and the error says why.
	wrong := open("wrong-pin")
	start := time.Now()
	_, err := syncclient.Enroll(ctx, wrong, syncclient.EnrollOptions{ServerURL: c.url(), Code: otp, DeviceName: "wrong pin", PinSHA256: otherPin})
	if err == nil {
		t.Fatal("enrollment with a wrong pin succeeded")
	}
	be := bmerr.As(err)
	if be == nil || be.Reason != "certificate_pin_mismatch" || !strings.Contains(be.En, "pinned") || !strings.Contains(be.Zh, "证书指纹") {
		t.Fatalf("wrong pin: the error does not say the certificate did not match: %#v", err)
	}
	if _, ok, _ := wrong.Identity(ctx); ok {
		t.Fatal("a failed enrollment saved an identity")
	}
	checked = append(checked, "wrong_pin_refused")
	t.Logf("wrong pin: %s (%v)", be.En, time.Since(start).Round(time.Millisecond))

	// No pin: the system roots do not know a self-signed certificate.
	roots := open("no-pin")
	_, err = syncclient.Enroll(ctx, roots, syncclient.EnrollOptions{ServerURL: c.url(), Code: otp, DeviceName: "system roots"})
	if err == nil {
		t.Fatal("enrollment without a pin trusted a self-signed certificate")
	}
	if be := bmerr.As(err); be == nil || be.Reason != "certificate_untrusted" || !strings.Contains(be.En, "unknown authority") || !strings.Contains(be.Zh, "证书") {
		t.Fatalf("no pin: the error does not name the certificate: %#v", err)
	}
	checked = append(checked, "system_roots_refused")
	t.Logf("no pin: %v", err)

	// The right pin, written as a certificate viewer shows it, with the same
	// code: the failed attempts never sent it, so it is still unused.
	st := open("pinned")
	id, err := syncclient.Enroll(ctx, st, syncclient.EnrollOptions{ServerURL: c.url(), Code: otp, DeviceName: "pinned", PinSHA256: colonPin(pin)})
	if err != nil {
		t.Fatalf("enrollment with the right pin: %v", err)
	}
	if id.Station != "XZ01" || !strings.HasPrefix(id.ServerURL, "https://") || id.PinnedCertSHA256 == "" {
		t.Fatalf("identity %+v", id)
	}
	checked = append(checked, "code_unspent_after_refusals", "pinned_enroll")
	// The code is spent now.
	again := open("again")
	if _, err := syncclient.Enroll(ctx, again, syncclient.EnrollOptions{ServerURL: c.url(), Code: otp, DeviceName: "again", PinSHA256: pin}); err == nil {
		t.Fatal("the code worked twice")
	}
	checked = append(checked, "code_spent_after_success")

	// The client built from the stored identity keeps the pin: a sync works.
	cl, err := syncclient.New(ctx, syncclient.Config{Store: st, MinBackoff: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	k := mustClerk(t, st, 31)
	cs, err := k.intake(ctx, dibao)
	if err != nil {
		t.Fatal(err)
	}
	if err := cl.SyncNow(ctx); err != nil {
		t.Fatalf("sync over pinned TLS: %v", err)
	}
	v, err := st.Case(ctx, cs.ID)
	if err != nil || v.Confirmed == nil || v.Confirmed.Version != v.Case.Version || cl.Status().Pending != 0 {
		t.Fatalf("after sync: %+v %v (status %+v)", v, err, cl.Status())
	}
	checked = append(checked, "pinned_sync")

	// Central comes back with another certificate (a new key, or someone
	// in the middle): the enrolled station refuses it and says why.
	c.kill()
	newCert, newKey, _ := selfSigned(t, dir, "rotated")
	c.args = []string{"--tls-cert", newCert, "--tls-key", newKey, "--scan-interval", "0"}
	c.start(c.addr)
	if _, err := k.intake(ctx, dibao); err != nil {
		t.Fatal(err)
	}
	err = cl.SyncNow(ctx)
	s := cl.Status()
	if err == nil || s.LastError == nil || s.LastError.Reason != "certificate_pin_mismatch" || s.Online || s.Pending == 0 {
		t.Fatalf("a different certificate was accepted or not explained: err %v, status %+v", err, s)
	}
	checked = append(checked, "other_certificate_refused")
	report("tls_pinned", "checked", strings.Join(checked, ","))
}
