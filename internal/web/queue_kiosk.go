package web

import (
	"context"
	"net/http"
	"strings"
	"time"

	"mingbai/internal/catalog"
	"mingbai/internal/hall"
	"mingbai/internal/store"
)

// Kiosk, screens and the tracking page share the server's clock: every
// time they show comes from here, in the hall's time zone, never from the
// device's clock or zone (a kiosk browser set to UTC printed the previous
// day's date).

// hallLoc returns the hall's time zone.
func hallLoc(h hall.Hall) *time.Location {
	if l, err := time.LoadLocation(h.Timezone); err == nil {
		return l
	}
	return shanghai
}

// ticketTime formats a moment for tickets and public pages.
func ticketTime(ms int64, h hall.Hall) string {
	return time.UnixMilli(ms).In(hallLoc(h)).Format("2006-01-02 15:04")
}

// clockJSON lets a page run a clock in the hall's time: the server's time
// when the page was made and the hall's UTC offset; the script adds the
// time elapsed since (a monotonic clock) and formats in UTC.
type clockJSON struct {
	Now    int64 `json:"now"`
	Offset int   `json:"offset"`
	Open   bool  `json:"open"`
}

func (s *Server) hallClock(ctx context.Context, h hall.Hall) (clockJSON, error) {
	n, err := s.DB.HallNow(ctx, h.ID)
	if err != nil {
		return clockJSON{}, err
	}
	return clockJSON{Now: n.Now.UnixMilli(), Offset: n.Offset, Open: n.Open}, nil
}

// issuedView is the answer to a ticket taken at a kiosk, a check-in or by
// staff: what the printed ticket shows, the time already in the hall's zone.
func (s *Server) issuedView(r *http.Request, hallID int64, res store.Issued, item catalog.Item) (issuedJSON, error) {
	h := res.Hall
	if h.ID != hallID {
		var err error
		if h, err = s.DB.Hall(r.Context(), hallID); err != nil {
			return issuedJSON{}, err
		}
	}
	eta := time.Duration(-1)
	if res.Ticket.EtaMs >= 0 {
		eta = time.Duration(res.Ticket.EtaMs) * time.Millisecond
	}
	name := item.Name
	if lang(r) == "en" && item.NameEn != "" {
		name = item.NameEn
	}
	return issuedJSON{ID: res.Ticket.ID, Number: res.Ticket.Number, Item: item.Code, ItemName: name, Zone: item.Zone, Priority: res.Ticket.Priority,
		Position: res.Ahead, EtaMinutes: etaMinutes(eta), TrackURL: s.baseURL(r) + "/t/" + res.Ticket.TrackToken, IssuedAt: res.Ticket.IssuedAt,
		IssuedAtText: ticketTime(res.Ticket.IssuedAt, h), Hall: h.Name, Wait: res.Wait}, nil
}

func init() {
	// chars splits a string into its characters (the kiosk's keyboard rows).
	funcs["chars"] = func(s string) []string { return strings.Split(s, "") }
}
