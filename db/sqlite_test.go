package db_test

import (
	"testing"

	"github.com/ironic-go/ironic-go/db/dbtest"
)

func TestSQLiteConformance(t *testing.T) {
	dbtest.RunAPITests(t, dbtest.SQLiteOpener())
}
