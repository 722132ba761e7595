package db_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ironic-go/ironic-go/db"
	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/objects/exception"
)

// A conductor opens the embedded default database, registers, and locks
// a node the way TaskManager does.
func Example() {
	dir, _ := os.MkdirTemp("", "ironic-go-example")
	defer os.RemoveAll(dir)
	ctx := context.Background()

	cfg := db.DefaultConfig()
	cfg.SQLitePath = filepath.Join(dir, "ironic.sqlite") // [database] connection is empty
	store, err := db.Open(ctx, "", cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()

	_, _ = store.RegisterConductor(ctx, db.ConductorRegistration{
		Hostname: "cond-1",
		HardwareInterfaces: []db.HardwareInterface{
			{HardwareType: "ipmi", InterfaceType: "power", InterfaceName: "ipmitool", Default: true},
		},
	}, false)
	ring, _ := store.ActiveDriverHosts(ctx)
	fmt.Println("ring:", ring)

	name, driver := "node-1", "ipmi"
	n, _ := store.CreateNode(ctx, &objects.Node{Name: &name, Driver: &driver})
	fmt.Println("created in", *n.ProvisionState)

	locked, _ := store.ReserveNode(ctx, "cond-1", db.ByUUID(*n.UUID))
	fmt.Println("reserved by", *locked.Reservation)

	_, err = store.ReserveNode(ctx, "cond-2", db.ByID(n.ID))
	fmt.Println("second lock is a conflict:", errors.Is(err, exception.ErrConflict))

	_ = store.ReleaseNode(ctx, "cond-1", db.ByID(n.ID))
	// Output:
	// ring: map[ipmi:[cond-1]]
	// created in enroll
	// reserved by cond-1
	// second lock is a conflict: true
}
