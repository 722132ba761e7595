package db_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/rs/zerolog"

	"github.com/ironic-go/ironic-go/objects/exception"
)

func ptr[T any](v T) *T { return &v }

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// isExc reports whether err is the Ironic exception class with kwarg
// key = value.
func isExc(err error, class, key string, value any) bool {
	var ie *exception.Error
	if !errors.As(err, &ie) || ie.Class != class {
		return false
	}
	return key == "" || fmt.Sprint(ie.Kwargs[key]) == fmt.Sprint(value)
}

func testLogger(t testing.TB) zerolog.Logger {
	return zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.InfoLevel)
}
