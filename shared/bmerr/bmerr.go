// Package bmerr is Bianmin's one error type. Every domain package returns
// *Error for failures a person must understand: it carries a machine-readable
// code and reason, the field at fault, and the message in Chinese and English
// written for a township clerk, not a programmer.
//
// The transport layers map Code to their own status (see syncserver's
// Connect error table); Reason is stable and safe to switch on.
package bmerr

import (
	"errors"
	"fmt"
)

// Code classifies an error the way a caller reacts to it.
type Code string

const (
	Invalid            Code = "invalid"             // the input is malformed or fails a rule
	NotFound           Code = "not_found"           // the thing named does not exist (or is not visible)
	Conflict           Code = "conflict"            // the thing exists already / a concurrent change won
	FailedPrecondition Code = "failed_precondition" // the action is not allowed in the current state
	PermissionDenied   Code = "permission_denied"   // the caller's role, level or station may not do this
	Unauthenticated    Code = "unauthenticated"     // no valid credential
	ResourceExhausted  Code = "resource_exhausted"  // too big, too many
	Unavailable        Code = "unavailable"         // try again later
	Internal           Code = "internal"            // a bug or a broken disk; never the user's fault
)

// Error is a domain error with bilingual, user-facing text.
type Error struct {
	Code   Code
	Reason string // stable machine-readable reason, e.g. "id_checksum"
	Field  string // the input field at fault, if any
	Zh     string // message for the user, in Chinese
	En     string // the same message in English
}

// New returns an Error. zh and en are complete sentences a clerk can act on.
func New(code Code, reason, zh, en string) *Error {
	return &Error{Code: code, Reason: reason, Zh: zh, En: en}
}

// Newf is New with fmt formatting applied to both messages with the same args.
func Newf(code Code, reason, zh, en string, args ...any) *Error {
	return &Error{Code: code, Reason: reason, Zh: fmt.Sprintf(zh, args...), En: fmt.Sprintf(en, args...)}
}

// WithField returns a copy of e naming the field at fault.
func (e *Error) WithField(field string) *Error {
	c := *e
	c.Field = field
	return &c
}

// Error returns the English message (logs are in English; the UI calls Message).
func (e *Error) Error() string {
	if e.Field != "" {
		return e.Field + ": " + e.En
	}
	return e.En
}

// Message returns the message in lang ("zh…" gives Chinese, anything else English).
func (e *Error) Message(lang string) string {
	if len(lang) >= 2 && lang[:2] == "zh" {
		return e.Zh
	}
	return e.En
}

// As returns the first *Error in err's chain, or nil.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// CodeOf returns err's Code; Internal for a non-nil error that is not an *Error, "" for nil.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	if e := As(err); e != nil {
		return e.Code
	}
	return Internal
}

// ReasonOf returns err's Reason, or "" when err is not an *Error.
func ReasonOf(err error) string {
	if e := As(err); e != nil {
		return e.Reason
	}
	return ""
}

// Message returns the user-facing message of any error in lang. Errors that are
// not *Error are bugs or infrastructure failures; their text is shown as is.
func Message(err error, lang string) string {
	if err == nil {
		return ""
	}
	if e := As(err); e != nil {
		return e.Message(lang)
	}
	return err.Error()
}
