package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestCrashSafety runs the server as its own process under load, kills it
// with SIGKILL at random moments, restarts it on the same database and
// checks that every acknowledged transition is there, that none beyond the
// one in flight per connection was applied, and that every ledger balances.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("crash safety runs the real binary 20 times")
	}
	bin := buildBinary(t)
	db := filepath.Join(t.TempDir(), "crash.db")
	rng := rand.New(rand.NewPCG(1, 2))
	var (
		mu    sync.Mutex
		acked = map[string]int{} // order → steps acknowledged (create = 1 … Step07 = 8)
	)
	const kills = 20
	for round := 0; round < kills; round++ {
		p := startServer(t, bin, db)
		// The server starts clean on the database the last kill left.
		verifyProgress(t, p.url, &mu, acked)

		ctx, stop := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				drive(ctx, p.url, fmt.Sprintf("%02x%02x", round, w), &mu, acked)
			}(w)
		}
		time.Sleep(time.Duration(50+rng.IntN(300)) * time.Millisecond)
		if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		<-p.exited
		stop()
		wg.Wait()
	}
	p := startServer(t, bin, db)
	verifyProgress(t, p.url, &mu, acked)
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	<-p.exited
	mu.Lock()
	n := 0
	for _, k := range acked {
		n += k
	}
	mu.Unlock()
	if n < kills*10 {
		t.Fatalf("only %d transitions were acknowledged over %d kills: the load did not run", n, kills)
	}
	t.Logf("%d kills, %d orders, %d acknowledged transitions, all there", kills, len(acked), n)
}

// lifecycle is the Medusa lifecycle after creation, as in bench.Medusa.
var lifecycle = []struct{ name, key string }{
	{"mark_order_paid_by_acquirer", "order"},
	{"proceed_service_payout_to_recipient", "confirmed"},
	{"proceed_service_payout_commission", "confirmed"},
	{"proceed_refund", "rejected"},
	{"proceed_acquiring_commission", "order"},
	{"move_platform_commission_to_commission_account", "order"},
	{"proceed_platform_commission", "order"},
}

// drive runs whole orders until ctx ends or the server dies, recording
// every step that got a 200.
func drive(ctx context.Context, url, prefix string, mu *sync.Mutex, acked map[string]int) {
	client := &http.Client{Timeout: 5 * time.Second}
	post := func(path, body string) bool {
		req, _ := http.NewRequestWithContext(ctx, "POST", url+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+defaultToken)
		res, err := client.Do(req)
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	}
	for i := 0; ctx.Err() == nil; i++ {
		ids := map[string]string{
			"order":     fmt.Sprintf("%s0000-0000-4000-8000-%012x", prefix, i),
			"confirmed": fmt.Sprintf("%s0000-0000-4000-9000-%012x", prefix, i),
			"rejected":  fmt.Sprintf("%s0000-0000-4000-a000-%012x", prefix, i),
		}
		create := fmt.Sprintf(`{"Data":{"extId":%q,"IncomingPayment":{"type":"acquiring","Details":{"sbpNeeded":true,"cardNeeded":true,"redirectUrl":"https://a","failRedirectUrl":"https://b","ttl":60,"purpose":"crash"}},"Services":[`+
			`{"extId":%q,"price":"1000.00","commission":"100.00","Recipient":{"extId":"00000000-0000-4000-8000-000000000001","payoutExtId":"00000000-0000-4000-8000-000000000002"},"startDecision":"confirmed"},`+
			`{"extId":%q,"price":"500.00","commission":"50.00","Recipient":{"extId":"00000000-0000-4000-8000-000000000001","payoutExtId":"00000000-0000-4000-8000-000000000002"},"startDecision":"rejected"}]}}`,
			ids["order"], ids["confirmed"], ids["rejected"])
		mu.Lock()
		acked[ids["order"]] += 0 // known before the create, which may be in flight at the kill
		mu.Unlock()
		if !post("/medusa/v3.0/orders", create) {
			return
		}
		mu.Lock()
		acked[ids["order"]] = 1
		mu.Unlock()
		for _, s := range lifecycle {
			if !post("/medusa/v1.0/sandbox/"+s.name, fmt.Sprintf(`{%q:%q}`, map[bool]string{true: "orderExtId", false: "serviceExtId"}[s.key == "order"], ids[s.key])) {
				return
			}
			mu.Lock()
			acked[ids["order"]]++
			mu.Unlock()
		}
	}
}

// verifyProgress checks every order against what was acknowledged: its
// progress (1 for created, + one ledger row per step) is the acknowledged
// count or one more (the request in flight at the kill), and its ledger is
// what those steps post.
func verifyProgress(t *testing.T, url string, mu *sync.Mutex, acked map[string]int) {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	for order, want := range acked {
		req, _ := http.NewRequest("GET", url+"/sandbox/v1/medusa/orders/"+order+"/ledger", nil)
		req.Header.Set("Authorization", "Bearer "+defaultToken)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var l struct {
			State    string            `json:"state"`
			Balances map[string]string `json:"balances"`
			Entries  []struct {
				Step   string `json:"step"`
				Amount string `json:"amount"`
			} `json:"entries"`
		}
		err = json.NewDecoder(res.Body).Decode(&l)
		res.Body.Close()
		progress := 0
		if res.StatusCode == http.StatusOK {
			if err != nil {
				t.Fatal(err)
			}
			progress = 1 + len(l.Entries)
		}
		if progress < want || progress > want+1 {
			t.Fatalf("order %s: %d transitions acknowledged, the database shows %d", order, want, progress)
		}
		if progress > 0 {
			for i, e := range l.Entries {
				if e.Step != lifecycle[i].name {
					t.Fatalf("order %s: ledger row %d is %s, want %s", order, i, e.Step, lifecycle[i].name)
				}
			}
			wantNominal := map[int]string{1: "0.00", 2: "1500.00", 3: "600.00", 4: "595.00", 5: "95.00", 6: "75.00", 7: "0.00", 8: "0.00"}[progress]
			if l.Balances["nominal"] != wantNominal {
				t.Fatalf("order %s after %d transitions: nominal balance %s, want %s", order, progress, l.Balances["nominal"], wantNominal)
			}
			if progress == 8 && (l.State != "finished" || l.Balances["settlement"] != "75.00") {
				t.Fatalf("order %s: finished lifecycle shows state %s, balances %v", order, l.State, l.Balances)
			}
		}
		acked[order] = progress // what the database shows is what the next round builds on
	}
}
