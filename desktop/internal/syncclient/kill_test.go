package syncclient_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/bianmin/bianmin/desktop/internal/store"
	"github.com/bianmin/bianmin/desktop/internal/syncclient"
)

// The station under test runs as a child process (this test binary,
// re-executed) so it can be killed with SIGKILL at any instant: during a
// local write, an upload, a push or a pull.
const (
	childEnv      = "BIANMIN_TEST_CHILD"       // "station" (work forever) or "final" (sync until clean, exit 0)
	childStoreEnv = "BIANMIN_TEST_CHILD_STORE" // the station's database file
	childSeedEnv  = "BIANMIN_TEST_CHILD_SEED"
)

func runChild(role string) int {
	ctx := context.Background()
	st, err := store.Open(os.Getenv(childStoreEnv))
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 3
	}
	// Batches of 2: a round of several goes by PushStream, which a kill
	// can cut part way.
	cl, err := syncclient.New(ctx, syncclient.Config{Store: st, MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond, BatchSize: 2})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 3
	}
	if role == "final" {
		for range 100 {
			if err := cl.SyncNow(ctx); err == nil && cl.Status().Pending == 0 {
				st.Close()
				return 0
			}
			time.Sleep(100 * time.Millisecond)
		}
		return 4
	}
	seed, _ := strconv.ParseUint(os.Getenv(childSeedEnv), 10, 64)
	k, err := newClerk(st, seed)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 3
	}
	k.scans = true
	// Distinct times per life, so intakes never look alike across restarts.
	k.now = k.now.Add(time.Duration(seed) * time.Hour)
	for {
		for range 1 + k.rnd.IntN(3) {
			if _, err := k.intake(ctx, dibao); err != nil {
				fmt.Fprintln(os.Stderr, "child intake:", err)
			}
		}
		_ = cl.SyncNow(ctx)
	}
}

func iterations(short, long int) int {
	if v, err := strconv.Atoi(os.Getenv("BIANMIN_PROOF_ITERATIONS")); err == nil && v > 0 {
		return v
	}
	if testing.Short() {
		return short
	}
	return long
}

// TestClientKilled kills the station process at random points, over and
// over, while another station keeps sending it work through central, then
// lets it finish cleanly and counts lost and duplicated cases both ways.
func TestClientKilled(t *testing.T) {
	c := startCentral(t)
	_, path := c.enroll(t, "XZ01", nil)
	// The parent must not hold the file open while the child writes it.
	sq, _ := c.enroll(t, "SQ01", nil)
	feeder := newClient(t, sq, nil)
	agent := mustClerk(t, sq, 11)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var fed []string
	wg.Add(1)
	go func() { // proxy cases for the township: work it must pull
		defer wg.Done()
		for ctx.Err() == nil {
			if pc, err := agent.intake(ctx, zhaijidi); err == nil {
				fed = append(fed, pc.ID.String())
			}
			_ = feeder.SyncNow(ctx)
			time.Sleep(50 * time.Millisecond)
		}
	}()

	n := iterations(6, 40)
	rnd := rand.New(rand.NewPCG(42, 42))
	for i := range n {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), childEnv+"=station", childStoreEnv+"="+path, childSeedEnv+"="+strconv.Itoa(i+1))
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(150+rnd.IntN(1500)) * time.Millisecond)
		cmd.Process.Kill() // SIGKILL: no cleanup of any kind
		cmd.Wait()
	}
	cancel()
	wg.Wait()
	if err := feeder.SyncNow(context.Background()); err != nil {
		t.Fatal(err)
	}

	final := exec.Command(os.Args[0], "-test.run=^$")
	final.Env = append(os.Environ(), childEnv+"=final", childStoreEnv+"="+path)
	if out, err := final.CombinedOutput(); err != nil {
		t.Fatalf("final sync: %v\n%s", err, out)
	}
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tl := compare(t, c, st)
	loc := localCases(t, st)
	missingFed := 0
	for _, id := range fed {
		if v, ok := loc[id]; !ok || v.Confirmed == nil {
			missingFed++
		}
	}
	report("client_kill9", "iterations", n, "local", tl.local, "central", tl.central, "lost", tl.lost, "duplicated", tl.duplicated,
		"pulled_from_central", len(fed), "pull_lost", missingFed)
	if tl.lost != 0 || tl.duplicated != 0 || missingFed != 0 {
		t.Fatalf("lost %d, duplicated %d, not pulled %d", tl.lost, tl.duplicated, missingFed)
	}
	if tl.local <= len(fed) {
		t.Fatalf("the station recorded no cases of its own (%d local, %d fed)", tl.local, len(fed))
	}
}

// TestServerKilled runs central with a fault that kills it (SIGKILL, from
// inside) after it has committed a push and before it answers, restarts it
// each time, and checks that the station ends with every case at central
// exactly once.
func TestServerKilled(t *testing.T) {
	c := startCentral(t, "BIANMIN_FAULT_KILL_AFTER_PUSH=0.5")
	st, _ := c.enroll(t, "XZ01", nil)
	cl := newClient(t, st, nil)
	k := mustClerk(t, st, 12)
	ctx := context.Background()
	addr := c.addr
	restarts := 0
	n := iterations(12, 60)
	for i := range n {
		if _, err := k.intake(ctx, dibao); err != nil {
			t.Fatal(err)
		}
		if i%2 == 1 {
			_ = cl.SyncNow(ctx)
		}
		if !c.alive() {
			restarts++
			c.start(addr)
		}
	}
	for deadline := time.Now().Add(2 * time.Minute); ; {
		err := cl.SyncNow(ctx)
		if !c.alive() {
			restarts++
			c.start(addr)
			continue
		}
		if err == nil && cl.Status().Pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("never synced: %v", err)
		}
	}
	tl := compare(t, c, st)
	report("server_kill9", "intakes", n, "server_kills", restarts, "local", tl.local, "central", tl.central, "lost", tl.lost, "duplicated", tl.duplicated)
	if restarts == 0 {
		t.Fatal("the server was never killed: the fault was not exercised")
	}
	if tl.local != n || tl.lost != 0 || tl.duplicated != 0 {
		t.Fatalf("%+v", tl)
	}
}
