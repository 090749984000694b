package catalog

import "testing"

func TestEnums(t *testing.T) {
	for _, c := range Categories() {
		if !c.Valid() || c.Zh() == string(c) || c.En() == string(c) {
			t.Errorf("category %s lacks labels", c)
		}
	}
	if got := len(Categories()); got != 7 {
		t.Errorf("%d categories, want 7", got)
	}
	if CategoryPublic.Zh() != "公共服务" || CategoryAdjudication.Zh() != "行政裁决" || Category("x").Valid() {
		t.Error("category labels")
	}
	if Instant.Zh() != "即办件" || Pledged.Zh() != "承诺件" || Handling("x").Valid() {
		t.Error("handling labels")
	}
	if FormOriginalAndCopy.Zh() != "原件及复印件" || Deferrable.Zh() != "可容缺后补" || DeliveryMail.Zh() != "邮寄送达" {
		t.Error("material and delivery labels")
	}
}

func TestVersionStates(t *testing.T) {
	for _, tt := range []struct {
		from, to VersionState
		ok       bool
	}{
		{Draft, Published, true}, {Published, Superseded, true},
		{Draft, Superseded, false}, {Published, Draft, false}, {Superseded, Published, false}, {Draft, Draft, false},
	} {
		if got := CanTransition(tt.from, tt.to); got != tt.ok {
			t.Errorf("CanTransition(%s, %s) = %v", tt.from, tt.to, got)
		}
	}
	if !Draft.Valid() || VersionState("x").Valid() || Published.Zh() != "已发布" {
		t.Error("version state labels")
	}
}
