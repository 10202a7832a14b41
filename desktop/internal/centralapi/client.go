// Package centralapi is the desktop app's client of central's API for
// people (bianmin.central.v1): a central user signs in with a password and
// every later call carries "Authorization: Session <token>". It is the edge
// where the generated protobuf types meet the domain: cases and changes come
// back as casefile values, errors as *bmerr.Error with the server's reason
// and Chinese message. It holds no widgets, so tests and the end-to-end test
// drive it directly.
//
// A station install never holds a central session: the station app signs
// its users in against its own store and talks to central only with its
// device credential, which central refuses on this API.
package centralapi

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"connectrpc.com/connect"
	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
	centralv1 "github.com/bianmin/bianmin/shared/gen/bianmin/central/v1"
	"github.com/bianmin/bianmin/shared/gen/bianmin/central/v1/centralv1connect"
	"github.com/bianmin/bianmin/shared/syncapi"
	"github.com/bianmin/bianmin/shared/wire"
)

// ReasonUnimplemented is the reason of the error a call gets from a server
// that does not serve the central API (an older syncserver).
const ReasonUnimplemented = "central_api_unimplemented"

// User is the signed-in central user.
type User struct {
	Username   string
	Name       string
	Role       caseflow.Role
	Department string // department code; "" for an admin
}

// IsAdmin reports whether the user administers central (catalog, stations, users).
func (u User) IsAdmin() bool { return u.Role == caseflow.Admin }

// Reviews reports whether the user works a department's inbox.
func (u User) Reviews() bool {
	switch u.Role {
	case caseflow.Handler, caseflow.Reviewer, caseflow.Approver, caseflow.Head:
		return true
	}
	return false
}

// Actor is who the user's changes are by (central sets the actor from the
// session anyway; this is what the app shows before the reply).
func (u User) Actor() casefile.Actor {
	return casefile.Actor{User: u.Username, Name: u.Name, Role: u.Role, Level: catalog.Central, Department: u.Department}
}

// Client talks to one central server for one user at a time.
type Client struct {
	base   string
	auth   centralv1connect.AuthServiceClient
	review centralv1connect.ReviewServiceClient
	sup    centralv1connect.SupervisionServiceClient
	admin  centralv1connect.AdminServiceClient

	// ActAttempts is how many times Act sends the same change when the
	// network fails (default 4); ActBackoff the first wait between tries,
	// doubling (default 500 ms).
	ActAttempts int
	ActBackoff  time.Duration

	mu      sync.Mutex
	token   string
	user    User
	expires time.Time
	dir     Directory
}

// NormalizeURL turns what a person typed ("192.168.1.10:8700") into a base
// URL ("http://192.168.1.10:8700"), or fails with a message for them.
func NormalizeURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw != "" && !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", bmerr.New(bmerr.Invalid, "server_url", "服务器地址格式不对，应如 http://192.168.1.10:8700。",
			"the server address should look like http://192.168.1.10:8700.").WithField("server")
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// New returns a client of the server at serverURL; hc nil means a client
// with sensible timeouts.
func New(serverURL string, hc *http.Client) (*Client, error) {
	base, err := NormalizeURL(serverURL)
	if err != nil {
		return nil, err
	}
	if hc == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
		tr.ResponseHeaderTimeout = 60 * time.Second
		hc = &http.Client{Transport: tr}
	}
	c := &Client{base: base}
	opts := []connect.ClientOption{connect.WithInterceptors(connect.UnaryInterceptorFunc(c.authorize))}
	c.auth = centralv1connect.NewAuthServiceClient(hc, base, opts...)
	c.review = centralv1connect.NewReviewServiceClient(hc, base, opts...)
	c.sup = centralv1connect.NewSupervisionServiceClient(hc, base, opts...)
	c.admin = centralv1connect.NewAdminServiceClient(hc, base, opts...)
	return c, nil
}

// URL is the server's base URL.
func (c *Client) URL() string { return c.base }

func (c *Client) authorize(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		c.mu.Lock()
		tok := c.token
		c.mu.Unlock()
		if tok != "" && req.Header().Get("Authorization") == "" {
			req.Header().Set("Authorization", "Session "+tok)
		}
		return next(ctx, req)
	}
}

// convert turns a call's error into a *bmerr.Error in the server's words;
// a server without the central API gets its own clear message.
func convert(err error) error {
	if err == nil {
		return nil
	}
	var ce *connect.Error
	if errors.As(err, &ce) && ce.Code() == connect.CodeUnimplemented {
		return bmerr.New(bmerr.Unavailable, ReasonUnimplemented,
			"中心服务器尚未提供县级中心接口，请升级中心服务器后再试。",
			"the central server does not serve the central staff API yet; upgrade it and try again.")
	}
	e := syncapi.FromConnect(err)
	if e.Code == bmerr.Unavailable && e.Reason == "" && errors.As(err, &ce) {
		// The request never got a server's answer (refused, reset, timed out).
		e = bmerr.Newf(bmerr.Unavailable, "network", "无法连接中心服务器：%v", "cannot reach the central server: %v", ce.Message())
	}
	return e
}

// SignIn checks the user's password at central and keeps the session.
func (c *Client) SignIn(ctx context.Context, username, password string) (User, error) {
	username = strings.TrimSpace(username)
	if username == "" || password == "" {
		return User{}, bmerr.New(bmerr.Invalid, "credentials_missing", "请输入用户名和密码。", "enter your user name and password.")
	}
	res, err := c.auth.SignIn(ctx, connect.NewRequest(&centralv1.SignInRequest{Username: username, Password: password}))
	if err != nil {
		return User{}, convert(err)
	}
	u := userFromWire(res.Msg.GetUser())
	if u.Username == "" {
		u.Username = username
	}
	c.mu.Lock()
	c.token, c.user = res.Msg.GetToken(), u
	c.expires = res.Msg.GetExpiresAt().AsTime()
	c.dir = directoryFromWire(res.Msg)
	c.mu.Unlock()
	return u, nil
}

// Directory is what central calls its departments and stations, as of the
// last sign-in.
type Directory struct {
	Departments []catalog.Department
	Stations    map[string]string // code → name
}

// Directory returns the names sent with the last sign-in.
func (c *Client) Directory() Directory {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.dir
}

func directoryFromWire(r *centralv1.SignInResponse) Directory {
	d := Directory{Stations: map[string]string{}}
	for _, n := range r.GetDepartments() {
		d.Departments = append(d.Departments, catalog.Department{Code: n.GetCode(), Name: n.GetName(), NameEn: n.GetNameEn()})
	}
	for _, n := range r.GetStations() {
		d.Stations[n.GetCode()] = n.GetName()
	}
	return d
}

func userFromWire(w *centralv1.User) User {
	return User{Username: w.GetUsername(), Name: w.GetName(), Role: caseflow.Role(w.GetRole()), Department: w.GetDepartment()}
}

// SignOut closes the session at central (best effort) and forgets it.
//
// The session is forgotten at once, so a sign-in that follows at once is
// not undone when the sign-out's reply comes back later.
func (c *Client) SignOut(ctx context.Context) error {
	c.mu.Lock()
	tok := c.token
	c.token, c.user = "", User{}
	c.mu.Unlock()
	if tok == "" {
		return nil
	}
	req := connect.NewRequest(&centralv1.SignOutRequest{})
	req.Header().Set("Authorization", "Session "+tok)
	_, err := c.auth.SignOut(ctx, req)
	return convert(err)
}

// User is the signed-in user (zero before SignIn).
func (c *Client) User() User {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.user
}

// SignedIn reports whether the client holds a session.
func (c *Client) SignedIn() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.token != ""
}

// Inbox lists the cases waiting for department ("" for the user's own),
// filtered by warning colour ("" for all).
func (c *Client) Inbox(ctx context.Context, department, warning string) (*centralv1.InboxResponse, error) {
	res, err := c.review.Inbox(ctx, connect.NewRequest(&centralv1.InboxRequest{Department: department, Warning: warning, Limit: 500}))
	if err != nil {
		return nil, convert(err)
	}
	return res.Msg, nil
}

// HistoryEntry is one applied change of a case.
type HistoryEntry struct {
	Seq       int64
	Change    *casefile.Change
	AppliedAt time.Time
	Version   int64
}

// CaseDetail is a case as the reviewer sees it.
type CaseDetail struct {
	Case    *casefile.Case // applicant masked
	History []HistoryEntry
	Tasks   []casefile.Task
	Actions []caseflow.Action // what the caller may do now
}

// Task returns the task of department, if the case has one for it now.
func (d *CaseDetail) Task(department string) (casefile.Task, bool) {
	for _, t := range d.Tasks {
		if t.Department == department {
			return t, true
		}
	}
	return casefile.Task{}, false
}

// Case fetches one case with its history, tasks and the caller's actions.
func (c *Client) Case(ctx context.Context, id string) (*CaseDetail, error) {
	res, err := c.review.GetCase(ctx, connect.NewRequest(&centralv1.GetCaseRequest{CaseId: id}))
	if err != nil {
		return nil, convert(err)
	}
	cs, err := wire.CaseFromWire(res.Msg.GetCase())
	if err != nil {
		return nil, err
	}
	d := &CaseDetail{Case: cs}
	for _, h := range res.Msg.GetHistory() {
		ch, err := wire.ChangeFromWire(h.GetChange())
		if err != nil {
			return nil, err
		}
		d.History = append(d.History, HistoryEntry{Seq: h.GetSeq(), Change: ch, AppliedAt: h.GetAppliedAt().AsTime(), Version: h.GetCaseVersion()})
	}
	for _, t := range res.Msg.GetTasks() {
		task := casefile.Task{Stage: int(t.GetStage()), Department: t.GetDepartment(), Step: catalog.Step(t.GetStep()),
			Parallel: t.GetParallel(), Decides: t.GetDecides()}
		if t.GetDue() != "" {
			if err := task.Due.UnmarshalText([]byte(t.GetDue())); err != nil {
				return nil, bmerr.Newf(bmerr.Invalid, "wire_date", "中心返回的日期“%s”无效。", "central sent an invalid date %q.", t.GetDue())
			}
		}
		d.Tasks = append(d.Tasks, task)
	}
	for _, a := range res.Msg.GetActions() {
		d.Actions = append(d.Actions, caseflow.Action(a))
	}
	return d, nil
}

// Unmasked is an applicant's full details.
type Unmasked struct {
	IDNumber   string
	Phone      string
	CreditCode string
}

// Unmask asks for the applicant's full details; central records the reason
// with the user's name in its audit trail.
func (c *Client) Unmask(ctx context.Context, caseID, reason string) (Unmasked, error) {
	if strings.TrimSpace(reason) == "" {
		return Unmasked{}, bmerr.New(bmerr.Invalid, "unmask_reason", "查看完整信息须写明理由，理由会记入审计日志。",
			"viewing the full details needs a reason; it is recorded in the audit trail.").WithField("reason")
	}
	res, err := c.review.Unmask(ctx, connect.NewRequest(&centralv1.UnmaskRequest{CaseId: caseID, Reason: strings.TrimSpace(reason)}))
	if err != nil {
		return Unmasked{}, convert(err)
	}
	return Unmasked{IDNumber: res.Msg.GetIdNumber(), Phone: res.Msg.GetPhone(), CreditCode: res.Msg.GetCreditCode()}, nil
}

// retryable reports whether an Act may be sent again: the request may not
// have reached central, or central was briefly unable to answer. Central
// applies a change once by its id, so sending it again is safe.
func retryable(err error) bool {
	var ce *connect.Error
	if !errors.As(err, &ce) {
		return !errors.Is(err, context.Canceled)
	}
	switch ce.Code() {
	case connect.CodeUnavailable, connect.CodeDeadlineExceeded, connect.CodeAborted:
		return true
	case connect.CodeUnknown:
		// A transport failure mid-response surfaces as Unknown without a
		// server's reason.
		return ce.Meta().Get(syncapi.HeaderReason) == ""
	}
	return false
}

// Act sends one change by the user. Central sets the actor and the time; the
// change's id is the idempotency key, so on a network failure the same
// change is sent again (up to ActAttempts times) and central answers the
// original outcome if the first one had arrived after all.
func (c *Client) Act(ctx context.Context, ch *casefile.Change) (*casefile.Case, bool, error) {
	req := &centralv1.ActRequest{Change: wire.ChangeToWire(ch)}
	attempts, wait := c.ActAttempts, c.ActBackoff
	if attempts <= 0 {
		attempts = 4
	}
	if wait <= 0 {
		wait = 500 * time.Millisecond
	}
	var err error
	for i := 0; i < attempts; i++ {
		if i > 0 {
			select {
			case <-ctx.Done():
				return nil, false, convert(err)
			case <-time.After(wait):
			}
			wait *= 2
		}
		var res *connect.Response[centralv1.ActResponse]
		res, err = c.review.Act(ctx, connect.NewRequest(req))
		if err == nil {
			cs, cerr := wire.CaseFromWire(res.Msg.GetCase())
			if cerr != nil {
				return nil, false, cerr
			}
			return cs, res.Msg.GetAlreadyApplied(), nil
		}
		if !retryable(err) {
			break
		}
	}
	return nil, false, convert(err)
}

// ReadAttachment reads a whole attachment of a case, in chunks.
func (c *Client) ReadAttachment(ctx context.Context, caseID, sha256 string) ([]byte, error) {
	var out []byte
	for {
		res, err := c.review.ReadAttachment(ctx, connect.NewRequest(&centralv1.ReadAttachmentRequest{
			CaseId: caseID, Sha256: sha256, Offset: int64(len(out)), Limit: syncapi.MaxChunkSize}))
		if err != nil {
			return nil, convert(err)
		}
		out = append(out, res.Msg.GetData()...)
		if res.Msg.GetEof() || len(res.Msg.GetData()) == 0 || (res.Msg.GetSize() > 0 && int64(len(out)) >= res.Msg.GetSize()) {
			return out, nil
		}
		if len(out) > syncapi.MaxAttachmentSize {
			return nil, bmerr.New(bmerr.ResourceExhausted, "attachment_too_large", "附件过大。", "the attachment is too large.")
		}
	}
}
