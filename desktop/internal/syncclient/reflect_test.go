package syncclient_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"connectrpc.com/grpchealth"
	"connectrpc.com/grpcreflect"
	"github.com/bianmin/bianmin/shared/gen/bianmin/central/v1/centralv1connect"
	"github.com/bianmin/bianmin/shared/gen/bianmin/sync/v1/syncv1connect"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// h2cClient speaks HTTP/2 without TLS (prior knowledge), as grpcurl
// -plaintext and buf curl --http2-prior-knowledge do.
func h2cClient() *http.Client {
	p := new(http.Protocols)
	p.SetUnencryptedHTTP2(true)
	return &http.Client{Transport: &http.Transport{Protocols: p}}
}

// TestHealthAndReflection asks the real server, over h2c and the gRPC
// protocol, for its health (the standard grpc.health.v1 service) and for its
// services through server reflection, the way grpcurl and buf curl do.
func TestHealthAndReflection(t *testing.T) {
	c := startCentralWith(t, []string{"--scan-interval", "0"})
	ctx := context.Background()
	hc := h2cClient()
	want := []string{
		syncv1connect.EnrollmentServiceName, syncv1connect.SyncServiceName,
		syncv1connect.AttachmentServiceName, syncv1connect.CatalogServiceName,
		centralv1connect.AuthServiceName, centralv1connect.ReviewServiceName,
		centralv1connect.SupervisionServiceName, centralv1connect.AdminServiceName,
	}

	// Health: the whole server and each service are SERVING; an unknown
	// service is NOT_FOUND.
	health := grpchealth.NewClient(hc, c.url(), connect.WithGRPC())
	for _, svc := range append([]string{""}, want...) {
		r, err := health.Check(ctx, &grpchealth.CheckRequest{Service: svc})
		if err != nil || r.Status != grpchealth.StatusServing {
			t.Fatalf("health of %q: %v %v", svc, r, err)
		}
	}
	if _, err := health.Check(ctx, &grpchealth.CheckRequest{Service: "bianmin.sync.v1.NoSuchService"}); connect.CodeOf(err) != connect.CodeNotFound {
		t.Fatalf("health of an unknown service: %v", err)
	}

	// Reflection: the service list, then each service's descriptor with its
	// methods (what `grpcurl list` and `buf curl --list-methods` print).
	stream := grpcreflect.NewClient(hc, c.url(), connect.WithGRPC()).NewStream(ctx)
	defer stream.Close()
	names, err := stream.ListServices()
	if err != nil {
		t.Fatalf("reflection: list services: %v", err)
	}
	listed := make([]string, len(names))
	for i, n := range names {
		listed[i] = string(n)
	}
	for _, w := range want {
		if !slices.Contains(listed, w) {
			t.Fatalf("reflection lists %v, missing %s", listed, w)
		}
	}
	methods := 0
	for _, w := range want {
		files, err := stream.FileContainingSymbol(protoreflect.FullName(w))
		if err != nil {
			t.Fatalf("reflection: file of %s: %v", w, err)
		}
		pkg, svc, _ := cutLast(w)
		found := false
		for _, f := range files {
			if f.GetPackage() != pkg {
				continue
			}
			for _, s := range f.GetService() {
				if s.GetName() == svc {
					found = true
					methods += len(s.GetMethod())
					if len(s.GetMethod()) == 0 {
						t.Fatalf("%s has no methods", w)
					}
				}
			}
		}
		if !found {
			t.Fatalf("reflection: no descriptor for %s", w)
		}
	}
	// Push is there, with its input type resolvable.
	files, err := stream.FileContainingSymbol(protoreflect.FullName(syncv1connect.SyncServiceName + ".Push"))
	if err != nil || len(files) == 0 {
		t.Fatalf("reflection: Push: %v", err)
	}
	report("health_reflection", "services_listed", len(listed), "sync_and_central_services", len(want), "methods", methods,
		"health", "SERVING")
}

func cutLast(name string) (pkg, last string, ok bool) {
	i := strings.LastIndexByte(name, '.')
	if i < 0 {
		return "", name, false
	}
	return name[:i], name[i+1:], true
}
