package server

import "sync"

// faults holds server errors armed through the control API: the next
// `times` calls of an operation fail with `status` in the API's own shape.
type faults struct {
	mu    sync.Mutex
	armed map[string]*armedFault
}

type armedFault struct {
	status int
	times  int
	// disconnect closes the connection unanswered, as a provider that is down.
	disconnect bool
}

func newFaults() *faults { return &faults{armed: map[string]*armedFault{}} }

func faultKey(api, operationID string) string { return api + "/" + operationID }

// arm replaces any fault armed for the same operation.
func (f *faults) arm(api, operationID string, a armedFault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.armed[faultKey(api, operationID)] = &a
}

func (f *faults) clear() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.armed = map[string]*armedFault{}
}

// take consumes one armed failure of the operation, if any.
func (f *faults) take(api, operationID string) (armedFault, bool) {
	if f == nil {
		return armedFault{}, false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	a := f.armed[faultKey(api, operationID)]
	if a == nil {
		return armedFault{}, false
	}
	a.times--
	if a.times <= 0 {
		delete(f.armed, faultKey(api, operationID))
	}
	return *a, true
}
