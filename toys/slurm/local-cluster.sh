#!/usr/bin/env bash
# Starts (or stops) a single-node Slurm cluster on this machine for testing the job-array recipe:
# munge, slurmctld and slurmd on localhost with ProctrackType=proctrack/linuxproc and
# TaskPlugin=task/none (no cgroups needed). Installs Debian's slurm-wlm and munge when missing.
#
#   toys/slurm/local-cluster.sh start    # writes /etc/slurm/slurm.conf, starts the daemons
#   toys/slurm/local-cluster.sh stop
#
# Needs root (it is meant for test machines and CI, not for a real cluster).
set -euo pipefail
action=${1:-start}
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo

if [ "$action" = stop ]; then
  $SUDO pkill -x slurmd 2>/dev/null || true
  $SUDO pkill -x slurmctld 2>/dev/null || true
  exit 0
fi

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq slurm-wlm munge >/dev/null
fi

host=$(hostname -s)
cpus=$(nproc)
mem=$(awk '/MemTotal/ {print int($2/1024) - 512}' /proc/meminfo)
$SUDO mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /run/munge
$SUDO tee /etc/slurm/slurm.conf >/dev/null <<CONF
# Single-node test cluster written by toys/slurm/local-cluster.sh
ClusterName=zptoys-local
SlurmctldHost=${host}
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
ReturnToService=2
SlurmUser=root
SlurmdUser=root
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MaxArraySize=10001
NodeName=${host} CPUs=${cpus} RealMemory=${mem} State=UNKNOWN
PartitionName=debug Nodes=${host} Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
CONF

# munge: a key and the daemon.
if [ ! -s /etc/munge/munge.key ]; then
  $SUDO dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
fi
$SUDO chown munge:munge /etc/munge/munge.key 2>/dev/null || true
$SUDO chmod 400 /etc/munge/munge.key
$SUDO chown munge:munge /run/munge /var/lib/munge /var/log/munge 2>/dev/null || true
if ! pgrep -x munged >/dev/null; then
  $SUDO -u munge /usr/sbin/munged 2>/dev/null || $SUDO /usr/sbin/munged --force
fi

# Restart the Slurm daemons with this configuration.
$SUDO pkill -x slurmd 2>/dev/null || true
$SUDO pkill -x slurmctld 2>/dev/null || true
sleep 1
$SUDO /usr/sbin/slurmctld -c    # -c: clear previous state (jobs of earlier tests)
$SUDO /usr/sbin/slurmd
for i in $(seq 1 60); do
  if sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
    echo "slurm: node ${host} up (${cpus} CPUs)"
    exit 0
  fi
  sleep 1
done
echo "slurm: the node did not come up; see /var/log/slurm/" >&2
sinfo >&2 || true
tail -n 20 /var/log/slurm/slurmctld.log /var/log/slurm/slurmd.log >&2 || true
exit 1
