package desk

import (
	"context"
	"slices"
	"strings"
	"unicode"

	"github.com/bianmin/bianmin/desktop/internal/store"
	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/shared/passwd"
)

// ErrSignIn is the one answer to a wrong name or a wrong password: which of
// the two was wrong is not told.
var ErrSignIn = bmerr.New(bmerr.Unauthenticated, "sign_in_failed", "用户名或密码不正确。", "the user name or password is not right.")

// SignIn checks a user's password against the hash kept in the station's
// store: it needs no network. A disabled user cannot sign in.
func SignIn(ctx context.Context, st *store.Store, name, password string) (store.User, error) {
	u, err := st.User(ctx, strings.TrimSpace(name))
	if bmerr.CodeOf(err) == bmerr.NotFound {
		// Spend the same time as a real check, so that timing does not
		// tell which names exist.
		passwd.Verify(password, dummyHash())
		return store.User{}, ErrSignIn
	}
	if err != nil {
		return store.User{}, err
	}
	ok, err := passwd.Verify(password, u.PasswordHash)
	if err != nil {
		return store.User{}, err
	}
	if !ok {
		st.RecordSignIn(ctx, u.Name, false)
		return store.User{}, ErrSignIn
	}
	if u.Disabled {
		return store.User{}, bmerr.New(bmerr.PermissionDenied, "user_disabled", "该用户已停用，请联系本站管理员。", "this user is disabled; ask the station's administrator.")
	}
	if passwd.NeedsRehash(u.PasswordHash) {
		if h, err := passwd.Hash(password); err == nil {
			u.PasswordHash = h
			st.UpdateUser(ctx, u)
		}
	}
	if err := st.RecordSignIn(ctx, u.Name, true); err != nil {
		return store.User{}, err
	}
	return u, nil
}

var dummy string

func dummyHash() string {
	if dummy == "" {
		dummy, _ = passwd.Hash("no such user")
	}
	return dummy
}

// NewUser is what the user form collects.
type NewUser struct {
	Name, DisplayName   string
	Role                caseflow.Role
	Admin               bool
	Password, Password2 string
}

// CreateUser checks the form and adds the user with a hashed password. The
// role must be one the station's level has (RolesFor).
func CreateUser(ctx context.Context, st *store.Store, level catalog.Level, nu NewUser) (store.User, error) {
	name := strings.TrimSpace(nu.Name)
	if name == "" {
		return store.User{}, bmerr.New(bmerr.Invalid, "user_name", "请填写登录名。", "enter a sign-in name.").WithField("name")
	}
	for _, r := range name {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return store.User{}, bmerr.New(bmerr.Invalid, "user_name", "登录名不能含空格。", "a sign-in name cannot contain spaces.").WithField("name")
		}
	}
	if strings.TrimSpace(nu.DisplayName) == "" {
		return store.User{}, bmerr.New(bmerr.Invalid, "user_display_name", "请填写姓名。", "enter the user's name.").WithField("display_name")
	}
	if !slices.Contains(RolesFor(level), nu.Role) {
		return store.User{}, bmerr.Newf(bmerr.Invalid, "user_role", "本站不能设置“%s”角色。", "this station has no %q role.", nu.Role.Label("zh")).WithField("role")
	}
	if err := passwd.CheckNewPassword(nu.Password); err != nil {
		return store.User{}, err
	}
	if nu.Password != nu.Password2 {
		return store.User{}, bmerr.New(bmerr.Invalid, "password_mismatch", "两次输入的密码不一致。", "the two passwords differ.").WithField("password2")
	}
	h, err := passwd.Hash(nu.Password)
	if err != nil {
		return store.User{}, err
	}
	u := store.User{Name: name, DisplayName: strings.TrimSpace(nu.DisplayName), Role: nu.Role, Admin: nu.Admin, PasswordHash: h}
	if err := st.CreateUser(ctx, u); err != nil {
		return store.User{}, err
	}
	return st.User(ctx, name)
}

// DefaultRole is the role of a station's first user.
func DefaultRole(level catalog.Level) caseflow.Role { return RolesFor(level)[0] }
