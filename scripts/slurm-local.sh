#!/usr/bin/env bash
# A single-node Slurm for tests (CI and development), without systemd: munged + slurmctld + slurmd
# on this host, as root. `install` gets Debian's packages, `start` writes a slurm.conf and starts
# the daemons (reusing a munged that already answers), `stop` cancels every job and stops only the
# daemons this script started (their pids are recorded; a pid is signalled only while its
# /proc/PID/comm still names the daemon). State, logs and pids live in $SLURM_CI_DIR
# (default /tmp/hepc-slurm), wiped on each start.
#
#   scripts/slurm-local.sh install   # apt-get: slurm-wlm munge (about 11 s)
#   scripts/slurm-local.sh start     # under 2 s
#   scripts/slurm-local.sh stop
#   scripts/slurm-local.sh status    # exit 0 when it is up
set -euo pipefail

DIR="${SLURM_CI_DIR:-/tmp/hepc-slurm}"
PIDS="$DIR/pids"
CONF=/etc/slurm/slurm.conf

die() { echo "slurm-local: $*" >&2; exit 1; }

alive() { # pid name: running and not a zombie, and still that daemon
  local pid=$1 name=$2
  [ -r "/proc/$pid/stat" ] || return 1
  local st; st=$(sed -E 's/^[0-9]+ \(.*\) ([A-Z]).*/\1/' "/proc/$pid/stat" 2>/dev/null || echo Z)
  [ "$st" != Z ] || return 1
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ]
}

install() {
  [ "$(id -u)" -eq 0 ] || die "install needs root (apt-get)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
}

wait_for() { # what pidname logfile command...
  local what=$1 name=$2 log=$3; shift 3
  for _ in $(seq 1 100); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    if ! alive "$(cat "$PIDS/$name.pid")" "$name"; then
      echo "slurm-local: $what died while starting; the end of $log:" >&2
      tail -n 20 "$log" >&2 || true
      stop; exit 1
    fi
    sleep 0.1
  done
  echo "slurm-local: $what did not come up in 10 s; the end of $log:" >&2
  tail -n 20 "$log" >&2 || true
  stop; exit 1
}

start() {
  [ "$(id -u)" -eq 0 ] || die "start needs root"
  for c in munged slurmctld slurmd sbatch scontrol sinfo setpriv; do
    command -v "$c" >/dev/null || die "$c is missing: run '$0 install' first (apt-get install slurm-wlm munge)"
  done
  for n in slurmd slurmctld munged; do
    if [ -f "$PIDS/$n.pid" ] && alive "$(cat "$PIDS/$n.pid")" "$n"; then die "$n (pid $(cat "$PIDS/$n.pid")) is still running: run '$0 stop' first"; fi
  done
  rm -rf "$DIR"; mkdir -p "$PIDS" "$DIR/state" "$DIR/spool" "$DIR/log"
  # munge: /run is a tmpfs that systemd-tmpfiles would have populated
  mkdir -p /run/munge && chown munge:munge /run/munge && chmod 0755 /run/munge
  [ -s /etc/munge/munge.key ] || { mungekey -c -f -k /etc/munge/munge.key; chown munge:munge /etc/munge/munge.key; chmod 0400 /etc/munge/munge.key; }
  if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    : # a munged already answers (started by a package or an init system): reuse it, never stop it
  else
    setpriv --reuid=munge --regid=munge --init-groups -- munged --foreground >"$DIR/log/munged.log" 2>&1 &
    echo $! >"$PIDS/munged.pid"
    wait_for munged munged "$DIR/log/munged.log" sh -c 'munge -n | unmunge'
  fi
  local host node hw
  host=$(uname -n)
  node=$host
  hw=$(slurmd -C | head -n 1 | sed -E 's/^NodeName=[^ ]+ //; s/ UpTime=.*//')
  mkdir -p /etc/slurm
  cat >"$CONF" <<CONF
# written by hepc's scripts/slurm-local.sh: a one-node test cluster
ClusterName=hepc-ci
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmctldPort=${SLURM_CTLD_PORT:-6817}
SlurmdPort=${SLURM_D_PORT:-6818}
AuthType=auth/munge
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$DIR/log/jobcomp.txt
MinJobAge=3600
MailProg=/bin/true
MpiDefault=none
ReturnToService=2
NodeName=$node NodeAddr=127.0.0.1 $hw State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF
  slurmctld -D >"$DIR/log/slurmctld.out" 2>&1 &
  echo $! >"$PIDS/slurmctld.pid"
  wait_for slurmctld slurmctld "$DIR/log/slurmctld.log" sh -c 'scontrol ping | grep -q UP'
  slurmd -D -N "$node" >"$DIR/log/slurmd.out" 2>&1 &
  echo $! >"$PIDS/slurmd.pid"
  wait_for slurmd slurmd "$DIR/log/slurmd.log" sh -c "sinfo -h -n '$node' -o %t | grep -q idle"
  echo "slurm-local: up (node $node, state in $DIR)"
}

stop() {
  if command -v scancel >/dev/null && [ -f "$PIDS/slurmctld.pid" ] && alive "$(cat "$PIDS/slurmctld.pid")" slurmctld; then
    scancel --full --quiet $(squeue -h -o %A 2>/dev/null | sort -u) 2>/dev/null || true
    for _ in $(seq 1 100); do
      [ -z "$(squeue -h -t R,CG -o %A 2>/dev/null)" ] && break
      sleep 0.1
    done
  fi
  for n in slurmd slurmctld munged; do
    local f="$PIDS/$n.pid"
    [ -f "$f" ] || continue
    local pid; pid=$(cat "$f")
    if alive "$pid" "$n"; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 150); do alive "$pid" "$n" || break; sleep 0.1; done
      alive "$pid" "$n" && kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$f"
  done
  echo "slurm-local: stopped"
}

status() { # exit 0 when the cluster this script started is up
  [ -f "$PIDS/slurmctld.pid" ] && alive "$(cat "$PIDS/slurmctld.pid")" slurmctld && scontrol ping 2>/dev/null | grep -q UP
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) if status; then echo "slurm-local: up (state in $DIR)"; else echo "slurm-local: not running"; exit 1; fi ;;
  *) echo "usage: $0 install|start|stop|status" >&2; exit 2 ;;
esac
