package web

import (
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"mingbai/internal/apperr"
	"mingbai/internal/auth"
	"mingbai/internal/catalog"
	"mingbai/internal/i18n"
	"mingbai/internal/sim"
)

// The staffing advisor runs hundreds of simulated hall days; it runs as a
// background job whose progress the page polls. One job at a time: the
// search uses every core, and a second one would only slow both. Jobs are
// computations, not records, so they live in memory.

type staffingJob struct {
	staffingView
	sims atomic.Int64
}

// staffingView is a job as the API shows it.
type staffingView struct {
	ID          int64       `json:"id"`
	Scenario    string      `json:"scenario"`
	Done        bool        `json:"done"`
	Simulations int64       `json:"simulations"`
	Error       string      `json:"error,omitempty"`
	Advice      *sim.Advice `json:"advice,omitempty"`
}

// Simulated days per evaluation and for the final check; tests lower them.
var staffingDays, staffingVerifyDays = 12, 60

var staffingJobs = struct {
	sync.Mutex
	next    int64
	running bool
	byID    map[int64]*staffingJob
}{byID: map[int64]*staffingJob{}}

type staffingRequest struct {
	Scenario      string  `json:"scenario"`
	TargetPercent float64 `json:"target_percent"`
	TargetMinutes float64 `json:"target_minutes"`
}

func (s *Server) pageStaffing(w http.ResponseWriter, r *http.Request) error {
	l := lang(r)
	text := map[string]string{}
	for _, k := range []string{"running", "done", "met", "not_met", "current", "proposed", "staff_hours", "mean_wait", "p95_wait", "within",
		"window", "zones", "added", "shifts", "hour", "open_now", "open_proposed", "failed", "simulations"} {
		text[k] = i18n.T(l, "sim."+k)
	}
	// The advice names zones by code; the page shows their names.
	for _, z := range catalog.StandardZones {
		text["zone."+z] = zoneLabel(l, z)
	}
	s.render(w, r, 200, "staffing", pageData{Title: i18n.T(l, "sim.staffing_title"), Data: map[string]any{
		"Scenarios": sim.Scenarios(), "CanRun": principal(r).Role != auth.Auditor, "Text": text,
	}})
	return nil
}

func (s *Server) apiStartStaffing(w http.ResponseWriter, r *http.Request) error {
	var req staffingRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if req.Scenario == "" {
		return apperr.InvalidField("scenario", "err.required", "scenario")
	}
	// Only the embedded scenarios: a name must never become a file path.
	if !slices.Contains(sim.Scenarios(), req.Scenario) {
		return apperr.InvalidField("scenario", "sim.bad_scenario", req.Scenario)
	}
	if req.TargetPercent < 50 || req.TargetPercent > 99 || req.TargetMinutes < 1 || req.TargetMinutes > 120 {
		return apperr.InvalidField("target_percent", "sim.bad_target")
	}
	sc, err := sim.LoadScenario(req.Scenario)
	if err != nil {
		return err
	}
	staffingJobs.Lock()
	if staffingJobs.running {
		staffingJobs.Unlock()
		return apperr.New(apperr.Conflict, "sim.busy")
	}
	staffingJobs.next++
	job := &staffingJob{staffingView: staffingView{ID: staffingJobs.next, Scenario: req.Scenario}}
	staffingJobs.byID[job.ID] = job
	staffingJobs.running = true
	staffingJobs.Unlock()
	go func() {
		adv, err := sim.Advise(sim.AdvisorConfig{Scenario: sc, TargetShare: req.TargetPercent / 100, TargetMinutes: req.TargetMinutes,
			Days: staffingDays, VerifyDays: staffingVerifyDays, Seed: 1, Progress: func(n int) { job.sims.Add(1) }})
		staffingJobs.Lock()
		defer staffingJobs.Unlock()
		job.Done, job.Advice = true, adv
		if err != nil {
			job.Error = err.Error()
		}
		staffingJobs.running = false
	}()
	writeJSON(w, http.StatusAccepted, job.view())
	return nil
}

func (j *staffingJob) view() staffingView {
	v := j.staffingView
	v.Simulations = j.sims.Load()
	return v
}

func (s *Server) apiStaffingJob(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("job"), 10, 64)
	if err != nil {
		return apperr.InvalidField("job", "err.bad_id", r.PathValue("job"))
	}
	staffingJobs.Lock()
	job := staffingJobs.byID[id]
	var v staffingView
	if job != nil {
		v = job.view()
	}
	staffingJobs.Unlock()
	if job == nil {
		return apperr.NotFoundOf("staffing_job")
	}
	writeJSON(w, 200, v)
	return nil
}
