package catalog

import (
	"slices"
	"strings"
)

// label is the Chinese and English name of one enumeration value.
type label struct{ zh, en string }

// Category is the kind of administrative power or public service an item is
// (事项类型), stored as a stable code; Zh and En give its labels.
type Category string

// The categories of the HR and social-security catalogue.
const (
	CategoryLicense      Category = "administrative_license"      // 行政许可
	CategoryConfirmation Category = "administrative_confirmation" // 行政确认
	CategoryPayment      Category = "administrative_payment"      // 行政给付
	CategoryAdjudication Category = "administrative_adjudication" // 行政裁决
	CategoryInspection   Category = "administrative_inspection"   // 行政检查
	CategoryOther        Category = "other_power"                 // 其他行政权力
	CategoryPublic       Category = "public_service"              // 公共服务
)

var categoryOrder = []Category{
	CategoryLicense, CategoryConfirmation, CategoryPayment, CategoryAdjudication,
	CategoryInspection, CategoryOther, CategoryPublic,
}

var categoryLabels = map[Category]label{
	CategoryLicense:      {"行政许可", "Administrative licence"},
	CategoryConfirmation: {"行政确认", "Administrative confirmation"},
	CategoryPayment:      {"行政给付", "Administrative payment"},
	CategoryAdjudication: {"行政裁决", "Administrative adjudication"},
	CategoryInspection:   {"行政检查", "Administrative inspection"},
	CategoryOther:        {"其他行政权力", "Other administrative power"},
	CategoryPublic:       {"公共服务", "Public service"},
}

// Categories returns all categories in display order.
func Categories() []Category { return append([]Category(nil), categoryOrder...) }

// Valid reports whether c is a known category.
func (c Category) Valid() bool { _, ok := categoryLabels[c]; return ok }

// Zh returns the Chinese label, or the code itself when unknown.
func (c Category) Zh() string { return labelOf(categoryLabels, c).zh }

// En returns the English label, or the code itself when unknown.
func (c Category) En() string { return labelOf(categoryLabels, c).en }

// Handling is the handling type of an item (办件类型).
type Handling string

// The handling types.
const (
	// Instant items (即办件) are completed on the spot; pledged limit 0.
	Instant Handling = "instant"
	// Pledged items (承诺件) are completed within the pledged limit.
	Pledged Handling = "pledged"
)

var handlingLabels = map[Handling]label{
	Instant: {"即办件", "On the spot"},
	Pledged: {"承诺件", "Within the pledged limit"},
}

// Valid reports whether h is a known handling type.
func (h Handling) Valid() bool { _, ok := handlingLabels[h]; return ok }

// Zh returns the Chinese label, or the code itself when unknown.
func (h Handling) Zh() string { return labelOf(handlingLabels, h).zh }

// En returns the English label, or the code itself when unknown.
func (h Handling) En() string { return labelOf(handlingLabels, h).en }

// MaterialForm says in which form a material is handed in.
type MaterialForm string

// The material forms.
const (
	FormOriginal        MaterialForm = "original"          // 原件
	FormCopy            MaterialForm = "copy"              // 复印件
	FormOriginalAndCopy MaterialForm = "original_and_copy" // 原件及复印件
	FormElectronic      MaterialForm = "electronic"        // 电子材料
)

var formLabels = map[MaterialForm]label{
	FormOriginal:        {"原件", "original"},
	FormCopy:            {"复印件", "copy"},
	FormOriginalAndCopy: {"原件及复印件", "original and copy"},
	FormElectronic:      {"电子材料", "electronic"},
}

// Valid reports whether f is a known material form.
func (f MaterialForm) Valid() bool { _, ok := formLabels[f]; return ok }

// Zh returns the Chinese label, or the code itself when unknown.
func (f MaterialForm) Zh() string { return labelOf(formLabels, f).zh }

// En returns the English label, or the code itself when unknown.
func (f MaterialForm) En() string { return labelOf(formLabels, f).en }

// Requirement says whether a material must be handed in.
type Requirement string

// The material requirements.
const (
	// Required materials must be handed in before the item is accepted.
	Required Requirement = "required" // 必要
	// Optional materials are needed only in the cases the note names.
	Optional Requirement = "optional" // 非必要（视情形提供）
	// Deferrable materials may be handed in after acceptance (容缺受理).
	Deferrable Requirement = "deferrable" // 容缺后补
)

var requirementLabels = map[Requirement]label{
	Required:   {"必要", "required"},
	Optional:   {"视情形提供", "if applicable"},
	Deferrable: {"可容缺后补", "may follow later"},
}

// Valid reports whether r is a known requirement.
func (r Requirement) Valid() bool { _, ok := requirementLabels[r]; return ok }

// Zh returns the Chinese label, or the code itself when unknown.
func (r Requirement) Zh() string { return labelOf(requirementLabels, r).zh }

// En returns the English label, or the code itself when unknown.
func (r Requirement) En() string { return labelOf(requirementLabels, r).en }

// Delivery is one way the result reaches the applicant.
type Delivery string

// The delivery options.
const (
	DeliveryOnTheSpot Delivery = "on_the_spot" // 当场领取
	DeliveryPickup    Delivery = "pickup"      // 窗口领取
	DeliveryMail      Delivery = "mail"        // 邮寄送达
	DeliveryOnline    Delivery = "online"      // 网上送达
)

var deliveryLabels = map[Delivery]label{
	DeliveryOnTheSpot: {"当场领取", "on the spot"},
	DeliveryPickup:    {"窗口领取", "pick up at the window"},
	DeliveryMail:      {"邮寄送达", "by mail"},
	DeliveryOnline:    {"网上送达", "online"},
}

// Valid reports whether d is a known delivery option.
func (d Delivery) Valid() bool { _, ok := deliveryLabels[d]; return ok }

// Zh returns the Chinese label, or the code itself when unknown.
func (d Delivery) Zh() string { return labelOf(deliveryLabels, d).zh }

// En returns the English label, or the code itself when unknown.
func (d Delivery) En() string { return labelOf(deliveryLabels, d).en }

// StandardZones are the zone codes of the first hall (docs/DEVELOPING.md), in
// ticket-prefix order A–E. Halls may define others; Validate takes the list.
var StandardZones = []string{"employment", "social_insurance", "arbitration", "inspection", "general"}

func labelOf[K ~string](m map[K]label, k K) label {
	if l, ok := m[k]; ok {
		return l
	}
	return label{string(k), string(k)}
}

// allowed lists the codes of an enumeration, sorted, for messages.
func allowed[K ~string](m map[K]label) string {
	codes := make([]string, 0, len(m))
	for k := range m {
		codes = append(codes, string(k))
	}
	slices.Sort(codes)
	return strings.Join(codes, ", ")
}
