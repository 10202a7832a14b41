package store_test

import (
	"bytes"
	"database/sql"
	"testing"
	"time"

	"github.com/bianmin/bianmin/desktop/internal/store"
	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/workcal"
)

func TestBlobs(t *testing.T) {
	s, path := openStore(t)
	data := bytes.Repeat([]byte("0123456789"), 30_000) // 300 kB
	a, err := s.PutBlob(ctx, data, "id.jpg", "image/jpeg")
	if err != nil {
		t.Fatal(err)
	}
	if a.SHA256 != sha(data) || a.Size != int64(len(data)) || a.Name != "id.jpg" || a.MIME != "image/jpeg" {
		t.Fatalf("attachment = %+v", a)
	}
	// The same content again is stored once.
	b, err := s.PutBlob(ctx, bytes.Clone(data), "copy.jpg", "image/jpeg")
	if err != nil || b.SHA256 != a.SHA256 {
		t.Fatalf("second put = %+v, %v", b, err)
	}
	db, err := sql.Open("sqlite", path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM blobs`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("blobs rows = %d, %v", n, err)
	}

	for _, c := range []struct {
		off  int64
		n    int
		want []byte
	}{
		{0, 10, data[:10]},
		{299_995, 10, data[299_995:]},
		{300_000, 10, []byte{}},
		{400_000, 10, []byte{}},
		{5, 0, []byte{}},
	} {
		got, err := s.ReadBlob(ctx, a.SHA256, c.off, c.n)
		if err != nil || !bytes.Equal(got, c.want) {
			t.Errorf("ReadBlob(%d, %d) = %q, %v; want %q", c.off, c.n, got, err, c.want)
		}
	}
	_, err = s.ReadBlob(ctx, sha([]byte("nope")), 0, 1)
	wantCode(t, err, bmerr.NotFound, "blob_unknown")
	_, err = s.ReadBlob(ctx, a.SHA256, -1, 1)
	wantCode(t, err, bmerr.Invalid, "blob_range")

	// Upload state: resumes from the last acknowledged offset, across a reopen.
	if u, err := s.BlobUpload(ctx, a.SHA256); err != nil || u != (store.UploadState{Size: 300_000}) {
		t.Fatalf("BlobUpload = %+v, %v", u, err)
	}
	if err := s.SetBlobAcked(ctx, a.SHA256, 131_072, false); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = mustOpen(t, path)
	if u, _ := s.BlobUpload(ctx, a.SHA256); u.Acked != 131_072 || u.Complete {
		t.Fatalf("after reopen: %+v", u)
	}
	wantCode(t, s.SetBlobAcked(ctx, a.SHA256, 300_001, false), bmerr.Invalid, "blob_acked")
	wantCode(t, s.SetBlobAcked(ctx, sha([]byte("nope")), 0, false), bmerr.NotFound, "blob_unknown")

	// Only blobs referenced by outbox changes are pending; unreferenced
	// ones are pruned once old enough.
	if p, _ := s.PendingBlobs(ctx); len(p) != 0 {
		t.Fatalf("pending without a change = %+v", p)
	}
	ch := intake(t, s, pension, "张三", residentID(t, "110105", workcal.D(1960, 3, 1), 11), t0)
	ch.Intake.Materials[0].Attachments = append(ch.Intake.Materials[0].Attachments, a)
	record(t, s, ch)
	orphan, _ := s.PutBlob(ctx, []byte("abandoned scan"), "x.png", "image/png")
	p, err := s.PendingBlobs(ctx)
	if err != nil || len(p) != 1 || p[0].SHA256 != a.SHA256 || p[0].Acked != 131_072 {
		t.Fatalf("PendingBlobs = %+v, %v", p, err)
	}
	if err := s.SetBlobAcked(ctx, a.SHA256, 0, true); err != nil {
		t.Fatal(err)
	}
	if u, _ := s.BlobUpload(ctx, a.SHA256); !u.Complete || u.Acked != u.Size {
		t.Errorf("complete upload = %+v", u)
	}
	if p, _ := s.PendingBlobs(ctx); len(p) != 0 {
		t.Errorf("pending after completion = %+v", p)
	}
	if n, err := s.PruneBlobs(ctx, time.Now().Add(-time.Hour)); err != nil || n != 0 {
		t.Errorf("prune of fresh blobs = %d, %v", n, err)
	}
	if n, err := s.PruneBlobs(ctx, time.Now().Add(time.Hour)); err != nil || n != 1 {
		t.Errorf("prune = %d, %v; want the orphan only", n, err)
	}
	if _, err := s.BlobUpload(ctx, orphan.SHA256); bmerr.CodeOf(err) != bmerr.NotFound {
		t.Errorf("orphan survived: %v", err)
	}
	if _, err := s.BlobUpload(ctx, a.SHA256); err != nil {
		t.Errorf("referenced blob pruned: %v", err)
	}

	_, err = s.PutBlob(ctx, nil, "empty", "text/plain")
	wantCode(t, err, bmerr.Invalid, "blob_empty")
	_, err = s.PutBlob(ctx, make([]byte, store.MaxBlobSize+1), "big", "image/png")
	wantCode(t, err, bmerr.ResourceExhausted, "blob_too_large")
}
