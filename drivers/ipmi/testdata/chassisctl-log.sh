#!/bin/sh
# chassisctl.sh that first appends "<unix time> <op> <params>" to a log
# file (first argument), so that a benchmark can time power state reads
# from the BMCs' side: ipmi_sim runs its chassis control program for every
# Get Chassis Status.
log=$1; shift
echo "$(date +%s.%N) $2 $3" >> "$log"
exec "$(dirname "$0")/chassisctl.sh" "$@"
