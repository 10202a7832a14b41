// Package cli is the syncserver command line: serve, and the admin
// subcommands that manage stations, enrollment codes, devices and the catalog.
// Main takes its arguments and output streams so tests run the whole program.
package cli

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/shared/supervise"
	"github.com/bianmin/bianmin/syncserver/internal/server"
	"github.com/bianmin/bianmin/syncserver/internal/store"
	"github.com/bianmin/bianmin/syncserver/internal/store/postgres"
	"github.com/bianmin/bianmin/syncserver/internal/store/sqlite"
)

// errUsage marks a command-line mistake (exit code 2).
var errUsage = errors.New("usage")

// ExitCode is the process exit code for an error from Main.
func ExitCode(err error) int {
	if errors.Is(err, errUsage) || errors.Is(err, flag.ErrHelp) {
		return 2
	}
	return 1
}

const usage = `syncserver: Bianmin's central sync server

Commands:
  serve                      run the server (embedded SQLite by default)
  station create             register a station
  station list               list stations
  enroll-code                issue a one-time enrollment code for a station
  device list                list a station's enrolled devices
  device revoke              refuse a device's every later call (lost or stolen)
  catalog publish            publish a catalog and calendar file to every station
  user create                create a central user (reviewer, approver, head, admin…)
  user list                  list central users
  audit verify               check the audit trail: names the first edited, deleted or reordered entry
  report                     supervision figures for a period, as CSV and Excel
  help                       this text

Every command takes --db (or BIANMIN_DB): a SQLite file path (default
bianmin-central.db), or a PostgreSQL URL (postgres://user@host/db) for a
central that several server processes share. Run "syncserver <command> -h"
for its flags.
`

// Main runs one command.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, usage)
		if len(args) == 0 {
			return errUsage
		}
		return nil
	}
	cmd, rest := args[0], args[1:]
	if (cmd == "station" || cmd == "device" || cmd == "catalog" || cmd == "user" || cmd == "audit") && len(rest) > 0 {
		cmd, rest = cmd+" "+rest[0], rest[1:]
	}
	run, ok := commands[cmd]
	if !ok {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("%w: unknown command %q", errUsage, cmd)
	}
	return run(ctx, rest, stdout, stderr)
}

type command func(ctx context.Context, args []string, stdout, stderr io.Writer) error

var commands map[string]command

func init() {
	commands = map[string]command{
		"serve":           serve,
		"station create":  stationCreate,
		"station list":    stationList,
		"enroll-code":     enrollCode,
		"device list":     deviceList,
		"device revoke":   deviceRevoke,
		"catalog publish": catalogPublish,
		"user create":     userCreate,
		"user list":       userList,
		"audit verify":    auditVerify,
		"report":          reportCmd,
	}
}

func newFlags(name string, stderr io.Writer) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", envOr("BIANMIN_DB", "bianmin-central.db"), "database: SQLite file path, or postgres:// URL (env BIANMIN_DB)")
	return fs, db
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	return nil
}

// openStore opens the database named by dsn: a PostgreSQL URL
// (postgres://… or postgresql://…), or else a SQLite file path.
func openStore(ctx context.Context, dsn string) (store.Store, error) {
	if isPostgres(dsn) {
		return postgres.Open(ctx, dsn)
	}
	return sqlite.Open(dsn)
}

func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// dbName is dsn as it may be logged: a PostgreSQL URL without its password.
func dbName(dsn string) string {
	if !isPostgres(dsn) {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://(unparsable)"
	}
	return u.Redacted()
}

func withServer(ctx context.Context, dsn string, logger *slog.Logger, fn func(*server.Server, store.Store) error) error {
	st, err := openStore(ctx, dsn)
	if err != nil {
		return err
	}
	defer st.Close()
	return fn(server.New(server.Config{Store: st, Logger: logger}), st)
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, db := newFlags("serve", stderr)
	addr := fs.String("addr", envOr("BIANMIN_ADDR", "127.0.0.1:8700"), "listen address (env BIANMIN_ADDR); use :8700 to serve the LAN")
	certFile := fs.String("tls-cert", os.Getenv("BIANMIN_TLS_CERT"), "TLS certificate (PEM); with --tls-key serves HTTPS")
	keyFile := fs.String("tls-key", os.Getenv("BIANMIN_TLS_KEY"), "TLS private key (PEM)")
	demo := fs.Bool("demo", false, "create the demo stations if missing and print fresh enrollment codes")
	demoCodes := fs.String("demo-codes", "", "with --demo: also write the codes as JSON to this file")
	logLevel := fs.String("log-level", envOr("BIANMIN_LOG_LEVEL", "info"), "debug, info, warn or error")
	addrFile := fs.String("addr-file", "", "write the address actually listened on to this file (for tests and scripts)")
	scanEvery := fs.Duration("scan-interval", time.Minute, "how often supervision warnings are scanned for (0: never)")
	rulesFile := fs.String("rules", os.Getenv("BIANMIN_RULES"), "supervision rules JSON (thresholds, escalation); default: domain defaults")
	publicURL := fs.String("public-url", os.Getenv("BIANMIN_PUBLIC_URL"), "the address stations use to reach this server, shown with enrollment codes")
	if err := parse(fs, args); err != nil {
		return err
	}
	if (*certFile == "") != (*keyFile == "") {
		return fmt.Errorf("%w: --tls-cert and --tls-key go together", errUsage)
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("%w: --log-level: %v", errUsage, err)
	}
	logger := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level}))
	server.TuneGC()

	st, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	rules := supervise.Defaults()
	if *rulesFile != "" {
		data, err := os.ReadFile(*rulesFile)
		if err != nil {
			return err
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&rules); err != nil {
			return fmt.Errorf("--rules %s: %w", *rulesFile, err)
		}
	}
	srv := server.New(server.Config{Store: st, Logger: logger, AfterPushCommit: faultAfterPushCommit(logger), Rules: &rules, PublicURL: *publicURL})
	if err := srv.EnsureCatalog(ctx); err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	if *demo {
		codes, err := seedDemo(ctx, srv, st)
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		for _, c := range codes {
			fmt.Fprintf(stdout, "enrollment code for %s %s: %s\n", c.Station, c.Name, c.Code)
		}
		if err := seedDemoUsers(ctx, srv, st); err != nil {
			return fmt.Errorf("demo users: %w", err)
		}
		fmt.Fprintf(stdout, "central users (password %s): %s\n", DemoPassword, strings.Join(demoUserNames(), ", "))
		if n, err := seedDemoCases(ctx, srv, st, time.Now()); err != nil {
			return fmt.Errorf("demo cases: %w", err)
		} else if n > 0 {
			fmt.Fprintf(stdout, "%d sample cases from %s wait in the departments' inboxes\n", n, demoCaseStation)
		}
		if *demoCodes != "" {
			data, _ := json.MarshalIndent(codes, "", "  ")
			if err := os.WriteFile(*demoCodes, data, 0o600); err != nil {
				return err
			}
		}
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	if *addrFile != "" {
		if err := os.WriteFile(*addrFile, []byte(ln.Addr().String()), 0o644); err != nil {
			return err
		}
	}
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		Protocols:         new(http.Protocols),
	}
	hs.Protocols.SetHTTP1(true)
	if *certFile != "" {
		hs.Protocols.SetHTTP2(true)
		hs.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	} else {
		hs.Protocols.SetUnencryptedHTTP2(true) // h2c, for gRPC clients and buf curl
	}
	scheme := "http"
	if *certFile != "" {
		scheme = "https"
	}
	logger.Info("serving", "addr", ln.Addr().String(), "scheme", scheme, "db", dbName(*db))
	fmt.Fprintf(stdout, "syncserver listening on %s://%s\n", scheme, ln.Addr())

	if *scanEvery > 0 {
		go srv.RunScanner(ctx, *scanEvery)
	}
	errc := make(chan error, 1)
	go func() {
		if *certFile != "" {
			errc <- hs.ServeTLS(ln, *certFile, *keyFile)
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = hs.Shutdown(shutdown)
	return nil
}

// faultAfterPushCommit reads BIANMIN_FAULT_KILL_AFTER_PUSH (a probability) and,
// when set, kills this process with SIGKILL after a push commits and before
// it is answered: the fault-injection tests' "server dies mid-reply".
func faultAfterPushCommit(logger *slog.Logger) func() {
	p, err := strconv.ParseFloat(os.Getenv("BIANMIN_FAULT_KILL_AFTER_PUSH"), 64)
	if err != nil || p <= 0 {
		return nil
	}
	logger.Warn("fault injection enabled: the server kills itself after some push commits", "probability", p)
	return func() {
		if rand.Float64() < p {
			self, _ := os.FindProcess(os.Getpid())
			_ = self.Kill()
			select {} // never answer
		}
	}
}

// DemoCode is one demo station's fresh enrollment code.
type DemoCode struct {
	Station string `json:"station"`
	Name    string `json:"name"`
	Level   string `json:"level"`
	Code    string `json:"code"`
}

// DemoStations are the stations `serve --demo` creates.
var DemoStations = []store.Station{
	{Code: "XZ01", Name: "青山镇便民服务中心", Level: catalog.Township},
	{Code: "SQ01", Name: "青山镇幸福村便民服务站", Level: catalog.Community, Parent: "XZ01"},
	{Code: "XZ02", Name: "石桥镇便民服务中心", Level: catalog.Township},
}

func seedDemo(ctx context.Context, srv *server.Server, st store.Store) ([]DemoCode, error) {
	var out []DemoCode
	for _, s := range DemoStations {
		if _, err := st.Station(ctx, s.Code); bmerr.CodeOf(err) == bmerr.NotFound {
			if err := srv.CreateStation(ctx, s); err != nil {
				return nil, err
			}
		} else if err != nil {
			return nil, err
		}
		code, err := srv.NewEnrollCode(ctx, s.Code, 30*24*time.Hour)
		if err != nil {
			return nil, err
		}
		out = append(out, DemoCode{Station: s.Code, Name: s.Name, Level: string(s.Level), Code: code})
	}
	return out, nil
}

func stationCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, db := newFlags("station create", stderr)
	code := fs.String("code", "", "station code: 2–16 upper-case letters and digits, starting with a letter")
	name := fs.String("name", "", "station name, e.g. 青山镇便民服务中心")
	level := fs.String("level", "", "township or community")
	parent := fs.String("parent", "", "for a community station: its township's code")
	if err := parse(fs, args); err != nil {
		return err
	}
	return withServer(ctx, *db, nil, func(srv *server.Server, _ store.Store) error {
		if err := srv.CreateStation(ctx, store.Station{Code: *code, Name: *name, Level: catalog.Level(*level), Parent: *parent}); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "station %s created\n", *code)
		return nil
	})
}

func stationList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, db := newFlags("station list", stderr)
	if err := parse(fs, args); err != nil {
		return err
	}
	return withServer(ctx, *db, nil, func(_ *server.Server, st store.Store) error {
		list, err := st.Stations(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "CODE\tLEVEL\tPARENT\tNAME")
		for _, s := range list {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Code, s.Level, s.Parent, s.Name)
		}
		return tw.Flush()
	})
}

func enrollCode(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, db := newFlags("enroll-code", stderr)
	station := fs.String("station", "", "station code")
	ttl := fs.Duration("ttl", 7*24*time.Hour, "how long the code stays valid")
	if err := parse(fs, args); err != nil {
		return err
	}
	return withServer(ctx, *db, nil, func(srv *server.Server, _ store.Store) error {
		code, err := srv.NewEnrollCode(ctx, *station, *ttl)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, code)
		return nil
	})
}

func deviceList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, db := newFlags("device list", stderr)
	station := fs.String("station", "", "station code")
	if err := parse(fs, args); err != nil {
		return err
	}
	return withServer(ctx, *db, nil, func(_ *server.Server, st store.Store) error {
		list, err := st.Devices(ctx, *station)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "DEVICE\tNAME\tENROLLED\tLAST SEEN\tREVOKED")
		for _, d := range list {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", d.ID, d.Name, stamp(d.EnrolledAt), stamp(d.LastSeenAt), stamp(d.RevokedAt))
		}
		return tw.Flush()
	})
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04")
}

func deviceRevoke(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, db := newFlags("device revoke", stderr)
	id := fs.String("device", "", "device id (see device list)")
	if err := parse(fs, args); err != nil {
		return err
	}
	return withServer(ctx, *db, nil, func(srv *server.Server, _ store.Store) error {
		if err := srv.RevokeDevice(ctx, *id); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "device %s revoked; its next call is refused\n", *id)
		return nil
	})
}

func catalogPublish(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, db := newFlags("catalog publish", stderr)
	catFile := fs.String("catalog", "", "catalog JSON file")
	calFile := fs.String("calendar", "", "working-day calendar JSON file")
	if err := parse(fs, args); err != nil {
		return err
	}
	catData, err := os.ReadFile(*catFile)
	if err != nil {
		return err
	}
	calData, err := os.ReadFile(*calFile)
	if err != nil {
		return err
	}
	return withServer(ctx, *db, nil, func(srv *server.Server, _ store.Store) error {
		v, err := srv.PublishCatalog(ctx, catData, calData)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "catalog version %d published\n", v)
		return nil
	})
}

// DemoPassword is every demo central user's password.
const DemoPassword = "demo1234"

// demoUsers are the central users `serve --demo` creates: an admin and, for
// the departments the demo workflows run through, a handler, reviewer,
// approver and head each.
var demoUsers = func() []store.User {
	us := []store.User{{Username: "admin", Name: "系统管理员", Role: caseflow.Admin}}
	people := map[string][4]string{
		"mz": {"张伟", "李芳", "王强", "陈静"}, "cl": {"刘洋", "赵敏", "孙杰", "周丽"},
		"zr": {"吴刚", "郑红", "冯涛", "何梅"}, "nn": {"许军", "曹燕", "彭亮", "邓华"},
		"rs": {"韩磊", "唐娟", "蒋勇", "沈霞"}, "xz": {"罗斌", "高洁", "林峰", "宋倩"},
	}
	roles := []caseflow.Role{caseflow.Handler, caseflow.Reviewer, caseflow.Approver, caseflow.Head}
	for _, dept := range []string{"mz", "cl", "zr", "nn", "rs", "xz"} {
		for i, r := range roles {
			us = append(us, store.User{Username: dept + "." + string(r), Name: people[dept][i], Role: r, Department: dept})
		}
	}
	return us
}()

func demoUserNames() []string {
	var out []string
	for _, u := range demoUsers {
		out = append(out, u.Username)
	}
	return []string{out[0], out[1], out[2], out[3], out[4], "…"}
}

func seedDemoUsers(ctx context.Context, srv *server.Server, st store.Store) error {
	for _, u := range demoUsers {
		if _, err := st.User(ctx, u.Username); err == nil {
			continue
		} else if bmerr.CodeOf(err) != bmerr.NotFound {
			return err
		}
		if err := srv.CreateUser(ctx, "demo", u, DemoPassword); err != nil {
			return err
		}
	}
	return nil
}
