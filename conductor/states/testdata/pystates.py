"""Dump Debian Ironic's provision state machine and run cases on it.

Reads a JSON list of cases on stdin; each case is
{"start": str|null, "target": str|null, "events": [[event, target|null], ...]}.
Writes one JSON object on stdout: the machine's tables and, per case, the
resulting {"current", "target"} or {"error_class", "error"}.
"""
import json
import sys

from ironic.common import states


def run(case):
    m = states.machine.copy()
    try:
        m.initialize(start_state=case["start"], target_state=case["target"])
        for event, target in case["events"]:
            m.process_event(event, target_state=target)
    except Exception as e:  # the fsm raises ironic exceptions
        return {"error_class": type(e).__name__, "error": str(e)}
    return {"current": m.current_state, "target": m.target_state}


def main():
    cases = json.load(sys.stdin)
    machine = states.machine
    out = {
        "states": {
            s: {"stable": d["stable"], "target": d["target"]}
            for s, d in machine._states.items()
        },
        "transitions": [
            [src, ev, jump.name]
            for src, evs in machine._transitions.items()
            for ev, jump in evs.items()
        ],
        "stable": list(states.STABLE_STATES),
        "unstable": list(states.UNSTABLE_STATES),
        "delete_allowed": list(states.DELETE_ALLOWED_STATES),
        "update_allowed": list(states.UPDATE_ALLOWED_STATES),
        "verbs": states.VERBS,
        "power": [states.POWER_ON, states.POWER_OFF, states.REBOOT,
                  states.SOFT_REBOOT, states.SOFT_POWER_OFF],
        "results": [run(c) for c in cases],
    }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
