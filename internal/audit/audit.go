// Package audit defines the hash-chained audit record. Each record stores
// the hash of the previous one, so editing, deleting or reordering any
// record breaks the chain at that point; Verify names the first bad record.
// Storage appends records in the same transaction as the change they
// describe and offers no way to delete them (Cybersecurity Law art. 21: keep
// at least six months; 等保 level 3: protect records from deletion).
package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// Outcome of an audited action.
const (
	OK     = "ok"
	Denied = "denied"
	Failed = "failed"
)

// Record is one audit entry.
type Record struct {
	Seq      int64  `json:"seq"`
	At       int64  `json:"at"` // unix milliseconds
	Actor    string `json:"actor"`
	Role     string `json:"role"`
	Action   string `json:"action"`
	Object   string `json:"object"`
	Outcome  string `json:"outcome"`
	Source   string `json:"source"`
	Detail   string `json:"detail"`
	PrevHash string `json:"prev_hash"`
	Hash     string `json:"hash"`
}

// Genesis is the previous hash of the first record.
const Genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// ComputeHash returns the hash of r given its PrevHash. Fields are
// length-prefixed so that no two different records serialise alike.
func ComputeHash(r Record) string {
	var b strings.Builder
	for _, f := range []string{strconv.FormatInt(r.Seq, 10), strconv.FormatInt(r.At, 10), r.Actor, r.Role, r.Action, r.Object, r.Outcome, r.Source, r.Detail, r.PrevHash} {
		b.WriteString(strconv.Itoa(len(f)))
		b.WriteByte(':')
		b.WriteString(f)
		b.WriteByte('|')
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}

// Chain links r to the previous record and sets its hash.
func Chain(r Record, prevSeq int64, prevHash string) Record {
	r.Seq = prevSeq + 1
	r.PrevHash = prevHash
	r.Hash = ComputeHash(r)
	return r
}

// Verifier checks records streamed in sequence order.
type Verifier struct {
	prevSeq  int64
	prevHash string
	count    int64
}

// NewVerifier starts a verification at the beginning of the log.
func NewVerifier() *Verifier { return &Verifier{prevHash: Genesis} }

// Next checks one record; the error names the record and what is wrong.
func (v *Verifier) Next(r Record) error {
	switch {
	case r.Seq != v.prevSeq+1:
		return fmt.Errorf("record %d: expected sequence %d (a record was deleted or reordered)", r.Seq, v.prevSeq+1)
	case r.PrevHash != v.prevHash:
		return fmt.Errorf("record %d: previous-hash link does not match record %d (a record was deleted, reordered or edited)", r.Seq, v.prevSeq)
	case ComputeHash(r) != r.Hash:
		return fmt.Errorf("record %d: content does not match its hash (the record was edited)", r.Seq)
	}
	v.prevSeq, v.prevHash = r.Seq, r.Hash
	v.count++
	return nil
}

// Count returns how many records verified so far.
func (v *Verifier) Count() int64 { return v.count }
