#!/usr/bin/env bash
# A private single-node Slurm cluster for testing the job-array recipe: its own munged, slurmctld
# and slurmd on this machine, with everything — configuration, keys, sockets, state, logs, PID
# files — in one folder DIR. It never reads or writes the system's configuration (/etc/slurm,
# /etc/munge, /run/munge), listens on its own ports, and stops exactly the daemons it started
# (by the PIDs it recorded). Installs Debian's slurm-wlm and munge when missing.
#
#   toys/slurm/local-cluster.sh start DIR   # then: export SLURM_CONF=DIR/slurm.conf
#   toys/slurm/local-cluster.sh stop DIR
#
# Needs root, or sudo (munged runs as the munge user; slurmd launches jobs). Ports: 16817
# (slurmctld) and 16818 (slurmd), or ZPTOYS_SLURM_PORT and ZPTOYS_SLURM_PORT+1.
set -euo pipefail
action=${1:-}
dir=${2:-}
if [ -z "$action" ] || [ -z "$dir" ] || { [ "$action" != start ] && [ "$action" != stop ]; }; then
  sed -n '2,12p' "$0" >&2
  exit 2
fi
SUDO=(); [ "$(id -u)" = 0 ] || SUDO=(sudo)
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
conf="$dir/slurm.conf"

# Runs a command as the munge user (runuser when root, else sudo -u).
as_munge() {
  if [ "$(id -u)" = 0 ]; then runuser -u munge -- "$@"; else sudo -u munge -- "$@"; fi
}

# Stops the daemon whose PID file is $1 if that PID is still the program $2 started with this
# folder on its command line; waits for it to exit.
stop_daemon() {
  local pidfile=$1 name=$2 pid
  [ -s "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  if [ -r "/proc/$pid/cmdline" ] && [ "$(cat "/proc/$pid/comm")" = "$name" ] &&
     tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- "$dir"; then
    "${SUDO[@]}" kill "$pid"
    for _ in $(seq 1 50); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
    if [ -d "/proc/$pid" ]; then "${SUDO[@]}" kill -9 "$pid" || true; fi
    echo "slurm: stopped $name (pid $pid)"
  fi
  "${SUDO[@]}" rm -f "$pidfile"
}

if [ "$action" = stop ]; then
  stop_daemon "$dir/slurmd.pid" slurmd
  stop_daemon "$dir/slurmctld.pid" slurmctld
  stop_daemon "$dir/munge/munged.pid" munged
  exit 0
fi

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  "${SUDO[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq slurm-wlm munge >/dev/null
fi
for f in slurmctld.pid slurmd.pid munge/munged.pid; do
  if [ -s "$dir/$f" ] && [ -d "/proc/$(cat "$dir/$f")" ]; then
    echo "slurm: a cluster already runs in $dir (pid $(cat "$dir/$f")); stop it first: $0 stop $dir" >&2
    exit 1
  fi
done

port=${ZPTOYS_SLURM_PORT:-16817}
host=$(hostname -s)
cpus=$(nproc)
mem=$(awk '/MemTotal/ {print int($2/1024) - 512}' /proc/meminfo)
user=$(id -un)

# munge: its own key, socket, PID, log and seed files, owned by the munge user.
chmod 0755 "$dir"
if ! as_munge test -x "$dir"; then
  echo "slurm: the munge user cannot reach $dir: its parent folders must be searchable by others (chmod o+x)" >&2
  exit 1
fi
"${SUDO[@]}" mkdir -p "$dir/munge"
"${SUDO[@]}" chown munge:munge "$dir/munge"
"${SUDO[@]}" chmod 0755 "$dir/munge"   # munged wants its socket's folder reachable by all
if ! "${SUDO[@]}" test -s "$dir/munge/munge.key"; then
  "${SUDO[@]}" dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
fi
"${SUDO[@]}" chown munge:munge "$dir/munge/munge.key"
"${SUDO[@]}" chmod 0400 "$dir/munge/munge.key"
as_munge /usr/sbin/munged --socket="$dir/munge/munge.socket" --key-file="$dir/munge/munge.key" \
  --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed"

mkdir -p "$dir/state" "$dir/spool" "$dir/log"
cat > "$conf" <<CONF
# Private single-node test cluster written by toys/slurm/local-cluster.sh (folder $dir)
ClusterName=zptoys-local
SlurmctldHost=${host}
SlurmctldPort=${port}
SlurmdPort=$((port + 1))
AuthType=auth/munge
AuthInfo=socket=${dir}/munge/munge.socket
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
ReturnToService=2
SlurmUser=${user}
SlurmdUser=root
StateSaveLocation=${dir}/state
SlurmdSpoolDir=${dir}/spool
SlurmctldLogFile=${dir}/log/slurmctld.log
SlurmdLogFile=${dir}/log/slurmd.log
SlurmctldPidFile=${dir}/slurmctld.pid
SlurmdPidFile=${dir}/slurmd.pid
PlugStackConfig=${dir}/plugstack.conf
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MinJobAge=3600
MaxArraySize=10001
NodeName=${host} CPUs=${cpus} RealMemory=${mem} State=UNKNOWN
PartitionName=debug Nodes=${host} Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
CONF
: > "$dir/plugstack.conf"
cat > "$dir/env" <<ENV
export SLURM_CONF=$conf
ENV

export SLURM_CONF="$conf"
"${SUDO[@]}" env SLURM_CONF="$conf" /usr/sbin/slurmctld -c -f "$conf"   # -c: a fresh state
"${SUDO[@]}" env SLURM_CONF="$conf" /usr/sbin/slurmd -f "$conf"
for _ in $(seq 1 60); do
  if sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
    echo "slurm: node ${host} up (${cpus} CPUs), configuration $conf (pids: munged $(cat "$dir/munge/munged.pid"), slurmctld $(cat "$dir/slurmctld.pid"), slurmd $(cat "$dir/slurmd.pid"))"
    exit 0
  fi
  sleep 1
done
echo "slurm: the node did not come up; see $dir/log/" >&2
sinfo >&2 || true
tail -n 20 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" "$dir/munge/munged.log" >&2 || true
exit 1
