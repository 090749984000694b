package web

import (
	"net/http"
	"strconv"
	"strings"

	"mingbai/internal/apperr"
	"mingbai/internal/auth"
	"mingbai/internal/hall"
	"mingbai/internal/i18n"
	"mingbai/internal/notify"
)

// The administration pages are server-rendered forms over the same store
// methods as the JSON API. A failed form re-renders the page with the
// error; a successful one redirects (post/redirect/get).

func (s *Server) pageAdmin(w http.ResponseWriter, r *http.Request) error {
	hs, err := s.DB.ListHalls(r.Context())
	if err != nil {
		return err
	}
	if len(hs) == 1 {
		http.Redirect(w, r, "/admin/halls/"+strconv.FormatInt(hs[0].ID, 10), http.StatusSeeOther)
		return nil
	}
	s.render(w, r, 200, "admin", pageData{Title: i18n.T(lang(r), "admin.title"), Data: map[string]any{"Halls": hs}})
	return nil
}

func (s *Server) pageHall(w http.ResponseWriter, r *http.Request) error {
	return s.renderHall(w, r, 200, "", "")
}

func (s *Server) renderHall(w http.ResponseWriter, r *http.Request, status int, flash, errMsg string) error {
	h, err := s.hallOf(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	zones, err := s.DB.ListZones(ctx, h.ID)
	if err != nil {
		return err
	}
	windows, err := s.DB.ListWindows(ctx, h.ID)
	if err != nil {
		return err
	}
	staff, err := s.DB.ListStaff(ctx, h.ID)
	if err != nil {
		return err
	}
	devices, err := s.DB.ListDevices(ctx, h.ID)
	if err != nil {
		return err
	}
	staffByID := map[int64]hall.Staff{}
	for _, st := range staff {
		staffByID[st.ID] = st
	}
	if f := r.URL.Query().Get("saved"); f != "" && flash == "" {
		flash = i18n.T(lang(r), "admin.saved")
	}
	s.render(w, r, status, "admin_hall", pageData{Title: h.Name, Flash: flash, Error: errMsg, Data: map[string]any{
		"Hall": h, "Zones": zones, "Windows": windows, "Staff": staff, "StaffByID": staffByID, "Devices": devices,
		"Token": r.URL.Query().Get("token"), "CanEdit": principal(r).Role == auth.Admin || principal(r).Role == auth.HallManager,
	}})
	return nil
}

// formResult re-renders the hall page with an application error, or
// redirects back to it on success.
func (s *Server) formResult(w http.ResponseWriter, r *http.Request, err error, anchor string) error {
	if err != nil {
		msg, status, ferr := formError(r, err)
		if ferr != nil {
			return ferr
		}
		return s.renderHall(w, r, status, "", msg)
	}
	http.Redirect(w, r, r.URL.Path+"?saved=1#"+anchor, http.StatusSeeOther)
	return nil
}

func (s *Server) formHall(w http.ResponseWriter, r *http.Request) error {
	h, err := s.hallOf(r)
	if err != nil {
		return err
	}
	h.Name = r.PostFormValue("name")
	h.Address = r.PostFormValue("address")
	h.Hours = hall.Hours{Open: r.PostFormValue("open"), Close: r.PostFormValue("close"), LastTicket: r.PostFormValue("last_ticket"),
		WorkingDaysOnly: r.PostFormValue("working_days_only") != "", AlwaysOpen: r.PostFormValue("always_open") != ""}
	_, err = s.DB.UpdateHall(r.Context(), h)
	return s.formResult(w, r, err, "hall")
}

func (s *Server) formZone(w http.ResponseWriter, r *http.Request) error {
	h, err := s.hallOf(r)
	if err != nil {
		return err
	}
	sort, _ := strconv.Atoi(r.PostFormValue("sort"))
	_, err = s.DB.CreateZone(r.Context(), hall.Zone{HallID: h.ID, Code: strings.TrimSpace(r.PostFormValue("code")), Name: r.PostFormValue("name"), Prefix: strings.TrimSpace(r.PostFormValue("prefix")), Sort: sort})
	return s.formResult(w, r, err, "zones")
}

func (s *Server) formWindow(w http.ResponseWriter, r *http.Request) error {
	h, err := s.hallOf(r)
	if err != nil {
		return err
	}
	id, _ := strconv.ParseInt(r.PostFormValue("id"), 10, 64)
	staffID, _ := strconv.ParseInt(r.PostFormValue("staff_id"), 10, 64)
	items := strings.FieldsFunc(r.PostFormValue("items"), func(c rune) bool { return c == ',' || c == ' ' || c == '\n' || c == '\r' || c == '，' })
	if err := s.checkWindowInput(r.Context(), h.ID, id, staffID, items); err != nil {
		return s.formResult(w, r, err, "windows")
	}
	_, err = s.DB.SaveWindow(r.Context(), hall.Window{ID: id, HallID: h.ID, Zone: r.PostFormValue("zone"), Number: strings.TrimSpace(r.PostFormValue("number")), Name: r.PostFormValue("name"), StaffID: staffID, Items: items})
	return s.formResult(w, r, err, "windows")
}

func (s *Server) formStaff(w http.ResponseWriter, r *http.Request) error {
	h, err := s.hallOf(r)
	if err != nil {
		return err
	}
	id, _ := strconv.ParseInt(r.PostFormValue("id"), 10, 64)
	var userID int64
	if id != 0 {
		staff, err := s.DB.ListStaff(r.Context(), h.ID)
		if err != nil {
			return err
		}
		for _, st := range staff {
			if st.ID == id {
				userID = st.UserID
			}
		}
	}
	// The account (a username) links the record to a sign-in: a window
	// clerk's, or a duty leader's, whose photo the duty board then shows.
	if name := strings.TrimSpace(r.PostFormValue("account")); name != "" {
		u, err := s.DB.UserByName(r.Context(), name)
		if err != nil {
			return s.formResult(w, r, apperr.InvalidField("account", "hall.unknown_account", name), "staff")
		}
		userID = u.ID
	}
	_, err = s.DB.SaveStaff(r.Context(), hall.Staff{ID: id, HallID: h.ID, UserID: userID, StaffNo: strings.TrimSpace(r.PostFormValue("staff_no")), Name: r.PostFormValue("name"), Post: r.PostFormValue("post"), Pledge: r.PostFormValue("pledge"), PhotoURL: r.PostFormValue("photo_url")})
	return s.formResult(w, r, err, "staff")
}

func (s *Server) formDevice(w http.ResponseWriter, r *http.Request) error {
	h, err := s.hallOf(r)
	if err != nil {
		return err
	}
	secret, _, err := s.DB.CreateDevice(r.Context(), hall.Device{HallID: h.ID, Kind: r.PostFormValue("kind"), Name: r.PostFormValue("name")})
	if err != nil {
		return s.formResult(w, r, err, "devices")
	}
	// The token is shown once on the page that follows; it is not stored.
	return s.renderHallWithToken(w, r, secret)
}

func (s *Server) renderHallWithToken(w http.ResponseWriter, r *http.Request, token string) error {
	q := r.URL.Query()
	q.Set("token", token)
	r.URL.RawQuery = q.Encode()
	return s.renderHall(w, r, 200, i18n.T(lang(r), "admin.saved"), "")
}

func (s *Server) formRevokeDevice(w http.ResponseWriter, r *http.Request) error {
	h, err := s.hallOf(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "device")
	if err != nil {
		return err
	}
	err = s.DB.RevokeDevice(r.Context(), h.ID, id)
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/halls/"+strconv.FormatInt(h.ID, 10)+"?saved=1#devices", http.StatusSeeOther)
	return nil
}

func (s *Server) pageUsers(w http.ResponseWriter, r *http.Request) error {
	return s.renderUsers(w, r, 200, "", "")
}

func (s *Server) renderUsers(w http.ResponseWriter, r *http.Request, status int, flash, errMsg string) error {
	us, err := s.DB.ListUsers(r.Context())
	if err != nil {
		return err
	}
	halls, err := s.DB.ListHalls(r.Context())
	if err != nil {
		return err
	}
	if r.URL.Query().Get("saved") != "" {
		flash = i18n.T(lang(r), "admin.saved")
	}
	s.render(w, r, status, "admin_users", pageData{Title: i18n.T(lang(r), "admin.users"), Flash: flash, Error: errMsg, Data: map[string]any{"Users": us, "Roles": auth.AccountRoles, "Halls": halls, "Now": s.DB.Now().UnixMilli()}})
	return nil
}

func (s *Server) formUser(w http.ResponseWriter, r *http.Request) error {
	hallID, _ := strconv.ParseInt(r.PostFormValue("hall"), 10, 64)
	_, err := s.DB.CreateUserIn(r.Context(), hallID, strings.TrimSpace(r.PostFormValue("name")), r.PostFormValue("display_name"), auth.Role(r.PostFormValue("role")), r.PostFormValue("password"))
	if err != nil {
		msg, status, ferr := formError(r, err)
		if ferr != nil {
			return ferr
		}
		return s.renderUsers(w, r, status, "", msg)
	}
	http.Redirect(w, r, "/admin/users?saved=1", http.StatusSeeOther)
	return nil
}

func (s *Server) formUserRole(w http.ResponseWriter, r *http.Request) error {
	if err := s.DB.SetUserRole(r.Context(), r.PathValue("name"), auth.Role(r.PostFormValue("role"))); err != nil {
		msg, status, ferr := formError(r, err)
		if ferr != nil {
			return ferr
		}
		return s.renderUsers(w, r, status, "", msg)
	}
	http.Redirect(w, r, "/admin/users?saved=1", http.StatusSeeOther)
	return nil
}

func (s *Server) pageAudit(w http.ResponseWriter, r *http.Request) error {
	f := auditFilter(r)
	rs, err := s.DB.ListAudit(r.Context(), f)
	if err != nil {
		return err
	}
	var next int64
	if len(rs) > 0 && len(rs) >= max(f.Limit, 100) {
		next = rs[len(rs)-1].Seq
	}
	s.render(w, r, 200, "admin_audit", pageData{Title: i18n.T(lang(r), "admin.audit"), Data: map[string]any{"Records": rs, "Filter": f, "Next": next}})
	return nil
}

func (s *Server) pageOutbox(w http.ResponseWriter, r *http.Request) error {
	es, err := s.DB.ListOutbox(r.Context(), hallID(r), r.URL.Query().Get("state"), 200)
	if err != nil {
		return err
	}
	for i := range es {
		es[i].Recipient = notify.MaskRecipient(es[i].Recipient)
	}
	s.render(w, r, 200, "admin_outbox", pageData{Title: i18n.T(lang(r), "admin.outbox"), Data: map[string]any{"Messages": es}})
	return nil
}
