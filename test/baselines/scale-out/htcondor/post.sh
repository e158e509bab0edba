#!/bin/sh
# DAGMan POST script: $1 the task, $2 the job's exit code.
if [ "$2" != 0 ]; then exit "$2"; fi
exec $NODE $HEPC task $WORKDIR "$1" --verify
