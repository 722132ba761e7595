package db

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/objects/exception"
)

// Ref identifies a row by its database id or by its UUID, as Ironic's
// add_identity_filter does. Build one with [ByID], [ByUUID] or [ParseRef].
type Ref struct {
	ID   int64  // used when UUID is ""
	UUID string // used when set
}

// ByID refers to the row with database id id.
func ByID(id int64) Ref { return Ref{ID: id} }

// ByUUID refers to the row with UUID u.
func ByUUID(u string) Ref { return Ref{UUID: u} }

// ParseRef reads an identity as Ironic does: an integer-like string is an
// id, a UUID-like string a UUID; anything else is InvalidIdentity.
func ParseRef(s string) (Ref, error) {
	if isIntLike(s) {
		id, err := strconv.ParseInt(s, 10, 64)
		if err == nil {
			return ByID(id), nil
		}
	}
	if objects.IsUUIDLike(s) {
		return ByUUID(s), nil
	}
	return Ref{}, exception.InvalidIdentity(s)
}

// isIntLike is oslo's strutils.is_int_like: str(int(s)) == s.
func isIntLike(s string) bool {
	i, err := strconv.ParseInt(s, 10, 64)
	return err == nil && strconv.FormatInt(i, 10) == s
}

// String returns the UUID, or the id in decimal.
func (r Ref) String() string {
	if r.UUID != "" {
		return r.UUID
	}
	return strconv.FormatInt(r.ID, 10)
}

// ident is the value Ironic's exceptions name: the UUID string or the id.
func (r Ref) ident() any {
	if r.UUID != "" {
		return r.UUID
	}
	return r.ID
}

// check refuses a malformed UUID.
func (r Ref) check() error {
	if r.UUID != "" && !objects.IsUUIDLike(r.UUID) {
		return exception.InvalidUUID(r.UUID)
	}
	return nil
}

// where returns the condition selecting the row and its argument.
func (r Ref) where() (string, any) {
	if r.UUID != "" {
		return `"uuid" = ?`, r.UUID
	}
	return `"id" = ?`, r.ID
}

// newUUID returns a random (version 4) UUID in Ironic's form: lowercase
// with hyphens (uuidutils.generate_uuid).
func newUUID() string { return uuid.NewString() }

var macRe = regexp.MustCompile(`^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$`)

// validMAC is oslo's netutils.is_valid_mac: six colon-separated octets.
func validMAC(s string) bool { return macRe.MatchString(s) }

// normalizeMAC is the lowercase, colon-separated form Ironic stores.
func normalizeMAC(s string) string {
	if !validMAC(s) {
		return s
	}
	return strings.ToLower(s)
}

// checkUUIDField refuses a set but malformed UUID field.
func checkUUIDField(u *string) error {
	if u != nil && !objects.IsUUIDLike(*u) {
		return exception.InvalidUUID(*u)
	}
	return nil
}
