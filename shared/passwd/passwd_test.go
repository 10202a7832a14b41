package passwd_test

import (
	"strings"
	"testing"

	"github.com/bianmin/bianmin/shared/passwd"
)

var cheap = passwd.Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestHashAndVerify(t *testing.T) {
	h, err := passwd.HashWith("correct horse", cheap)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Fatalf("not a PHC argon2id string: %s", h)
	}
	if strings.Contains(h, "correct horse") {
		t.Fatal("hash contains the password")
	}
	for _, tc := range []struct {
		pw   string
		want bool
	}{{"correct horse", true}, {"correct hors", false}, {"Correct horse", false}, {"", false}} {
		ok, err := passwd.Verify(tc.pw, h)
		if err != nil || ok != tc.want {
			t.Errorf("Verify(%q) = %v, %v; want %v", tc.pw, ok, err, tc.want)
		}
	}
	h2, _ := passwd.HashWith("correct horse", cheap)
	if h2 == h {
		t.Error("two hashes of the same password are equal: no salt")
	}
	if !passwd.NeedsRehash(h) {
		t.Error("a cheap hash should need a rehash")
	}
}

func TestVerifyRejectsMalformed(t *testing.T) {
	for _, h := range []string{"", "plain", "$argon2i$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=18$m=1024,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5", "$argon2id$v=19$m=1024,t=0,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=1024,t=1,p=1$!!$a2V5a2V5a2V5a2V5a2V5"} {
		if ok, err := passwd.Verify("x", h); ok || err == nil {
			t.Errorf("Verify(%q) = %v, %v; want an error", h, ok, err)
		}
	}
}

func TestCheckNewPassword(t *testing.T) {
	if passwd.CheckNewPassword("short") == nil {
		t.Error("a 5-character password was accepted")
	}
	if passwd.CheckNewPassword(" padded pass ") == nil {
		t.Error("a padded password was accepted")
	}
	if err := passwd.CheckNewPassword("demo1234"); err != nil {
		t.Error(err)
	}
}

func FuzzVerify(f *testing.F) {
	h, _ := passwd.HashWith("pw", cheap)
	f.Add("pw", h)
	f.Add("x", "$argon2id$v=19$m=8,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA")
	f.Fuzz(func(t *testing.T, pw, hash string) {
		if strings.Contains(hash, "m=") && !strings.Contains(hash, "m=8,") && !strings.Contains(hash, "m=1024,") {
			t.Skip() // keep the fuzzer off expensive parameters
		}
		passwd.Verify(pw, hash)
	})
}
