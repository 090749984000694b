package web

import (
	"mingbai/internal/i18n"
)

// consoleMessages are the texts the window console's script shows; the
// clerk's wording (console.*), not the citizens' (queue.state_*).
var consoleMessages = []string{
	"queue.minutes", "queue.paused", "queue.open", "queue.closed_window", "queue.call_this", "queue.return", "queue.next_mark",
	"console.pause", "console.resume", "console.priority", "console.recalled_n", "console.no_current", "console.queue_empty",
	"console.waiting_total", "console.nothing_waiting", "console.done_call", "console.done_recall", "console.done_transfer",
	"console.done_pause", "console.done_resume", "console.done_signin", "console.done_signout", "console.done_return",
}

// consoleStates are the ticket states the console names; consoleActs the
// ticket actions whose toast is "console.done_<act>".
var (
	consoleStates = []string{"waiting", "called", "serving", "held", "done", "no_show", "cancelled"}
	consoleActs   = []string{"start", "finish", "no_show", "hold"}
)

// consoleScriptData is the JSON data block of the console page: its texts
// and the names of the items the hall offers, by code.
func consoleScriptData(l i18n.Lang, zones []kioskZone) map[string]any {
	msg := map[string]string{}
	for _, k := range consoleMessages {
		msg[k] = i18n.T(l, k)
	}
	for _, st := range consoleStates {
		msg["console.state_"+st] = i18n.T(l, "console.state_"+st)
	}
	for _, a := range consoleActs {
		msg["console.done_"+a] = i18n.T(l, "console.done_"+a)
	}
	items := map[string]string{}
	for _, z := range zones {
		for _, it := range z.Items {
			items[it.Code] = it.Name
		}
	}
	return map[string]any{"msg": msg, "items": items}
}
