// Package i18n holds the message catalogue. Every user-facing string of the
// UI and of API errors comes from here, in Simplified Chinese (default),
// English and Traditional Chinese. Each area of the hall registers its
// messages in its own messages_<area>.go file so that areas do not collide.
package i18n

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Lang is a supported locale tag.
type Lang string

// Supported locales. ZhCN is the default: the hall is in mainland China.
const (
	ZhCN Lang = "zh-CN"
	En   Lang = "en"
	ZhTW Lang = "zh-TW"
)

// Langs lists the supported locales in the order the switcher shows them.
var Langs = []Lang{ZhCN, En, ZhTW}

// Label returns the name of a locale in its own language.
func (l Lang) Label() string {
	switch l {
	case En:
		return "English"
	case ZhTW:
		return "繁體中文"
	default:
		return "简体中文"
	}
}

// M is one message in the three locales. Tw may be empty when the
// Traditional text equals the Simplified one.
type M struct {
	Zh, En, Tw string
}

var (
	mu       sync.RWMutex
	messages = map[string]M{}
)

// Register adds messages to the catalogue. It panics on a duplicate key so
// that two areas cannot silently overwrite each other's text.
func Register(ms map[string]M) bool {
	mu.Lock()
	defer mu.Unlock()
	for k, m := range ms {
		if _, dup := messages[k]; dup {
			panic("i18n: duplicate message key " + k)
		}
		messages[k] = m
	}
	return true
}

// Has reports whether key is in the catalogue.
func Has(key string) bool {
	mu.RLock()
	defer mu.RUnlock()
	_, ok := messages[key]
	return ok
}

// Keys returns all registered keys, sorted.
func Keys() []string {
	mu.RLock()
	defer mu.RUnlock()
	keys := make([]string, 0, len(messages))
	for k := range messages {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// T translates key into lang, formatting args with fmt.Sprintf when given.
// An unknown key returns the key itself so that a missing text is visible
// rather than blank.
func T(lang Lang, key string, args ...any) string {
	mu.RLock()
	m, ok := messages[key]
	mu.RUnlock()
	if !ok {
		return key
	}
	var s string
	switch lang {
	case En:
		s = m.En
	case ZhTW:
		s = m.Tw
		if s == "" {
			s = m.Zh
		}
	default:
		s = m.Zh
	}
	if s == "" {
		s = m.Zh
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Parse maps a tag such as "en-US", "zh-Hant", "zh_TW" to a supported
// locale; ok is false when the tag names none of them.
func Parse(tag string) (Lang, bool) {
	t := strings.ToLower(strings.TrimSpace(strings.ReplaceAll(tag, "_", "-")))
	switch {
	case t == "":
		return ZhCN, false
	case strings.HasPrefix(t, "en"):
		return En, true
	case t == "zh-tw" || t == "zh-hk" || t == "zh-mo" || strings.HasPrefix(t, "zh-hant"):
		return ZhTW, true
	case strings.HasPrefix(t, "zh"):
		return ZhCN, true
	}
	return ZhCN, false
}

// FromAcceptLanguage picks the best supported locale from an
// Accept-Language header, honouring q-values; the default is ZhCN.
func FromAcceptLanguage(header string) Lang {
	best, bestQ := ZhCN, -1.0
	for _, part := range strings.Split(header, ",") {
		tag, q := part, 1.0
		if i := strings.Index(part, ";"); i >= 0 {
			tag = part[:i]
			var qv float64
			if _, err := fmt.Sscanf(strings.TrimSpace(part[i+1:]), "q=%g", &qv); err == nil {
				q = qv
			}
		}
		if l, ok := Parse(tag); ok && q > bestQ {
			best, bestQ = l, q
		}
	}
	return best
}
