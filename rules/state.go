package rules

import (
	"sync"
	"sync/atomic"
	"time"
)

// counters are a rule's statistics. They live as long as the engine and
// survive reloads (keyed by rule name), so exported metrics stay monotonic.
type counters struct {
	matches, alerts, suppressed, ratePending, errors atomic.Uint64
}

// window is a rule's rate and throttle state per key. It survives reloads
// unless the rule's rate or throttle settings change.
type window struct {
	cfg Rate
	thr time.Duration

	mu        sync.Mutex
	rate      map[string]*rateState
	throttle  map[string]*throttleState
	lastPrune int64
}

type rateState struct {
	times      []int64 // ring of the last Count+1 match times (ns)
	next, n    int
	quietUntil int64 // after firing, no new alert for this key until then
	last       int64
}

type throttleState struct {
	last       int64
	suppressed int64
}

// pruneAbove is the number of keys above which idle keys are dropped.
const pruneAbove = 1024

func newWindow(r *Rule) *window {
	w := &window{thr: r.Throttle, rate: map[string]*rateState{}, throttle: map[string]*throttleState{}}
	if r.Rate != nil {
		w.cfg = *r.Rate
	}
	return w
}

func (w *window) sameConfig(r *Rule) bool {
	var cfg Rate
	if r.Rate != nil {
		cfg = *r.Rate
	}
	return cfg == w.cfg && r.Throttle == w.thr
}

// admit decides whether a match at now (ns) for rateKey/throttleKey raises
// an alert. It returns the number of alerts the throttle suppressed since the
// previous one, and for rate rules the number of matches in the window.
func (w *window) admit(c *counters, rateKey, throttleKey string, now int64) (emit bool, suppressed int64, rateCount int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.prune(now)
	if w.cfg.Count > 0 {
		st := w.rate[rateKey]
		if st == nil {
			st = &rateState{times: make([]int64, w.cfg.Count+1)}
			w.rate[rateKey] = st
		}
		st.last = now
		if now < st.quietUntil {
			c.suppressed.Add(1)
			return false, 0, 0
		}
		st.times[st.next] = now
		st.next = (st.next + 1) % len(st.times)
		if st.n < len(st.times) {
			st.n++
		}
		cutoff := now - int64(w.cfg.Window)
		in := 0
		for i := 0; i < st.n; i++ {
			if st.times[i] > cutoff {
				in++
			}
		}
		if in <= w.cfg.Count {
			c.ratePending.Add(1)
			return false, 0, 0
		}
		st.quietUntil = now + int64(w.cfg.Window)
		st.n, st.next = 0, 0
		rateCount = in
	}
	if w.thr > 0 {
		st := w.throttle[throttleKey]
		if st == nil {
			st = &throttleState{last: now - int64(w.thr)}
			w.throttle[throttleKey] = st
		} else if now-st.last < int64(w.thr) {
			st.suppressed++
			c.suppressed.Add(1)
			return false, 0, rateCount
		}
		suppressed = st.suppressed
		st.last, st.suppressed = now, 0
	}
	return true, suppressed, rateCount
}

// prune drops keys idle for longer than the window and the throttle, when
// there are many of them.
func (w *window) prune(now int64) {
	if len(w.rate)+len(w.throttle) < pruneAbove {
		return
	}
	horizon := int64(max(w.cfg.Window, w.thr))
	if now-w.lastPrune < horizon {
		return
	}
	w.lastPrune = now
	for k, st := range w.rate {
		if now-st.last > horizon && now >= st.quietUntil {
			delete(w.rate, k)
		}
	}
	for k, st := range w.throttle {
		if now-st.last > horizon {
			delete(w.throttle, k) // its suppressed count is in the counters already
		}
	}
}
