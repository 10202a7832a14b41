package server

import (
	"strings"
	"testing"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/casefile"
	syncv1 "github.com/bianmin/bianmin/shared/gen/bianmin/sync/v1"
	"github.com/google/uuid"
)

// A panic in one of parallel's workers comes back in the caller's
// goroutine (where net/http recovers it), after every worker stopped; a
// worker's own panic would end the process.
func TestParallelRaisesAWorkersPanicInTheCaller(t *testing.T) {
	done := make([]bool, 500)
	defer func() {
		r := recover()
		if r != "boom" {
			t.Fatalf("recovered %v, want the worker's panic", r)
		}
		for i, ok := range done[:len(done)-1] {
			if !ok {
				t.Fatalf("parallel returned before item %d was done", i)
			}
		}
	}()
	parallel(len(done), func(i int) {
		if i == len(done)-1 { // the last item: every other one is done first
			panic("boom")
		}
		done[i] = true
	})
	t.Fatal("parallel did not panic")
}

// A panic while deciding a push (a bug the fuzzing missed) becomes the
// batch's error for the writer, which rolls the transaction back; it does
// not escape the deciding goroutine.
func TestDecidingPanicBecomesTheBatchError(t *testing.T) {
	good := &casefile.Change{ID: uuid.New(), CaseID: uuid.New()}
	refused := bmerr.New(bmerr.Invalid, "test_refused", "测试拒收。", "refused by the test.")
	b := &batch{
		items:   []pushItem{{change: good, bad: refused}, {change: nil}}, // the nil change panics
		results: make([]*syncv1.PushResult, 2),
		cases:   map[uuid.UUID]*casefile.Case{}, first: map[uuid.UUID]int{}, deferredCase: map[uuid.UUID]bool{},
	}
	out, quit := make(chan decision, 4), make(chan struct{})
	b.decideAll(out, quit)
	var got []decision
	for d := range out {
		got = append(got, d)
	}
	if len(got) != 2 || got[0].rej == nil || got[1].err == nil || got[1].i != 1 ||
		!strings.Contains(got[1].err.Error(), "deciding change 1 of a push: panic") {
		t.Fatalf("decisions %+v", got)
	}
}
