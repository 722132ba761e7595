// Package conductor is the Ironic conductor: a [Service] that registers in
// the shared database, heartbeats, serves RPC API 1.40 through a [Manager],
// runs the periodic tasks and takes over the nodes the hash ring maps to
// it. Node locks are taken by the [TaskManager] (the reservation column);
// background work runs in a bounded [WorkerPool] and keeps its lock until
// it ends.
//
// Mirrors ironic.conductor (manager.py, base_manager.py, task_manager.py,
// utils.py) and ironic.common.rpc_service.
package conductor
