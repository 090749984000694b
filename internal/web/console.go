package web

import (
	"strings"

	"mingbai/internal/i18n"
)

// consoleMessages are the texts the window console's script shows; the
// clerk's wording (console.*), not the citizens' (queue.state_*).
var consoleMessages = []string{
	"queue.minutes", "queue.paused", "queue.open", "queue.closed_window", "queue.call_this", "queue.return", "queue.next_mark",
	"queue.reason_prompt",
}

// consoleScriptData is the JSON data block of the console page: its texts
// and the names of the items the hall offers, by code.
func consoleScriptData(l i18n.Lang, zones []kioskZone) map[string]any {
	msg := map[string]string{}
	for _, k := range consoleMessages {
		msg[k] = i18n.T(l, k)
	}
	for _, k := range i18n.Keys() {
		if strings.HasPrefix(k, "console.") {
			msg[k] = i18n.T(l, k)
		}
	}
	items := map[string]string{}
	for _, z := range zones {
		for _, it := range z.Items {
			items[it.Code] = it.Name
		}
	}
	return map[string]any{"msg": msg, "items": items}
}
