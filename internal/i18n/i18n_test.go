package i18n

import "testing"

func TestFromAcceptLanguage(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   Lang
	}{
		{"", ZhCN},
		{"en-US,en;q=0.9", En},
		{"zh-TW,zh;q=0.9,en;q=0.8", ZhTW},
		{"fr-FR,en;q=0.5,zh-CN;q=0.8", ZhCN},
		{"zh-Hant-HK", ZhTW},
		{"de", ZhCN},
	} {
		if got := FromAcceptLanguage(tc.header); got != tc.want {
			t.Errorf("FromAcceptLanguage(%q) = %s, want %s", tc.header, got, tc.want)
		}
	}
}

func TestEveryMessageHasAllLanguages(t *testing.T) {
	for _, k := range Keys() {
		mu.RLock()
		m := messages[k]
		mu.RUnlock()
		if m.Zh == "" || m.En == "" {
			t.Errorf("message %q lacks Chinese or English text", k)
		}
	}
}

func TestTFallsBackToSimplified(t *testing.T) {
	if got, want := T(ZhTW, "err.internal"), T(ZhCN, "err.internal"); got == "" || (messages["err.internal"].Tw == "" && got != want) {
		t.Errorf("zh-TW fallback = %q", got)
	}
	if got := T(En, "no.such.key"); got != "no.such.key" {
		t.Errorf("unknown key = %q", got)
	}
}
