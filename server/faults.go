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
}

func newFaults() *faults { return &faults{armed: map[string]*armedFault{}} }

func faultKey(api, operationID string) string { return api + "/" + operationID }

func (f *faults) arm(api, operationID string, status, times int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.armed[faultKey(api, operationID)] = &armedFault{status: status, times: times}
}

func (f *faults) clear() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.armed = map[string]*armedFault{}
}

// take consumes one armed failure of the operation, if any.
func (f *faults) take(api, operationID string) (status int, ok bool) {
	if f == nil {
		return 0, false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	a := f.armed[faultKey(api, operationID)]
	if a == nil {
		return 0, false
	}
	a.times--
	if a.times <= 0 {
		delete(f.armed, faultKey(api, operationID))
	}
	return a.status, true
}
