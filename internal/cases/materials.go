package cases

import (
	"errors"
	"fmt"
	"strings"
)

// Form is the form in which a material is handed in. Its values are
// stored.
type Form string

// Forms of a material.
const (
	FormOriginal        Form = "original"          // 原件
	FormCopy            Form = "copy"              // 复印件
	FormOriginalAndCopy Form = "original_and_copy" // 原件和复印件（核对原件）
	FormElectronic      Form = "electronic"        // 电子材料
)

// Valid reports whether f is a defined form.
func (f Form) Valid() bool {
	switch f {
	case FormOriginal, FormCopy, FormOriginalAndCopy, FormElectronic:
		return true
	}
	return false
}

// Requirement says whether a guide requires a material. Its values are
// stored.
type Requirement string

// Requirements of a material.
const (
	// Required: needed before review and completion.
	Required Requirement = "required"
	// Optional: only in some situations (the note says which); never
	// blocks.
	Optional Requirement = "optional"
	// Deferrable: required, but may be handed in after acceptance on the
	// applicant's pledge (容缺受理); needed before completion.
	Deferrable Requirement = "deferrable"
)

// Valid reports whether r is a defined requirement.
func (r Requirement) Valid() bool { return r == Required || r == Optional || r == Deferrable }

// MaterialStatus is what the window recorded for a material. Its values
// are stored.
type MaterialStatus string

// Statuses of a material.
const (
	// Received: handed in and checked.
	Received MaterialStatus = "received"
	// Missing: not handed in (yet).
	Missing MaterialStatus = "missing"
	// Deferred: accepted later on the applicant's pledge (容缺); only for
	// deferrable materials.
	Deferred MaterialStatus = "deferred"
)

// Valid reports whether s is a defined status.
func (s MaterialStatus) Valid() bool { return s == Received || s == Missing || s == Deferred }

// GuideMaterial is a material as the guide lists it; the catalogue maps its
// guides onto this type.
type GuideMaterial struct {
	// Name is the material's name, unique within a guide, e.g. 居民身份证.
	Name string
	Form Form
	// Count is the number of copies; 0 is read as 1.
	Count       int
	Requirement Requirement
	// Note qualifies the material, e.g. "委托办理的提供".
	Note string
}

// Material is one line of a case's checklist.
type Material struct {
	GuideMaterial
	Status MaterialStatus
	// Extra marks a material that the guide does not list. The server
	// raises an integrity alert for it.
	Extra bool
	// ExtraReason is the written reason for asking for an extra material.
	ExtraReason string
}

// Errors of the materials checklist.
var (
	// ErrMaterial is returned for a material or checklist that is not
	// well formed (empty or duplicate name, unknown form, requirement or
	// status).
	ErrMaterial = errors.New("cases: invalid material")
	// ErrNoSuchMaterial is returned for a name that is not on the
	// checklist.
	ErrNoSuchMaterial = errors.New("cases: no such material on the checklist")
	// ErrNotDeferrable is returned when deferring a material that the guide
	// does not mark deferrable.
	ErrNotDeferrable = errors.New("cases: only materials the guide marks deferrable may be deferred (容缺)")
	// ErrExtraReason is returned when adding a material not on the guide
	// without a written reason.
	ErrExtraReason = errors.New("cases: a material not listed in the guide needs a written reason")
	// ErrMaterialsIncomplete is returned, wrapped in a *MaterialsError,
	// when materials block a change of state.
	ErrMaterialsIncomplete = errors.New("cases: materials incomplete")
)

// MaterialsError lists the materials that block a change of state.
// errors.Is(err, ErrMaterialsIncomplete) is true for it.
type MaterialsError struct {
	// To is the state that could not be reached.
	To State
	// Names are the blocking materials, in checklist order.
	Names []string
}

// Error lists the blocking materials.
func (e *MaterialsError) Error() string {
	return fmt.Sprintf("cases: cannot go to %s: materials not received: %s", e.To, strings.Join(e.Names, "、"))
}

// Is makes errors.Is(err, ErrMaterialsIncomplete) true.
func (e *MaterialsError) Is(target error) bool { return target == ErrMaterialsIncomplete }

// Checklist builds a case's checklist from a guide's material list, every
// material missing. It fails with ErrMaterial for an empty or duplicate
// name, an unknown form or requirement, or a negative count.
func Checklist(guide []GuideMaterial) ([]Material, error) {
	list := make([]Material, 0, len(guide))
	for _, g := range guide {
		g, err := normalizeGuideMaterial(g)
		if err != nil {
			return nil, err
		}
		if indexOf(list, g.Name) >= 0 {
			return nil, fmt.Errorf("%w: %q listed twice", ErrMaterial, g.Name)
		}
		list = append(list, Material{GuideMaterial: g, Status: Missing})
	}
	return list, nil
}

// AddExtra returns a copy of the checklist with a material that the guide
// does not list, flagged Extra. The reason is required. An extra material
// is recorded as optional: the guide binds the staff, so it never blocks
// review or completion.
func AddExtra(list []Material, m GuideMaterial, reason string) ([]Material, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, ErrExtraReason
	}
	m.Requirement = Optional
	m, err := normalizeGuideMaterial(m)
	if err != nil {
		return nil, err
	}
	if indexOf(list, m.Name) >= 0 {
		return nil, fmt.Errorf("%w: %q is already on the checklist", ErrMaterial, m.Name)
	}
	out := append(cloneMaterials(list), Material{GuideMaterial: m, Status: Missing, Extra: true, ExtraReason: reason})
	return out, nil
}

// SetStatus returns a copy of the checklist with the named material's
// status changed. Deferred is allowed only for deferrable materials.
func SetStatus(list []Material, name string, status MaterialStatus) ([]Material, error) {
	i := indexOf(list, strings.TrimSpace(name))
	if i < 0 {
		return nil, fmt.Errorf("%w: %q", ErrNoSuchMaterial, name)
	}
	if !status.Valid() {
		return nil, fmt.Errorf("%w: status %q", ErrMaterial, status)
	}
	if status == Deferred && list[i].Requirement != Deferrable {
		return nil, fmt.Errorf("%w: %q is %s", ErrNotDeferrable, list[i].Name, list[i].Requirement)
	}
	out := cloneMaterials(list)
	out[i].Status = status
	return out, nil
}

// ReviewBlockers returns the materials that keep a case from review: the
// required and deferrable materials that are missing. A deferred one does
// not block: deferrable materials may follow later, and required ones are
// deferred only under 容缺受理 (Case.Open). The window gives these in the
// one-time notice instead of accepting, or sends an accepted case to
// correction.
func ReviewBlockers(list []Material) []Material {
	return blockers(list, func(m Material) bool { return m.Status == Missing })
}

// CompletionBlockers returns the materials that keep a case from
// completion: every required or deferrable material not received,
// deferred ones included.
func CompletionBlockers(list []Material) []Material {
	return blockers(list, func(m Material) bool { return m.Status != Received })
}

// Extras returns the materials not listed in the guide.
func Extras(list []Material) []Material {
	var out []Material
	for _, m := range list {
		if m.Extra {
			out = append(out, m)
		}
	}
	return out
}

// Names returns the names of the materials.
func Names(list []Material) []string {
	out := make([]string, len(list))
	for i, m := range list {
		out[i] = m.Name
	}
	return out
}

// ValidateMaterials checks a stored checklist: well-formed materials,
// unique names, known statuses, deferred only where deferrable, and a
// reason for every extra material.
func ValidateMaterials(list []Material) error { return validateMaterials(list, false) }

// validateMaterials is ValidateMaterials; deferredAccept allows deferred
// required materials (a case accepted under 容缺受理).
func validateMaterials(list []Material, deferredAccept bool) error {
	seen := make(map[string]bool, len(list))
	for _, m := range list {
		g, err := normalizeGuideMaterial(m.GuideMaterial)
		if err != nil {
			return err
		}
		if g.Name != m.Name {
			return fmt.Errorf("%w: name %q has surrounding space", ErrMaterial, m.Name)
		}
		if seen[m.Name] {
			return fmt.Errorf("%w: %q listed twice", ErrMaterial, m.Name)
		}
		seen[m.Name] = true
		if !m.Status.Valid() {
			return fmt.Errorf("%w: %q has status %q", ErrMaterial, m.Name, m.Status)
		}
		if m.Status == Deferred && m.Requirement != Deferrable && !(deferredAccept && m.Requirement == Required && !m.Extra) {
			return fmt.Errorf("%w: %q is %s", ErrNotDeferrable, m.Name, m.Requirement)
		}
		if m.Extra && strings.TrimSpace(m.ExtraReason) == "" {
			return fmt.Errorf("%w: %q", ErrExtraReason, m.Name)
		}
	}
	return nil
}

// blockers returns the non-extra, non-optional materials for which block
// is true.
func blockers(list []Material, block func(Material) bool) []Material {
	var out []Material
	for _, m := range list {
		if m.Extra || m.Requirement == Optional {
			continue
		}
		if block(m) {
			out = append(out, m)
		}
	}
	return out
}

func normalizeGuideMaterial(g GuideMaterial) (GuideMaterial, error) {
	g.Name = strings.TrimSpace(g.Name)
	switch {
	case g.Name == "":
		return g, fmt.Errorf("%w: empty name", ErrMaterial)
	case !g.Form.Valid():
		return g, fmt.Errorf("%w: %q has form %q", ErrMaterial, g.Name, g.Form)
	case !g.Requirement.Valid():
		return g, fmt.Errorf("%w: %q has requirement %q", ErrMaterial, g.Name, g.Requirement)
	case g.Count < 0:
		return g, fmt.Errorf("%w: %q has count %d", ErrMaterial, g.Name, g.Count)
	case g.Count == 0:
		g.Count = 1
	}
	return g, nil
}

func indexOf(list []Material, name string) int {
	for i, m := range list {
		if m.Name == name {
			return i
		}
	}
	return -1
}

func cloneMaterials(list []Material) []Material {
	return append([]Material(nil), list...)
}
