package web

import (
	"mingbai/internal/i18n"
	"mingbai/internal/store"
)

// localiseAlerts fills the kind name and the text of each integrity alert
// in the reader's language from its kind and parameters. An alert of a
// kind this binary does not know keeps its stored summary as text.
func localiseAlerts(l i18n.Lang, list []store.IntegrityAlert) []store.IntegrityAlert {
	for i := range list {
		a := &list[i]
		if args := a.Args(); args != nil {
			a.KindName = i18n.T(l, "alert.kind."+a.Kind)
			a.Text = i18n.T(l, "alert."+a.Kind, args...)
			continue
		}
		a.KindName, a.Text = a.Kind, a.Detail
	}
	if list == nil {
		list = []store.IntegrityAlert{}
	}
	return list
}
