package messaging

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrBadVersion is returned by [ParseVersion] for a string that is not
// "X.Y" or "X.Y.Z" with decimal parts.
var ErrBadVersion = errors.New("messaging: malformed version")

// Version is an RPC API version, "Major.Minor" with an optional revision.
// The zero Version means "no version": it is not sent on the wire, and a
// server reads it as 1.0.
type Version struct {
	Major, Minor, Revision int
}

// V returns the version major.minor.
func V(major, minor int) Version { return Version{Major: major, Minor: minor} }

// ParseVersion parses "X.Y" or "X.Y.Z".
func ParseVersion(s string) (Version, error) {
	parts := strings.Split(s, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return Version{}, fmt.Errorf("%w: %q", ErrBadVersion, s)
	}
	var nums [3]int
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || p == "" || (p[0] == '+') {
			return Version{}, fmt.Errorf("%w: %q", ErrBadVersion, s)
		}
		nums[i] = n
	}
	return Version{Major: nums[0], Minor: nums[1], Revision: nums[2]}, nil
}

// MustParseVersion is ParseVersion for constants; it panics on error.
func MustParseVersion(s string) Version {
	v, err := ParseVersion(s)
	if err != nil {
		panic(err)
	}
	return v
}

// IsZero reports whether v is the zero Version ("no version").
func (v Version) IsZero() bool { return v == Version{} }

// String formats v as oslo does: "X.Y", or "X.Y.Z" when Revision is set.
func (v Version) String() string {
	if v.Revision != 0 {
		return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Revision)
	}
	return strconv.Itoa(v.Major) + "." + strconv.Itoa(v.Minor)
}

// orDefault returns v, or 1.0 for the zero Version.
func (v Version) orDefault() Version {
	if v.IsZero() {
		return V(1, 0)
	}
	return v
}

// CanServe reports whether an endpoint implementing v can serve a request
// for req, by oslo's version_is_compatible: the same major, a requested
// minor not above v's, and at an equal minor a revision not above v's.
// The zero Version stands for 1.0 on both sides.
func (v Version) CanServe(req Version) bool {
	v, req = v.orDefault(), req.orDefault()
	if v.Major != req.Major || req.Minor > v.Minor {
		return false
	}
	return req.Minor < v.Minor || req.Revision <= v.Revision
}

// Less reports whether v sorts before w.
func (v Version) Less(w Version) bool {
	if v.Major != w.Major {
		return v.Major < w.Major
	}
	if v.Minor != w.Minor {
		return v.Minor < w.Minor
	}
	return v.Revision < w.Revision
}
