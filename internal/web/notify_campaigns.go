package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"mingbai/internal/apperr"
	"mingbai/internal/i18n"
	"mingbai/internal/notify"
	"mingbai/internal/store"
)

// Campaign page (reminders for self-employed contributors: preview,
// schedule, progress, stop) and the registry import with its progress.

// SetSMSRule gives the pages each hall's reminder rule (for previews).
func (s *Server) SetSMSRule(rule func(hallID int64) notify.Rule) {
	s.sms.mu.Lock()
	defer s.sms.mu.Unlock()
	s.sms.rule = rule
}

func (s *Server) smsRule(hallID int64) notify.Rule {
	s.sms.mu.RLock()
	defer s.sms.mu.RUnlock()
	if s.sms.rule == nil {
		return notify.DefaultRule
	}
	return s.sms.rule(hallID)
}

func (s *Server) pageNotifyCampaigns(w http.ResponseWriter, r *http.Request) error {
	return s.renderNotifyCampaigns(w, r, 200, "")
}

func (s *Server) renderNotifyCampaigns(w http.ResponseWriter, r *http.Request, status int, msg string) error {
	cs, err := s.DB.ListCampaigns(r.Context(), hallID(r))
	if err != nil {
		return err
	}
	for i := range cs {
		cs[i].Results = resultKeys(cs[i].Results)
	}
	data := map[string]any{"Hall": hallID(r), "Campaigns": cs, "Today": s.DB.Now().In(shanghai).Format("2006-01-02")}
	if day := r.URL.Query().Get("preview"); day != "" && msg == "" {
		p, err := s.DB.CampaignPreview(r.Context(), hallID(r), day, s.smsRule(hallID(r)))
		if err != nil {
			m, st, ferr := formError(r, err)
			if ferr != nil {
				return ferr
			}
			msg, status = m, st
		} else {
			pv := map[string]int64{}
			for k, n := range p {
				pv[k] = int64(n)
			}
			data["Preview"], data["PreviewDay"] = resultKeys(pv), day
		}
	}
	s.render(w, r, status, "notify_campaigns", pageData{Title: i18n.T(lang(r), "notify.campaigns_title"), Data: data, Error: msg, Flash: doneFlash(r)})
	return nil
}

// resultKeys turns "skipped:paid" into "skipped_paid" (a catalogue key).
func resultKeys(m map[string]int64) map[string]int64 {
	out := map[string]int64{}
	for k, n := range m {
		out[strings.ReplaceAll(k, ":", "_")] += n
	}
	return out
}

// formNotifyCampaign starts (or schedules, for a later day) the reminder
// campaign of a day; starting the same day again is the same campaign.
func (s *Server) formNotifyCampaign(w http.ResponseWriter, r *http.Request) error {
	day := r.PostFormValue("day")
	err := error(nil)
	if day < s.DB.Now().In(shanghai).Format("2006-01-02") {
		err = apperr.InvalidField("day", "notify.campaign.past")
	} else {
		_, err = s.DB.StartCampaign(r.Context(), hallID(r), day)
	}
	if err != nil {
		msg, status, ferr := formError(r, err)
		if ferr != nil {
			return ferr
		}
		return s.renderNotifyCampaigns(w, r, status, msg)
	}
	back(w, r, "/notify/campaigns", "started")
	return nil
}

func (s *Server) formNotifyCampaignStop(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.DB.StopCampaign(r.Context(), hallID(r), id); err != nil {
		msg, status, ferr := formError(r, err)
		if ferr != nil {
			return ferr
		}
		return s.renderNotifyCampaigns(w, r, status, msg)
	}
	back(w, r, "/notify/campaigns", "stopped")
	return nil
}

// importJob is one registry import running in the background.
type importJob struct {
	ID     string                  `json:"id"`
	Hall   int64                   `json:"-"`
	Total  int                     `json:"total"`
	Done   int64                   `json:"done"`
	Finish bool                    `json:"finished"`
	Errors []importRowError        `json:"errors"`
	Result store.ContributorImport `json:"result"`
	Error  string                  `json:"error,omitempty"`
}

type importRowError struct {
	Row    int    `json:"row"`
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

type importJobs struct {
	mu   sync.Mutex
	n    atomic.Int64
	jobs map[string]*importJob
}

var imports = importJobs{jobs: map[string]*importJob{}}

func (j *importJobs) view(id string, hall int64) (importJob, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	job, ok := j.jobs[id]
	if !ok || job.Hall != hall {
		return importJob{}, false
	}
	v := *job
	v.Errors = append([]importRowError{}, job.Errors...)
	return v, true
}

func (s *Server) pageNotifyRegistry(w http.ResponseWriter, r *http.Request) error {
	text := map[string]string{}
	for _, k := range []string{"running", "done", "bad_rows", "row", "field", "reason", "failed"} {
		text[k] = i18n.T(lang(r), "notify.import."+k)
	}
	s.render(w, r, 200, "notify_registry", pageData{Title: i18n.T(lang(r), "notify.registry_title"), Data: map[string]any{"Hall": hallID(r), "Text": text}})
	return nil
}

// apiNotifyImport reads an uploaded registry (CSV or XLSX, at most 20 MiB),
// checks every row and, when all are good, imports it in the background;
// the page polls the job. Nothing is imported when any row is bad.
func (s *Server) apiNotifyImport(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 20<<20)
	f, _, err := r.FormFile("file")
	if err != nil {
		return apperr.InvalidField("file", "err.required", "file")
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		return apperr.InvalidField("file", "notify.import.too_large")
	}
	cs, bad, err := notify.ParseRegistry(b, s.DB.Now())
	if err != nil {
		return err
	}
	job := &importJob{ID: fmt.Sprintf("imp%d", imports.n.Add(1)), Hall: hallID(r), Total: len(cs), Errors: []importRowError{}}
	l := lang(r)
	for _, e := range bad {
		reason := i18n.T(l, e.Reason)
		if strings.Contains(reason, "%s") {
			reason = i18n.T(l, e.Reason, e.Value)
		}
		job.Errors = append(job.Errors, importRowError{Row: e.Row, Field: e.Field, Reason: reason})
	}
	imports.mu.Lock()
	imports.jobs[job.ID] = job
	imports.mu.Unlock()
	if len(bad) > 0 {
		job.Finish = true
		writeJSON(w, http.StatusUnprocessableEntity, job)
		return nil
	}
	actor := store.ActorFrom(r.Context())
	go func() {
		ctx := store.WithActor(context.Background(), actor)
		res, err := s.DB.ImportContributors(ctx, job.Hall, cs, func(done int) {
			imports.mu.Lock()
			job.Done = int64(done)
			imports.mu.Unlock()
		})
		imports.mu.Lock()
		defer imports.mu.Unlock()
		job.Result, job.Done, job.Finish = res, int64(job.Total), true
		if err != nil {
			job.Error, job.Done = i18n.T(l, "notify.import.failed"), 0
			s.Log.Error("registry import", "hall", job.Hall, "err", err)
		}
	}()
	v, _ := imports.view(job.ID, job.Hall)
	writeJSON(w, http.StatusAccepted, v)
	return nil
}

func (s *Server) apiNotifyImportJob(w http.ResponseWriter, r *http.Request) error {
	imports.mu.Lock()
	job, ok := imports.jobs[r.PathValue("job")]
	var v importJob
	if ok && job.Hall == hallID(r) {
		v = *job
		v.Errors = append([]importRowError{}, job.Errors...)
	}
	imports.mu.Unlock()
	if !ok || v.ID == "" {
		return apperr.NotFoundOf("import")
	}
	writeJSON(w, 200, v)
	return nil
}
