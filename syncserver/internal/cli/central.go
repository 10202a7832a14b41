package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/metrics"
	"github.com/bianmin/bianmin/shared/workcal"
	"github.com/bianmin/bianmin/syncserver/internal/audit"
	"github.com/bianmin/bianmin/syncserver/internal/report"
	"github.com/bianmin/bianmin/syncserver/internal/server"
	"github.com/bianmin/bianmin/syncserver/internal/store"
	"github.com/google/uuid"
)

// readPassword takes the password from --password-file, or BIANMIN_PASSWORD,
// so that it never appears in the shell history or the process list.
func readPassword(file string) (string, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		return strings.TrimRight(string(b), "\r\n"), err
	}
	if p := os.Getenv("BIANMIN_PASSWORD"); p != "" {
		return p, nil
	}
	return "", fmt.Errorf("%w: give the password in --password-file or BIANMIN_PASSWORD", errUsage)
}

func userCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, db := newFlags("user create", stderr)
	name := fs.String("username", "", "sign-in name")
	display := fs.String("name", "", "the person's name, e.g. 王芳")
	role := fs.String("role", "", "handler, reviewer, approver, head or admin")
	dept := fs.String("department", "", "department code (e.g. mz); empty for an admin")
	pwFile := fs.String("password-file", "", "file holding the initial password (else env BIANMIN_PASSWORD)")
	if err := parse(fs, args); err != nil {
		return err
	}
	pw, err := readPassword(*pwFile)
	if err != nil {
		return err
	}
	return withServer(ctx, *db, nil, func(srv *server.Server, _ store.Store) error {
		u := store.User{Username: *name, Name: *display, Role: caseflow.Role(*role), Department: *dept}
		if err := srv.CreateUser(ctx, "cli", u, pw); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "user %s created\n", *name)
		return nil
	})
}

func userList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, db := newFlags("user list", stderr)
	if err := parse(fs, args); err != nil {
		return err
	}
	return withServer(ctx, *db, nil, func(_ *server.Server, st store.Store) error {
		users, err := st.Users(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "USERNAME\tNAME\tROLE\tDEPARTMENT\tDISABLED")
		for _, u := range users {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%v\n", u.Username, u.Name, u.Role, u.Department, u.Disabled)
		}
		return tw.Flush()
	})
}

// errAuditBroken is returned (exit 1) when the trail does not verify.
var errAuditBroken = errors.New("the audit trail does not verify")

func auditVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, db := newFlags("audit verify", stderr)
	if err := parse(fs, args); err != nil {
		return err
	}
	return withServer(ctx, *db, nil, func(_ *server.Server, st store.Store) error {
		var all []audit.Entry
		for after := int64(0); ; {
			page, err := st.AuditEntries(ctx, after, 5000)
			if err != nil {
				return err
			}
			if len(page) == 0 {
				break
			}
			all = append(all, page...)
			after = page[len(page)-1].Seq
		}
		if p := audit.Verify(all); p != nil {
			fmt.Fprintf(stdout, "FAIL: %v\n", p)
			return errAuditBroken
		}
		// Every applied change must be committed to by a Changes entry with
		// the same body hash: an edited or unaudited change is caught here.
		audited := map[string]string{}
		for _, e := range all {
			if e.Kind == audit.Changes {
				for _, l := range audit.ParseChangeDetail(e.Detail) {
					audited[l.ChangeID] = l.BodySHA256
				}
			}
		}
		changes, bad := 0, 0
		err := st.AuditedChanges(ctx, func(id uuid.UUID, sum string) error {
			changes++
			if want, ok := audited[id.String()]; !ok || want != sum {
				if bad == 0 {
					what := "edited after it was audited"
					if !ok {
						what = "never audited"
					}
					fmt.Fprintf(stdout, "FAIL: change %s was %s\n", id, what)
				}
				bad++
			}
			return nil
		})
		if err != nil {
			return err
		}
		if bad > 0 {
			return errAuditBroken
		}
		fmt.Fprintf(stdout, "OK: %d audit entries chained, %d case changes committed to\n", len(all), changes)
		return nil
	})
}

func reportCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, db := newFlags("report", stderr)
	month := fs.String("month", "", "a month, YYYY-MM (default: last month); or use --from and --to")
	from := fs.String("from", "", "first day, YYYY-MM-DD")
	to := fs.String("to", "", "last day, YYYY-MM-DD")
	by := fs.String("by", "station", "group by: station, department, matter, or total")
	csvOut := fs.String("csv", "", "write CSV here")
	xlsxOut := fs.String("xlsx", "", "write Excel (.xlsx) here")
	lang := fs.String("lang", "zh", "CSV headers: zh or en")
	if err := parse(fs, args); err != nil {
		return err
	}
	period, err := periodOf(*month, *from, *to, time.Now())
	if err != nil {
		return err
	}
	group := *by
	if group == "total" {
		group = ""
	}
	return withServer(ctx, *db, nil, func(srv *server.Server, st store.Store) error {
		res, err := srv.Report(ctx, report.Options{Period: period, By: group})
		if err != nil {
			return err
		}
		if err := report.WriteCSV(stdout, res, *lang); err != nil {
			return err
		}
		if *csvOut != "" {
			if err := writeFile(*csvOut, func(w io.Writer) error { return report.WriteCSV(w, res, *lang) }); err != nil {
				return err
			}
		}
		if *xlsxOut != "" {
			if err := writeFile(*xlsxOut, func(w io.Writer) error { return report.WriteXLSX(w, res) }); err != nil {
				return err
			}
		}
		return nil
	})
}

func periodOf(month, from, to string, now time.Time) (metrics.Period, error) {
	if from != "" || to != "" {
		f, err := workcal.ParseDate(from)
		if err != nil {
			return metrics.Period{}, err
		}
		t, err := workcal.ParseDate(to)
		if err != nil {
			return metrics.Period{}, err
		}
		return metrics.Period{From: f, To: t}, nil
	}
	if month == "" {
		d := workcal.DateOf(now)
		m := time.Date(d.Year, d.Month, 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0)
		return metrics.Month(m.Year(), m.Month()), nil
	}
	m, err := time.Parse("2006-01", month)
	if err != nil {
		return metrics.Period{}, fmt.Errorf("%w: --month %q: want YYYY-MM", errUsage, month)
	}
	return metrics.Month(m.Year(), m.Month()), nil
}

func writeFile(path string, fn func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := fn(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
