package web

import "time"

// SetStaffingDays lets tests run the advisor on fewer simulated days.
func SetStaffingDays(days, verify int) { staffingDays, staffingVerifyDays = days, verify }

// CheckRouteTenancy exposes the route-table tenancy rule to tests.
func CheckRouteTenancy(rts []Route) error { return checkRouteTenancy(rts) }

// SetScreenFanout sets the heartbeat, the queue at which a lagging screen
// of the public hall stream is dropped and the socket send buffer of a
// handed-over screen (0: the kernel's, which grows to megabytes); call it
// before the first screen connects.
func (s *Server) SetScreenFanout(heartbeat time.Duration, maxQueued, sendBuffer int) {
	s.fanoutMu.Lock()
	s.streamHeartbeat, s.streamMaxQueued, s.streamSendBuffer = heartbeat, maxQueued, sendBuffer
	s.fanoutMu.Unlock()
}

// Screens is the number of screens the fan-out holds.
func (s *Server) Screens() int {
	s.fanoutMu.Lock()
	f := s.fanout
	s.fanoutMu.Unlock()
	if f == nil {
		return 0
	}
	n, _, _ := f.stats()
	return n
}
