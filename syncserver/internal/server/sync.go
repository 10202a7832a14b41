package server

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"connectrpc.com/connect"
	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
	syncv1 "github.com/bianmin/bianmin/shared/gen/bianmin/sync/v1"
	"github.com/bianmin/bianmin/shared/gen/bianmin/sync/v1/syncv1connect"
	"github.com/bianmin/bianmin/shared/syncapi"
	"github.com/bianmin/bianmin/shared/wire"
	"github.com/bianmin/bianmin/syncserver/internal/audit"
	"github.com/bianmin/bianmin/syncserver/internal/store"
	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// syncService serves SyncService. Push and PushStream take a pushBatch, not
// the generated PushRequest, so Handler mounts them itself; the embedded
// Unimplemented methods stand in for them in the generated handler, which
// never reaches them.
type syncService struct {
	*Server
	syncv1connect.UnimplementedSyncServiceHandler
}

// syncHandler is syncv1connect.NewSyncServiceHandler with Push and
// PushStream taking a pushBatch.
func (s *Server) syncHandler(opts ...connect.HandlerOption) (string, http.Handler) {
	svc := &syncService{Server: s}
	path, generated := syncv1connect.NewSyncServiceHandler(svc, opts...)
	methods := syncv1.File_bianmin_sync_v1_sync_proto.Services().ByName("SyncService").Methods()
	push := connect.NewUnaryHandler(syncv1connect.SyncServicePushProcedure, svc.push,
		connect.WithSchema(methods.ByName("Push")), connect.WithHandlerOptions(opts...))
	pushStream := connect.NewClientStreamHandler(syncv1connect.SyncServicePushStreamProcedure, svc.pushStream,
		connect.WithSchema(methods.ByName("PushStream")), connect.WithHandlerOptions(opts...))
	return path, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case syncv1connect.SyncServicePushProcedure:
			push.ServeHTTP(w, r)
		case syncv1connect.SyncServicePushStreamProcedure:
			pushStream.ServeHTTP(w, r)
		default:
			generated.ServeHTTP(w, r)
		}
	})
}

// pushItem is one change of a push on its way through.
type pushItem struct {
	wire   *syncv1.Change
	change *casefile.Change
	body   []byte
	bad    error            // refused before reaching the state machine
	line   audit.ChangeLine // its line in the push's audit entry, should it apply (unless bad)
}

// push serves Push: it applies each change exactly once. The outcome of every
// change, applied or rejected, is recorded under its id in the same
// transaction as its effect, so a repeated push answers the original outcome.
func (s *syncService) push(ctx context.Context, req *connect.Request[pushBatch]) (*connect.Response[syncv1.PushResponse], error) {
	st := callerFrom(ctx).station
	items, err := s.receive(st, req.Msg)
	if err != nil {
		return nil, err
	}
	resp, err := s.apply(ctx, st, items, req.Msg.msg.GetClientTime())
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(resp), nil
}

// pushStream serves PushStream: it applies a stream of batches as push
// applies one, in order, one transaction per batch. The stream is read on
// this goroutine and each batch decoded and prepared here while the one
// before it is applied on another, so that with one batch waiting between
// them, receiving overlaps writing. The first failure, a batch's or the
// stream's, ends the call; the batches before it stay applied, as if pushed
// one by one.
func (s *syncService) pushStream(ctx context.Context, stream *connect.ClientStream[pushStreamBatch]) (*connect.Response[syncv1.PushStreamResponse], error) {
	st := callerFrom(ctx).station
	type batch struct {
		items      []pushItem
		clientTime *timestamppb.Timestamp
	}
	queue := make(chan batch, 1)
	done := make(chan struct{})
	var failed atomic.Bool
	var applyErr error // the applying goroutine's, read once done is closed
	resp := &syncv1.PushResponse{}
	go func() {
		defer close(done)
		defer func() {
			// A panic here would take central down: it becomes the call's
			// error, as net/http makes a handler's panic.
			if r := recover(); r != nil {
				applyErr = fmt.Errorf("server: applying a pushed batch: panic: %v\n%s", r, debug.Stack())
				failed.Store(true)
				for range queue {
				}
			}
		}()
		for b := range queue {
			if failed.Load() {
				continue
			}
			r, err := s.apply(ctx, st, b.items, b.clientTime)
			if err != nil {
				applyErr = err
				failed.Store(true)
				continue
			}
			resp.Results = append(resp.Results, r.Results...)
			resp.ServerTime, resp.ClockSkewSeconds = r.ServerTime, r.ClockSkewSeconds
		}
	}()
	var err error
	n := 0
	for !failed.Load() && stream.Receive() {
		if n++; n > syncapi.MaxStreamBatches {
			err = bmerr.Newf(bmerr.Invalid, "stream_too_long", "一次最多连续上传 %d 批变更。", "a push stream carries at most %d batches.", syncapi.MaxStreamBatches)
			break
		}
		msg := &stream.Msg().pushBatch
		var items []pushItem
		if items, err = s.receive(st, msg); err != nil {
			break
		}
		queue <- batch{items, msg.msg.GetClientTime()}
	}
	close(queue)
	<-done
	switch {
	case applyErr != nil: // an earlier batch than any receive error
		return nil, applyErr
	case err != nil:
		return nil, err
	case stream.Err() != nil:
		return nil, stream.Err()
	case n == 0:
		return nil, bmerr.New(bmerr.Invalid, "empty_push", "没有要上传的变更。", "the push carries no changes.")
	}
	return connect.NewResponse(&syncv1.PushStreamResponse{Result: resp}), nil
}

// receive checks a batch's shape and prepares its changes.
func (s *syncService) receive(st store.Station, b *pushBatch) ([]pushItem, error) {
	msg := &b.msg
	if len(msg.Changes) == 0 {
		return nil, bmerr.New(bmerr.Invalid, "empty_push", "没有要上传的变更。", "the push carries no changes.")
	}
	if len(msg.Changes) > syncapi.MaxPushBatch {
		return nil, bmerr.Newf(bmerr.Invalid, "push_too_large", "一次最多上传 %d 条变更。", "a push carries at most %d changes.", syncapi.MaxPushBatch)
	}
	for i, w := range msg.Changes {
		if _, err := uuid.Parse(w.GetId()); err != nil {
			return nil, bmerr.Newf(bmerr.Invalid, "change_id", "第 %d 条变更没有有效编号。", "change %d has no valid id.", i+1)
		}
	}
	raw := b.raw
	if len(raw) != len(msg.Changes) {
		raw = nil // encode them again
	}
	return s.prepare(st, msg.Changes, raw)
}

// apply applies a prepared batch in one transaction and says what became of
// each change.
func (s *syncService) apply(ctx context.Context, st store.Station, items []pushItem, clientTime *timestamppb.Timestamp) (*syncv1.PushResponse, error) {
	env, err := s.Env(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	results := make([]*syncv1.PushResult, len(items))
	var touched []string
	var lines []audit.ChangeLine
	err = s.store.Update(ctx, func(tx store.Tx) error {
		touched, lines = touched[:0], lines[:0]
		if err := s.applyBatch(tx, st, env, items, results, now, &touched, &lines); err != nil {
			return err
		}
		if len(lines) == 0 {
			return nil
		}
		// One audit entry per push commits to every change it applied.
		return tx.Audit(audit.Entry{At: now, Actor: "station:" + st.Code, Kind: audit.Changes,
			Subject: fmt.Sprintf("push of %d changes", len(lines)), Detail: audit.ChangeDetail(lines)})
	})
	if err != nil {
		return nil, err
	}
	if s.after != nil {
		s.after()
	}
	s.notify.notify(touched...)
	resp := &syncv1.PushResponse{Results: results, ServerTime: timestamppb.New(now)}
	if clientTime != nil {
		skew := clientTime.AsTime().Sub(now)
		if math.Abs(skew.Seconds()) > syncapi.ClockSkewSeconds {
			resp.ClockSkewSeconds = int64(skew.Seconds())
			s.log.Warn("station clock skew", "station", st.Code, "skew", skew.Round(time.Second).String())
		}
	}
	return resp, nil
}

// prepare converts and authorizes each change of a push, takes its body
// (the bytes as sent, or encoded again when the codec kept none) and makes
// its audit line. The changes are independent, so the work is spread over
// the machine's cores before the single-writer transaction starts.
func (s *syncService) prepare(st store.Station, ws []*syncv1.Change, raw [][]byte) ([]pushItem, error) {
	items := make([]pushItem, len(ws))
	errs := make([]error, len(ws))
	parallel(len(ws), func(i int) {
		w := ws[i]
		items[i].wire = w
		ch, err := wire.ChangeFromWire(w)
		if err != nil {
			items[i].bad = err
			items[i].change = &casefile.Change{ID: uuid.MustParse(w.GetId())}
			if id, err := uuid.Parse(w.GetCaseId()); err == nil {
				items[i].change.CaseID = id
			}
		} else {
			items[i].change = ch
			items[i].bad = s.authorize(st, ch)
		}
		if raw != nil {
			items[i].body = raw[i]
		} else {
			items[i].body, errs[i] = proto.Marshal(w)
		}
		if items[i].bad == nil && errs[i] == nil {
			items[i].line = *changeLine(ch, items[i].body)
		}
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return items, nil
}

// parallel runs fn(0..n-1) in contiguous chunks on up to GOMAXPROCS
// goroutines; small batches run inline. A panic in fn is raised again in
// the caller's goroutine once every worker has stopped, where net/http
// recovers it as it would any handler's: a worker's own panic would take
// the whole server down.
func parallel(n int, fn func(i int)) {
	workers := runtime.GOMAXPROCS(0)
	if n < 64 || workers < 2 {
		for i := range n {
			fn(i)
		}
		return
	}
	var wg sync.WaitGroup
	var once sync.Once
	var panicked any
	chunk := (n + workers - 1) / workers
	for start := 0; start < n; start += chunk {
		end := min(start+chunk, n)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if r := recover(); r != nil {
					once.Do(func() { panicked = r })
				}
			}()
			for i := start; i < end; i++ {
				fn(i)
			}
		}()
	}
	wg.Wait()
	if panicked != nil {
		panic(panicked)
	}
}

func (s *syncService) applyBatch(tx store.Tx, st store.Station, env *catalogEnv, items []pushItem, results []*syncv1.PushResult, now time.Time, touched *[]string, lines *[]audit.ChangeLine) error {
	ids := make([]uuid.UUID, len(items))
	for i, it := range items {
		ids[i] = it.change.ID
	}
	seen, err := tx.Outcomes(ids)
	if err != nil {
		return err
	}
	var caseIDs []uuid.UUID
	var shas []string
	for _, it := range items {
		if _, ok := seen[it.change.ID]; ok || it.bad != nil {
			continue
		}
		caseIDs = append(caseIDs, it.change.CaseID)
		shas = append(shas, attachmentsOf(it.change)...)
	}
	cases, err := tx.LoadCases(caseIDs)
	if err != nil {
		return err
	}
	held, err := tx.BlobsComplete(shas)
	if err != nil {
		return err
	}
	b := &batch{items: items, results: results, seen: seen, held: held, cases: cases,
		first: map[uuid.UUID]int{}, deferredCase: map[uuid.UUID]bool{}, st: st, env: env}
	w := writer{s: s, tx: tx, b: b, now: now, touched: touched, lines: lines}

	// A goroutine decides the changes in order against the cases in memory
	// (Apply is pure) and encodes the documents; this one writes them in
	// order, so deciding the next change overlaps writing this one. A change
	// whose workflow moves on by itself (follow-ups, which write as they go)
	// or that opens a rectification ends the goroutine's run: it and the
	// rest of the batch are decided and written here, one by one.
	decisions, quit := make(chan decision, 64), make(chan struct{})
	go b.decideAll(decisions, quit)
	rest := len(items) // where the one-by-one part starts
	for d := range decisions {
		if err := w.write(d); err != nil {
			close(quit)
			for range decisions { // wait for the goroutine to let go of the batch
			}
			return err
		}
		if d.more {
			rest = d.i + 1
		}
	}
	for i := rest; i < len(items); i++ {
		d, settled := b.decide(i)
		if settled {
			continue
		}
		if err := w.write(d); err != nil {
			return err
		}
	}
	return nil
}

// batch is a push batch being decided. Until the deciding goroutine closes
// its channel only it touches cases, first and deferredCase, and the results
// of changes settled without a write; the writer fills in the others.
type batch struct {
	items   []pushItem
	results []*syncv1.PushResult
	seen    map[uuid.UUID]store.Outcome // recorded before this push
	held    map[string]bool             // attachments central holds whole
	cases   map[uuid.UUID]*casefile.Case
	first   map[uuid.UUID]int // change id → index of its first decided occurrence
	// A case with a deferred change defers its later changes too: applying
	// them without the earlier one would reject them for good.
	deferredCase map[uuid.UUID]bool
	st           store.Station
	env          *catalogEnv
}

// decision is what to write for one change of a batch.
type decision struct {
	i      int
	repeat bool           // the same change as items[first] earlier in the batch
	first  int            // (repeat)
	c      *casefile.Case // applied: the case after the change
	more   bool           // applied, with follow-ups or a rectification to open
	doc    *store.CaseDoc // c's document, if encoded ahead of the write
	rej    *bmerr.Error   // rejected
	err    error          // infrastructure failure: roll back the whole batch
}

// decideAll decides the batch's changes in order and sends what to write,
// up to and including the first change with more to do, or up to the first
// infrastructure failure. Changes settled without a write are not sent.
func (b *batch) decideAll(out chan<- decision, quit <-chan struct{}) {
	defer close(out)
	i := 0
	// A panic here (a bug the state machine's fuzzing missed) must not take
	// central down: it becomes the batch's failure, and the writer rolls
	// the transaction back.
	defer func() {
		if r := recover(); r != nil {
			err := fmt.Errorf("server: deciding change %d of a push: panic: %v\n%s", i, r, debug.Stack())
			select {
			case out <- decision{i: i, err: err}:
			case <-quit:
			}
		}
	}()
	var enc store.Encoder // its own: the store's is the writer's
	for ; i < len(b.items); i++ {
		d, settled := b.decide(i)
		if settled {
			continue
		}
		if d.c != nil && !d.more {
			var doc store.CaseDoc
			if doc, d.err = enc.Encode(d.c); d.err == nil {
				doc.Rest = slices.Clone(doc.Rest) // enc's buffer
				d.doc = &doc
			}
		}
		select {
		case out <- d:
		case <-quit:
			return
		}
		if d.err != nil || d.more {
			return
		}
	}
}

// decide decides items[i] against the batch's cases. settled reports a
// change whose result needs no write (recorded before, or deferred);
// otherwise d says what to write. An applied change moves b.cases on.
func (b *batch) decide(i int) (d decision, settled bool) {
	it := b.items[i]
	id := it.change.ID
	if o, ok := b.seen[id]; ok {
		b.results[i] = alreadyApplied(o)
		return d, true
	}
	if j, ok := b.first[id]; ok { // the same change twice in one batch
		return decision{i: i, repeat: true, first: j}, false
	}
	if it.bad == nil && (b.deferredCase[it.change.CaseID] || len(missingBlobs(it.change, b.held)) > 0) {
		b.deferredCase[it.change.CaseID] = true
		b.results[i] = &syncv1.PushResult{ChangeId: id.String(), Outcome: syncv1.PushResult_OUTCOME_DEFERRED,
			Reason: "attachment_pending", Code: "unavailable",
			MessageZh: "附件尚未上传完毕（或同一案件的前一条变更在等待附件），稍后自动重试。",
			MessageEn: "attachments are still uploading (or an earlier change of this case waits for them); will retry."}
		return d, true
	}
	var next casefile.Case // Apply works on a copy: a rejected change leaves the cached case as it was
	if cur := b.cases[it.change.CaseID]; cur != nil {
		next = *cur
	}
	err := it.bad
	if err == nil {
		err = casefile.Apply(&next, it.change, casefile.Env{Catalog: b.env.catalog, Calendar: b.env.calendar})
	}
	if err == nil {
		err = checkParties(&next, b.st)
	}
	if err != nil {
		e := bmerr.As(err)
		if e == nil {
			return decision{i: i, err: err}, false
		}
		b.first[id] = i
		return decision{i: i, rej: e}, false
	}
	b.first[id] = i
	b.cases[next.ID] = &next
	return decision{i: i, c: &next, more: len(next.FollowUps()) > 0 || opensRectification(&next, it.change)}, false
}

// writer records a batch's decisions in the push's transaction.
type writer struct {
	s       *syncService
	tx      store.Tx
	b       *batch
	now     time.Time
	touched *[]string
	lines   *[]audit.ChangeLine
}

func (w *writer) write(d decision) error {
	it, results := w.b.items[d.i], w.b.results
	id := it.change.ID
	switch {
	case d.err != nil:
		return d.err
	case d.repeat:
		prev := results[d.first]
		results[d.i] = proto.Clone(prev).(*syncv1.PushResult)
		results[d.i].OriginalOutcome, results[d.i].Outcome = prev.Outcome, syncv1.PushResult_OUTCOME_ALREADY_APPLIED
		return nil
	case d.rej != nil:
		e := d.rej
		if err := w.tx.SaveRejected(store.Rejected{ChangeID: id, CaseID: it.change.CaseID, Station: w.b.st.Code,
			Code: string(e.Code), Reason: e.Reason, MessageZh: e.Zh, MessageEn: e.En, Body: it.body, ReceivedAt: w.now}); err != nil {
			return err
		}
		results[d.i] = rejected(id, e)
		return nil
	}
	c := d.c
	seq, err := w.tx.SaveApplied(c, store.Applied{Change: it.change, Body: it.body, Station: w.b.st.Code, ReceivedAt: w.now, Doc: d.doc})
	if err != nil {
		return err
	}
	results[d.i] = &syncv1.PushResult{ChangeId: id.String(), Outcome: syncv1.PushResult_OUTCOME_APPLIED, CaseVersion: c.Version, ServerSeq: seq}
	*w.lines = append(*w.lines, it.line)
	if d.more {
		more, err := w.s.followUps(w.tx, c, id, w.b.env, w.now) // moves c (the batch's case) on in place
		if err != nil {
			return err
		}
		*w.lines = append(*w.lines, more...)
		if err := w.s.openRectification(w.tx, c, it.change); err != nil {
			return err
		}
	}
	*w.touched = append(*w.touched, c.Parties()...)
	return nil
}

// authorize checks that a change really comes from the pushing station: a
// station may not act in another station's name, at another level, or as
// central.
func (s *syncService) authorize(st store.Station, ch *casefile.Change) error {
	if ch.Actor.Station != st.Code {
		return bmerr.Newf(bmerr.PermissionDenied, "foreign_station",
			"变更记录署名站点 %s，与本机所属站点 %s 不符，已拒收。", "the change is signed by station %s, but this device belongs to %s.",
			ch.Actor.Station, st.Code)
	}
	if ch.Actor.Level != st.Level {
		return bmerr.Newf(bmerr.PermissionDenied, "wrong_level",
			"变更记录的层级（%s）与站点层级（%s）不符。", "the change claims level %s but the station is %s.",
			caseflow.LevelLabel(ch.Actor.Level, "zh"), caseflow.LevelLabel(st.Level, "zh"))
	}
	if ch.Actor.Role == caseflow.System || ch.Actor.Role == caseflow.Admin {
		return bmerr.New(bmerr.PermissionDenied, "role_not_allowed", "站点不能以系统或管理员身份操作案件。", "a station cannot act as system or admin.")
	}
	return nil
}

// checkParties checks central-only facts Apply cannot know: a proxy case is
// forwarded to the agent's own township.
func checkParties(c *casefile.Case, st store.Station) error {
	if c.Version == 1 && c.HandlingStation != c.OriginStation {
		if st.Level != catalog.Community || c.HandlingStation != st.Parent {
			return bmerr.Newf(bmerr.PermissionDenied, "proxy_route",
				"代办案件只能转交本站所属乡镇（%s），不能转交 %s。", "a proxy case can only be forwarded to this station's township (%s), not %s.",
				st.Parent, c.HandlingStation)
		}
	}
	return nil
}

func attachmentsOf(ch *casefile.Change) []string {
	var out []string
	add := func(recs []casefile.MaterialRecord) {
		for _, r := range recs {
			for _, a := range r.Attachments {
				out = append(out, a.SHA256)
			}
		}
	}
	if ch.Intake != nil {
		add(ch.Intake.Materials)
	}
	add(ch.Materials)
	return out
}

func missingBlobs(ch *casefile.Change, held map[string]bool) []string {
	var out []string
	for _, sha := range attachmentsOf(ch) {
		if !held[sha] && !slices.Contains(out, sha) {
			out = append(out, sha)
		}
	}
	return out
}

func alreadyApplied(o store.Outcome) *syncv1.PushResult {
	r := &syncv1.PushResult{ChangeId: o.ChangeID.String(), Outcome: syncv1.PushResult_OUTCOME_ALREADY_APPLIED,
		CaseVersion: o.CaseVersion, ServerSeq: o.Seq}
	if o.Applied {
		r.OriginalOutcome = syncv1.PushResult_OUTCOME_APPLIED
	} else {
		r.OriginalOutcome = syncv1.PushResult_OUTCOME_REJECTED
		r.Reason, r.Code, r.MessageZh, r.MessageEn = o.Reason, CodeName(bmerr.Code(o.Code)), o.MessageZh, o.MessageEn
	}
	return r
}

func rejected(id uuid.UUID, e *bmerr.Error) *syncv1.PushResult {
	return &syncv1.PushResult{ChangeId: id.String(), Outcome: syncv1.PushResult_OUTCOME_REJECTED,
		Reason: e.Reason, Code: CodeName(e.Code), MessageZh: e.Zh, MessageEn: e.En}
}

// CodeName is the Connect code name of a domain code, as sent in push results.
func CodeName(c bmerr.Code) string { return syncapi.ConnectCode(c).String() }

// Pull returns the station's feed after the cursor, waiting for news when asked.
func (s *syncService) Pull(ctx context.Context, req *connect.Request[syncv1.PullRequest]) (*connect.Response[syncv1.PullResponse], error) {
	who := callerFrom(ctx)
	msg := req.Msg
	if msg.Cursor < 0 || msg.Limit < 0 || msg.WaitMs < 0 {
		return nil, bmerr.New(bmerr.Invalid, "pull_args", "游标、条数和等待时间不能为负数。", "cursor, limit and wait must not be negative.")
	}
	limit := int(msg.Limit)
	if limit == 0 {
		limit = syncapi.DefaultPullLimit
	}
	limit = min(limit, syncapi.MaxPullLimit)
	wait := time.Duration(min(msg.WaitMs, syncapi.MaxPullWaitMillis)) * time.Millisecond
	deadline := time.Now().Add(wait)

	var entries []store.FeedEntry
	for {
		woken := s.notify.wait(who.station.Code)
		var err error
		entries, err = s.store.Feed(ctx, who.station.Code, msg.Cursor, limit+1)
		if err != nil {
			return nil, err
		}
		left := time.Until(deadline)
		if len(entries) > 0 || left <= 0 {
			break
		}
		t := time.NewTimer(min(left, s.poll))
		select {
		case <-woken:
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, connect.NewError(connect.CodeCanceled, ctx.Err())
		}
		t.Stop()
	}
	more := len(entries) > limit
	if more {
		entries = entries[:limit]
	}
	resp := &syncv1.PullResponse{NextCursor: msg.Cursor, More: more, ServerTime: timestamppb.New(s.now())}
	var ids []uuid.UUID
	seenCase := map[uuid.UUID]bool{}
	for _, e := range entries {
		w := &syncv1.Change{}
		if err := proto.Unmarshal(e.Body, w); err != nil {
			return nil, fmt.Errorf("pull: change %s: %w", e.ChangeID, err)
		}
		resp.Entries = append(resp.Entries, &syncv1.FeedEntry{Seq: e.Seq, Change: w, AppliedAt: timestamppb.New(e.AppliedAt), CaseVersion: e.CaseVersion})
		resp.NextCursor = e.Seq
		if !seenCase[e.CaseID] {
			seenCase[e.CaseID] = true
			ids = append(ids, e.CaseID)
		}
	}
	cases, err := s.store.Cases(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, c := range cases {
		resp.Cases = append(resp.Cases, wire.CaseToWire(c))
	}
	if cur, err := s.store.CurrentCatalog(ctx); err == nil {
		resp.CatalogVersion = int32(cur.Version)
	}
	return connect.NewResponse(resp), nil
}

// Digest summarises the station's cases for the station to compare.
func (s *syncService) Digest(ctx context.Context, req *connect.Request[syncv1.DigestRequest]) (*connect.Response[syncv1.DigestResponse], error) {
	who := callerFrom(ctx)
	vs, err := s.store.PartyVersions(ctx, who.station.Code)
	if err != nil {
		return nil, err
	}
	lines := make([]syncapi.VersionLine, len(vs))
	for i, v := range vs {
		lines[i] = syncapi.VersionLine{ID: v.ID.String(), Version: v.Version}
	}
	// Read the feed after the versions: anything that landed in between shows
	// up here and tells the station to pull before comparing.
	after, err := s.store.Feed(ctx, who.station.Code, req.Msg.Cursor, 1)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&syncv1.DigestResponse{Digest: syncapi.Digest(lines), CaseCount: int64(len(vs)), Behind: len(after) > 0}), nil
}

// Snapshot pages through the station's cases for a full resync. The page
// token carries the feed position taken before the first page, so changes
// made while paging are pulled afterwards.
func (s *syncService) Snapshot(ctx context.Context, req *connect.Request[syncv1.SnapshotRequest]) (*connect.Response[syncv1.SnapshotResponse], error) {
	who := callerFrom(ctx)
	size := int(req.Msg.PageSize)
	if size <= 0 || size > 1000 {
		size = 500
	}
	var cursor int64
	after := uuid.Nil
	if tok := req.Msg.PageToken; tok != "" {
		c, id, ok := strings.Cut(tok, "/")
		var err error
		if ok {
			_, err = fmt.Sscan(c, &cursor)
			if err == nil {
				after, err = uuid.Parse(id)
			}
		}
		if !ok || err != nil || cursor < 0 {
			return nil, bmerr.New(bmerr.Invalid, "page_token", "分页标记无效，请从头重新同步。", "the page token is not valid; restart the resync.")
		}
	} else {
		var err error
		if cursor, err = s.store.LastSeq(ctx); err != nil {
			return nil, err
		}
	}
	cases, err := s.store.PartyCases(ctx, who.station.Code, after, size)
	if err != nil {
		return nil, err
	}
	resp := &syncv1.SnapshotResponse{Cursor: cursor}
	for _, c := range cases {
		resp.Cases = append(resp.Cases, wire.CaseToWire(c))
	}
	if len(cases) == size {
		resp.NextPageToken = fmt.Sprintf("%d/%s", cursor, cases[len(cases)-1].ID)
	}
	return connect.NewResponse(resp), nil
}

// PushAs applies changes as if station had pushed them, through the same
// checks and records as Push: for loading a station's work without a
// device, such as the demo's sample cases.
func (s *Server) PushAs(ctx context.Context, station string, changes []*casefile.Change) ([]*syncv1.PushResult, error) {
	st, err := s.store.Station(ctx, station)
	if err != nil {
		return nil, err
	}
	req := &pushBatch{}
	for _, ch := range changes {
		req.msg.Changes = append(req.msg.Changes, wire.ChangeToWire(ch))
	}
	resp, err := (&syncService{Server: s}).push(context.WithValue(ctx, ctxKey{}, caller{station: st}), connect.NewRequest(req))
	if err != nil {
		return nil, err
	}
	return resp.Msg.Results, nil
}
