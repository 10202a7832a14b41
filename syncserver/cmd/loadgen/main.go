// Command loadgen runs the sync benchmarks. Each measurement runs against a
// fresh central — a new SQLite file, the real Connect handler over loopback
// HTTP, stations enrolled through the Enroll RPC — and prints one line
//
//	BENCH <name> <value> <unit>
//
// plus context lines starting with "# ". Client and server share this
// process (and its CPUs).
//
//	go run ./syncserver/cmd/loadgen -only push_10k,sqlite_ceiling -runs 5
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bianmin/bianmin/syncserver/internal/server"
)

type metric struct {
	name  string
	value float64
	unit  string
}

type config struct {
	cases, stations, runs int
	keep                  bool
	cpuprofile            string
	profiles              int
}

// clock times one measured section and, with -cpuprofile, profiles it.
type clock struct {
	start time.Time
	prof  *os.File
}

func (cfg *config) startClock(name string) *clock {
	c := &clock{}
	if cfg.cpuprofile != "" {
		cfg.profiles++
		path := fmt.Sprintf("%s.%s.%d", cfg.cpuprofile, name, cfg.profiles)
		f, err := os.Create(path)
		if err == nil {
			if err = pprof.StartCPUProfile(f); err != nil {
				f.Close()
			}
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadgen: cpu profile:", err)
		} else {
			c.prof = f
			fmt.Printf("# cpu profile of the timed section: %s\n", path)
		}
	}
	c.start = time.Now()
	return c
}

func (c *clock) stop() time.Duration {
	d := time.Since(c.start)
	if c.prof != nil {
		pprof.StopCPUProfile()
		c.prof.Close()
	}
	return d
}

// measurement is one benchmark. set is the push_10k workload, built once
// before any clock starts and shared by push_10k and sqlite_ceiling.
type measurement struct {
	name  string
	runs  int // repetitions unless -runs says otherwise
	about func(*config) string
	run   func(ctx context.Context, cfg *config, set *pushSet) ([]metric, error)
}

var measurements = []measurement{
	{"push_10k", 5, func(c *config) string {
		return fmt.Sprintf("one township pushes %d new cases as its sync client sends a long outbox: batches of 1000, up to 16 per PushStream call, one call after another, gzip-compressed; the clock covers the pushes only", c.cases)
	}, pushCases},
	{"push_10k_uncompressed", 3, func(c *config) string {
		return fmt.Sprintf("push_10k without compression: the %d cases in the same calls as plain protobuf (on loopback client and server share the cores, so this shows what gzip costs here)", c.cases)
	}, pushCasesPlain},
	{"push_300_stations", 1, func(c *config) string {
		return fmt.Sprintf("%d townships, one device each, push 50 cases in 5 pushes of 10, all released at once; latency is per Push call", c.stations)
	}, pushStations},
	{"pull_50k", 1, func(*config) string {
		return "a township pulls 50,000 feed entries (25,000 proxy cases from its community, received and accepted) from cursor 0 with limit 5000, decoding every entry and case"
	}, pullFeed},
	{"attach_200x500k", 1, func(*config) string {
		return "one station uploads 200 random 500,000-byte blobs in 262,144-byte chunks, one at a time; MB = 10^6 bytes; requests and hashes built before the clock"
	}, attachments},
	{"sqlite_ceiling", 5, func(c *config) string {
		return fmt.Sprintf("plain INSERTs of push_10k's %d rows (case id, stored case document, change protobuf) into one table, 500 per transaction, prepared, one connection, %s",
			c.cases, strings.Join(ceilingPragmas, ", "))
	}, sqliteCeiling},
	{"store_save", 3, func(c *config) string {
		return fmt.Sprintf("push_10k's %d cases saved through central's SQLite store (SaveApplied: change row, case row, department row and their indexes), 1000 per transaction, no network and no state machine", c.cases)
	}, storeSave},
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func run() error {
	server.TuneGC() // central's settings, as syncserver serve runs with
	var names []string
	for _, m := range measurements {
		names = append(names, m.name)
	}
	cfg := &config{}
	only := flag.String("only", "", "comma-separated measurements to run (default all): "+strings.Join(names, ","))
	flag.IntVar(&cfg.cases, "cases", 10_000, "cases push_10k pushes and sqlite_ceiling inserts")
	flag.IntVar(&cfg.stations, "stations", 300, "stations of push_300_stations")
	flag.IntVar(&cfg.runs, "runs", 0, "run each measurement N times, each on a fresh server, and report the median\n(default 5 for push_10k and sqlite_ceiling, 3 for push_10k_uncompressed and store_save, 1 for the heavier ones)")
	flag.BoolVar(&cfg.keep, "keep", false, "keep the temp dirs with the databases")
	flag.StringVar(&cfg.cpuprofile, "cpuprofile", "", "write a CPU profile of each timed section (client and server together) to `file`.<name>.<n>")
	flag.Parse()
	if flag.NArg() > 0 || cfg.cases < 1 || cfg.stations < 1 || cfg.runs < 0 {
		flag.Usage()
		return errors.New("bad arguments")
	}
	selected := map[string]bool{}
	for n := range strings.SplitSeq(*only, ",") {
		if n = strings.TrimSpace(n); n == "" {
			continue
		}
		if !slices.Contains(names, n) {
			return fmt.Errorf("-only: no measurement %q (have %s)", n, strings.Join(names, ", "))
		}
		selected[n] = true
	}
	want := func(name string) bool { return len(selected) == 0 || selected[name] }

	gc := debug.SetGCPercent(100)
	debug.SetGCPercent(gc)
	fmt.Printf("# %s %s/%s, %d CPUs, GOMAXPROCS %d, GOGC %d, load average %s\n",
		runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.GOMAXPROCS(0), gc, loadavg())
	if cfg.runs == 0 {
		fmt.Println("# runs: push_10k and sqlite_ceiling 5 each, push_10k_uncompressed and store_save 3 each (median reported), the heavier measurements 1 each; -runs N sets every one to N")
	}
	var set *pushSet
	if want("push_10k") || want("push_10k_uncompressed") || want("sqlite_ceiling") || want("store_save") {
		var err error
		if set, err = newPushSet(township, cfg.cases); err != nil {
			return err
		}
	}
	ctx := context.Background()
	medians := map[string]float64{}
	runsOf := map[string][][]metric{} // each measurement's results, run by run
	// push_10k and sqlite_ceiling run in turn, so that each ratio of the two
	// compares runs made within a second of each other: on a shared
	// machine, runs minutes apart can differ by a fifth.
	paired := want("push_10k") && want("sqlite_ceiling")
	for _, m := range measurements {
		if !want(m.name) || (paired && m.name == "sqlite_ceiling") {
			continue
		}
		group := []measurement{m}
		if paired && m.name == "push_10k" {
			group = append(group, measurements[slices.IndexFunc(measurements, func(m measurement) bool { return m.name == "sqlite_ceiling" })])
		}
		runs := m.runs
		if cfg.runs > 0 {
			runs = cfg.runs
		}
		for _, g := range group {
			fmt.Printf("# %s: %s\n", g.name, g.about(cfg))
		}
		if len(group) > 1 {
			fmt.Printf("# %s and %s run in turn, %d times\n", group[0].name, group[1].name, runs)
		}
		for range runs {
			for _, g := range group {
				r, err := g.run(ctx, cfg, set)
				if err != nil {
					return fmt.Errorf("%s: %w", g.name, err)
				}
				runsOf[g.name] = append(runsOf[g.name], r)
			}
		}
		for _, g := range group {
			results := runsOf[g.name]
			for i, first := range results[0] {
				var vals []string
				var xs []float64
				for _, r := range results {
					xs = append(xs, r[i].value)
					vals = append(vals, format(r[i].value))
				}
				med := median(xs)
				medians[first.name] = med
				fmt.Printf("# %s: %d run(s), each on a fresh database: %s %s\n", first.name, runs, strings.Join(vals, " "), first.unit)
				fmt.Printf("BENCH %s %s %s\n", first.name, format(med), first.unit)
			}
		}
	}
	if paired {
		var ratios []float64
		var vals []string
		for i, p := range runsOf["push_10k"] {
			r := p[0].value / runsOf["sqlite_ceiling"][i][0].value
			ratios = append(ratios, r)
			vals = append(vals, strconv.FormatFloat(r, 'f', 3, 64))
		}
		fmt.Printf("# push_vs_ceiling: push_10k cases/s over sqlite_ceiling rows/s, run by run: %s; the median\n", strings.Join(vals, " "))
		fmt.Printf("BENCH push_vs_ceiling %.3f x\n", median(ratios))
	}
	if push, ok := medians["push_10k"]; ok {
		if floor, ok := medians["store_save"]; ok {
			fmt.Println("# push_vs_store: push_10k over store_save (medians): the share of the store's own write speed a push keeps")
			fmt.Printf("BENCH push_vs_store %.3f x\n", push/floor)
		}
	}
	fmt.Printf("# load average %s\n", loadavg())
	return nil
}

func median(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func format(v float64) string {
	switch {
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	default:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
}

// loadavg is the 1, 5 and 15 minute load averages, where the OS says.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "unknown"
}
