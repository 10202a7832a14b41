// Package passwd hashes and checks passwords, for station staff and central
// users alike. Station sign-in
// works offline, so the station keeps each password as an argon2id hash
// (RFC 9106) with its own random salt, in the PHC string format that records
// the parameters it was made with:
//
//	$argon2id$v=19$m=65536,t=2,p=2$<salt>$<hash>
//
// Raising the parameters later leaves old hashes readable; NeedsRehash tells
// the caller to store a fresh hash after the next successful sign-in.
package passwd

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/bianmin/bianmin/shared/bmerr"
	"golang.org/x/crypto/argon2"
)

// Params are argon2id's cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
	SaltLen int
	KeyLen  uint32
}

// Default is what new hashes use: 64 MiB and two passes, about 0.1 s on a
// two-core office PC — slow for someone trying passwords against a stolen
// file, unnoticeable at the sign-in screen. Tests may lower it.
var Default = Params{Memory: 64 * 1024, Time: 2, Threads: 2, SaltLen: 16, KeyLen: 32}

// MinPasswordLen is the shortest password accepted.
const MinPasswordLen = 8

var b64 = base64.RawStdEncoding

// CheckNewPassword says whether password may be set.
func CheckNewPassword(password string) error {
	if utf8.RuneCountInString(password) < MinPasswordLen {
		return bmerr.Newf(bmerr.Invalid, "password_short", "密码至少需要 %d 位。", "a password needs at least %d characters.", MinPasswordLen).WithField("password")
	}
	if strings.TrimSpace(password) != password {
		return bmerr.New(bmerr.Invalid, "password_space", "密码首尾不能有空格。", "a password cannot start or end with a space.").WithField("password")
	}
	return nil
}

// Hash returns the PHC string of password with a fresh salt and Default.
func Hash(password string) (string, error) { return HashWith(password, Default) }

// HashWith is Hash with the given parameters.
func HashWith(password string, p Params) (string, error) {
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify reports whether password matches the PHC string hash. A malformed
// hash is an error, never a match.
func Verify(password, hash string) (bool, error) {
	p, salt, key, err := decode(hash)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// NeedsRehash reports whether hash was made with weaker parameters than Default.
func NeedsRehash(hash string) bool {
	p, _, _, err := decode(hash)
	return err != nil || p.Memory < Default.Memory || p.Time < Default.Time
}

func malformed() error {
	return bmerr.New(bmerr.Internal, "password_hash", "本机保存的密码数据已损坏，请让管理员重设密码。", "the stored password hash is damaged; ask the administrator to reset the password.")
}

func decode(hash string) (Params, []byte, []byte, error) {
	parts := strings.Split(hash, "$")
	// "", "argon2id", "v=19", "m=…,t=…,p=…", salt, key
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return Params{}, nil, nil, malformed()
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return Params{}, nil, nil, malformed()
	}
	var p Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil ||
		p.Memory < 8 || p.Memory > 4<<20 || p.Time < 1 || p.Time > 100 || p.Threads < 1 {
		return Params{}, nil, nil, malformed()
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return Params{}, nil, nil, malformed()
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) < 16 || len(key) > 64 {
		return Params{}, nil, nil, malformed()
	}
	p.SaltLen, p.KeyLen = len(salt), uint32(len(key))
	return p, salt, key, nil
}
