//go:build integration

package db_test

import (
	"testing"

	"github.com/ironic-go/ironic-go/db"
	"github.com/ironic-go/ironic-go/db/dbtest"
)

func init() {
	benchBackends = append(benchBackends, struct {
		name string
		open func(b *testing.B, cfg db.Config) *db.Store
	}{"pg", func(b *testing.B, cfg db.Config) *db.Store {
		return dbtest.MustOpen(b, dbtest.NewSchema(b, dbtest.PostgresDSN()), cfg)
	}})
}
