package store

import (
	"encoding/base64"
	"errors"
	"strings"

	"mingbai/internal/apperr"
	"mingbai/internal/cases"
	"mingbai/internal/pii"
	"mingbai/internal/workday"
)

// caseErr maps the plain sentinel errors of the pure packages (pii, cases,
// workday) to application errors with a message key, so that staff and
// citizens read what is wrong ("身份证号最后一位校验错误，请核对") and
// clients can switch on the code. Errors it does not know pass through.
func caseErr(err error) error {
	if err == nil || apperr.As(err) != nil {
		return err
	}
	var te *cases.TransitionError
	var me *cases.MaterialsError
	var ye *workday.UnknownYearError
	switch {
	case errors.Is(err, pii.ErrIDLength):
		return apperr.InvalidField("id_number", "cases.id_length")
	case errors.Is(err, pii.ErrIDCharacter):
		return apperr.InvalidField("id_number", "cases.id_character")
	case errors.Is(err, pii.ErrIDBirthDate):
		return apperr.InvalidField("id_number", "cases.id_birth_date")
	case errors.Is(err, pii.ErrIDChecksum):
		return apperr.InvalidField("id_number", "cases.id_checksum")
	case errors.Is(err, pii.ErrMobile):
		return apperr.InvalidField("phone", "cases.phone_invalid")
	case errors.Is(err, pii.ErrCreditCodeLength), errors.Is(err, pii.ErrCreditCodeCharacter):
		return apperr.InvalidField("credit_code", "cases.credit_code_invalid")
	case errors.Is(err, pii.ErrCreditCodeChecksum):
		return apperr.InvalidField("credit_code", "cases.credit_code_checksum")
	case errors.As(err, &te):
		if te.InstantOnly {
			return apperr.New(apperr.Conflict, "cases.transition_instant_only")
		}
		return apperr.New(apperr.Conflict, "cases.transition_not_allowed", "case_state."+string(te.From), "case_state."+string(te.To))
	case errors.As(err, &me):
		return apperr.New(apperr.Invalid, "cases.materials_missing", "case_state."+string(me.To), strings.Join(me.Names, "、"))
	case errors.Is(err, cases.ErrRejection):
		return apperr.InvalidField("legal_basis", "cases.rejection_needs_basis")
	case errors.Is(err, cases.ErrNothingToCorrect):
		return apperr.New(apperr.Invalid, "cases.nothing_to_correct")
	case errors.Is(err, cases.ErrChangeDate):
		return apperr.New(apperr.Invalid, "cases.change_date")
	case errors.Is(err, cases.ErrNotDeferrable):
		return apperr.InvalidField("materials", "cases.not_deferrable")
	case errors.Is(err, cases.ErrNoDeferredAcceptance):
		return apperr.InvalidField("decision", "cases.no_deferred_acceptance")
	case errors.Is(err, cases.ErrSupplyBy):
		return apperr.InvalidField("supply_by", "cases.supply_by", cases.MaxSupplyDays)
	case errors.Is(err, cases.ErrDecision):
		return apperr.InvalidField("decision", "cases.bad_decision")
	case errors.Is(err, cases.ErrExtraReason):
		return apperr.InvalidField("extras", "cases.extra_needs_reason")
	case errors.Is(err, cases.ErrNoSuchMaterial):
		return apperr.InvalidField("materials", "cases.material_not_in_guide", "")
	case errors.Is(err, cases.ErrMaterial):
		return apperr.InvalidField("materials", "cases.bad_material", err.Error())
	case errors.As(err, &ye):
		return apperr.New(apperr.Invalid, "cases.unknown_year", ye.Year)
	case errors.Is(err, workday.ErrInvalidDate):
		return apperr.New(apperr.Invalid, "cases.bad_date", "")
	case errors.Is(err, cases.ErrLimit), errors.Is(err, cases.ErrCase):
		return apperr.New(apperr.Invalid, "cases.bad_guide", err.Error())
	}
	return err
}

func decodeB64(s string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, pii.ErrCiphertext
	}
	return b, nil
}

func encodeB64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
