#!/usr/bin/env bash
# Runs docker-registry for one test and makes sure it does not outlive the test process:
# the registry is killed when our stdin (a pipe from the test) closes. Usage: run-registry.sh CONFIG PIDFILE
# The test kills the registry itself (SIGKILL, to simulate a crash) through PIDFILE.
set -u
/usr/bin/docker-registry serve "$1" &
registry=$!
echo "$registry" > "$2"
# Wait for EOF on stdin (the test ended or crashed), then make sure the registry is gone.
# `read` is a builtin: no child process is left behind if the test kills this script.
while IFS= read -r _; do :; done
kill -9 "$registry" 2>/dev/null
wait "$registry" 2>/dev/null
exit 0
