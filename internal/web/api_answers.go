package web

import "mingbai/internal/store"

// Small answers of the API, named so that the OpenAPI description can
// declare their shape (openapi.go).

type okJSON struct {
	OK bool `json:"ok"`
}

type healthJSON struct {
	Status  string `json:"status"`
	Version string `json:"version"`
}

type readyJSON struct {
	Status   string `json:"status"`
	Database string `json:"database"`
}

type roleJSON struct {
	Role string `json:"role"`
}

type disabledJSON struct {
	Disabled bool `json:"disabled"`
}

type revokedJSON struct {
	Revoked bool `json:"revoked"`
}

type sentJSON struct {
	Sent bool `json:"sent"`
}

type cancelledJSON struct {
	Cancelled bool `json:"cancelled"`
}

// ticketDetail is a ticket with its timestamped transitions.
type ticketDetail struct {
	Ticket      store.Ticket       `json:"ticket"`
	Transitions []store.Transition `json:"transitions"`
}
