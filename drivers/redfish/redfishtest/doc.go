// Package redfishtest is a stateful fake Redfish BMC for tests: an
// httptest server that serves the DMTF Redfish mockups (embedded from
// testdata/, BSD 3-Clause, see testdata/NOTICE) and adds the state and
// quirks of a real emulator, OpenStack's sushy-tools with its fake driver:
//
//   - a ComputerSystem.Reset answers 204 and the power change lands after a
//     delay (1 to 11 s on the emulator; Options.PowerDelay here);
//   - the reset types advertised are On, ForceOff, GracefulShutdown,
//     GracefulRestart, ForceRestart, Nmi and ForceOn; Nmi answers 501
//     although advertised, and PowerCycle (not advertised) answers 501;
//   - a Boot PATCH answers 204; BootSourceOverrideTarget and
//     BootSourceOverrideMode round-trip, unknown targets are accepted, and
//     BootSourceOverrideEnabled always reads back "Continuous";
//   - /redfish and /redfish/v1 need no credentials, everything below
//     answers 401 without HTTP basic authentication, and there is no
//     SessionService.
//
// Options switch on what other BMCs do instead: a SessionService (with or
// without basic authentication), TLS, transitional power states,
// BootSourceOverrideEnabled that round-trips, refusing "Continuous" with
// 400, consuming a "Once" override at boot, accepting Nmi. Every request is
// recorded, and any resource can be replaced by raw bytes (for fuzzing).
//
// The server starts no goroutine of its own besides net/http's; Close
// stops it. It is safe for concurrent use.
//
// Mirrors sushy-tools' emulator (sushy_tools.emulator.main) on DMTF data.
package redfishtest
