package medusa

import (
	"strings"
	"testing"
)

// The transition matrix: every named reachable state of the standard
// two-service order (A 1000.00/100.00, B 500.00/50.00) × every step. Each
// row must give an expectation for every step of allSteps — a missing cell
// fails the test, so a new step or state cannot be forgotten.
//
// ok  = legal: succeeds and bumps the version by one;
// bad = 400 InvalidStateError, and the order is left exactly as it was;
// nf  = 404 NotFoundError (unknown service), order left as it was.
const (
	ok  = ErrorCode("")
	bad = EInvalidState
	nf  = ENotFound
)

type matrixRow struct {
	name   string
	path   []string
	expect map[string]ErrorCode
}

// row fills a row: the steps listed in legal are ok, the unknown-service
// steps are nf (or bad, for the decisions call on a closed order, which
// checks the order's state first), and every other step is bad. The explicit
// overrides win.
func row(name string, path []string, legal []string, overrides map[string]ErrorCode) matrixRow {
	exp := map[string]ErrorCode{}
	for _, s := range allSteps {
		exp[s.name] = bad
	}
	exp[st03AX], exp[st04X], exp[st03BX], exp[stDecX] = nf, nf, nf, nf
	for _, s := range legal {
		exp[s] = ok
	}
	for k, v := range overrides {
		exp[k] = v
	}
	return matrixRow{name, path, exp}
}

var closedOrder = map[string]ErrorCode{stDecX: bad}

var (
	pathPaidAB     = []string{stPay, stDecAConf, stDecBRej}
	pathAExecuting = append(append([]string{}, pathPaidAB...), st03AA)
	pathAExecuted  = append(append([]string{}, pathAExecuting...), st04A)
	pathAllExec    = append(append([]string{}, pathAExecuted...), st03BB)
	pathAllExec05  = append(append([]string{}, pathAllExec...), st05)
	pathMoved      = append(append([]string{}, pathAllExec05...), st06)
	pathFinished   = append(append([]string{}, pathMoved...), st07)
	path05Early    = append(append([]string{}, pathPaidAB...), st05)
)

var matrix = []matrixRow{
	row("created", nil,
		[]string{stPay, stFail, stDecAConf, stDecARej, stDecBConf, stDecBRej}, nil),
	row("created, A decided", []string{stDecAConf},
		[]string{stPay, stFail, stDecBConf, stDecBRej}, nil),
	row("created, A confirmed, B rejected", []string{stDecAConf, stDecBRej},
		[]string{stPay, stFail}, nil),
	row("canceled", []string{stFail},
		nil, closedOrder),
	row("canceled after decisions", []string{stDecAConf, stDecBRej, stFail},
		nil, closedOrder),
	row("paid, undecided", []string{stPay},
		[]string{stDecAConf, stDecARej, stDecBConf, stDecBRej}, nil),
	row("paid, A confirmed, B undecided", []string{stPay, stDecAConf},
		[]string{stDecBConf, stDecBRej, st03AA}, nil),
	row("paid, A rejected, B undecided", []string{stPay, stDecARej},
		[]string{stDecBConf, stDecBRej, st03BA}, nil),
	row("paid, A executed, B undecided", []string{stPay, stDecAConf, st03AA, st04A},
		[]string{stDecBConf, stDecBRej}, nil),
	row("paid, A confirmed, B rejected", pathPaidAB,
		[]string{st03AA, st03BB, st05}, nil),
	row("decided before payment, then paid", []string{stDecAConf, stDecBRej, stPay},
		[]string{st03AA, st03BB, st05}, nil),
	row("paid, both confirmed", []string{stPay, stDecAConf, stDecBConf},
		[]string{st03AA, st03AB, st05}, nil),
	row("paid, both rejected", []string{stPay, stDecARej, stDecBRej},
		[]string{st03BA, st03BB, st05}, nil),
	row("A executing", pathAExecuting,
		[]string{st04A, st03BB, st05}, nil),
	row("A executed", pathAExecuted,
		[]string{st03BB, st05}, nil),
	row("A executed, B refunded (05 not done)", pathAllExec,
		[]string{st05}, nil),
	row("05 done, services ready", path05Early,
		[]string{st03AA, st03BB}, nil),
	row("05 done, A executing", append(append([]string{}, path05Early...), st03AA),
		[]string{st04A, st03BB}, nil),
	row("05 done, A executed, B not refunded", append(append([]string{}, path05Early...), st03AA, st04A),
		[]string{st03BB}, nil),
	row("all executed, 05 done", pathAllExec05,
		[]string{st06}, nil),
	row("06 done", pathMoved,
		[]string{st07}, nil),
	row("finished", pathFinished,
		nil, closedOrder),
	row("finished, everything refunded", []string{stPay, stDecARej, stDecBRej, st03BA, st03BB, st05, st06, st07},
		nil, closedOrder),
}

func TestTransitionMatrix(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range matrix {
		if seen[r.name] {
			t.Fatalf("duplicate row %q", r.name)
		}
		seen[r.name] = true
		if len(r.expect) != len(allSteps) {
			t.Fatalf("row %q has %d expectations for %d steps", r.name, len(r.expect), len(allSteps))
		}
		for _, s := range allSteps {
			want, ok := r.expect[s.name]
			if !ok {
				t.Fatalf("row %q: no expectation for step %q", r.name, s.name)
			}
			t.Run(r.name+"/"+s.name, func(t *testing.T) {
				o, _ := reach(t, r.path)
				before := cloneOrder(o)
				err := s.apply(o, at(1000))
				wantCode(t, err, want)
				if want != "" {
					assertUnchanged(t, before, o)
					return
				}
				if o.Version != before.Version+1 {
					t.Errorf("version = %d, want %d", o.Version, before.Version+1)
				}
				for _, p := range o.NewPostings {
					if !p.Amount.IsPositive() {
						t.Errorf("posting with a non-positive amount: %+v", p)
					}
				}
				if o.Balances.Nominal.IsNegative() || o.Balances.Commission.IsNegative() {
					t.Errorf("negative balance after %s: %+v", s.name, o.Balances)
				}
			})
		}
	}
}

// TestTransitionMatrixRepeats: every step, once it succeeded, fails when
// repeated right away, and leaves the order as it was (design §3: repeating
// a step is a 400).
func TestTransitionMatrixRepeats(t *testing.T) {
	tests := []struct {
		path []string
		step string
	}{
		{nil, stPay},
		{nil, stFail},
		{nil, stDecAConf},
		{[]string{stPay}, stDecBRej},
		{pathPaidAB, st03AA},
		{pathAExecuting, st04A},
		{pathAExecuted, st03BB},
		{pathAllExec, st05},
		{pathPaidAB, st05},
		{pathAllExec05, st06},
		{pathMoved, st07},
	}
	for _, tc := range tests {
		t.Run(strings.Join(append(append([]string{}, tc.path...), tc.step, tc.step), " → "), func(t *testing.T) {
			o, _ := reach(t, tc.path)
			s := stepByName(t, tc.step)
			if err := s.apply(o, at(500)); err != nil {
				t.Fatalf("first %s: %v", tc.step, err)
			}
			o.NewPostings = nil
			before := cloneOrder(o)
			wantCode(t, s.apply(o, at(501)), EInvalidState)
			assertUnchanged(t, before, o)
		})
	}
}
