package bench

import (
	"fmt"
	"slices"
	"sync"
	"time"
)

// recorder keeps every latency of every operation: a run of a minute at
// ten thousand requests a second is a few MB, and exact percentiles beat
// histogram buckets for a report people compare across commits.
type recorder struct {
	mu      sync.Mutex
	ops     map[string]*opStats
	errs    map[string]int    // "op: reason" → count
	samples map[string]string // "op: reason" → the first one's detail
}

type opStats struct {
	latencies []time.Duration
	mutating  bool
}

func newRecorder() *recorder {
	return &recorder{ops: map[string]*opStats{}, errs: map[string]int{}, samples: map[string]string{}}
}

// shard is one worker's private recorder, merged at the end, so workers
// never contend on a lock while the clock runs.
type shard struct {
	ops     map[string]*opStats
	errs    map[string]int
	samples map[string]string
}

func newShard() *shard {
	return &shard{ops: map[string]*opStats{}, errs: map[string]int{}, samples: map[string]string{}}
}

func (s *shard) add(op string, mutating bool, d time.Duration) {
	st := s.ops[op]
	if st == nil {
		st = &opStats{mutating: mutating}
		s.ops[op] = st
	}
	st.latencies = append(st.latencies, d)
}

// fail counts a failure of op by its reason (the same for every failure of
// its kind), keeping the first one's detail as the report's example.
func (s *shard) fail(op, reason, detail string) {
	key := op + ": " + reason
	if s.errs[key] == 0 {
		s.samples[key] = detail
	}
	s.errs[key]++
}

func (r *recorder) merge(s *shard) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for op, st := range s.ops {
		dst := r.ops[op]
		if dst == nil {
			dst = &opStats{mutating: st.mutating}
			r.ops[op] = dst
		}
		dst.latencies = append(dst.latencies, st.latencies...)
	}
	for k, n := range s.errs {
		if r.errs[k] == 0 {
			r.samples[k] = s.samples[k]
		}
		r.errs[k] += n
	}
}

// OpReport is one operation's figures.
type OpReport struct {
	Name     string
	Mutating bool
	Count    int
	P50, P90 time.Duration
	P99, Max time.Duration
}

func summarize(name string, st *opStats) OpReport {
	l := st.latencies
	slices.Sort(l)
	at := func(q float64) time.Duration {
		if len(l) == 0 {
			return 0
		}
		return l[min(len(l)-1, int(q*float64(len(l))))]
	}
	r := OpReport{Name: name, Mutating: st.mutating, Count: len(l), P50: at(0.50), P90: at(0.90), P99: at(0.99)}
	if len(l) > 0 {
		r.Max = l[len(l)-1]
	}
	return r
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d.Microseconds())/1000) }
