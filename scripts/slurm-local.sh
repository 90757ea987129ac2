#!/usr/bin/env bash
# Start a one-host SLURM cluster (munge + slurmctld + slurmd, Debian's slurm-wlm 22.05) on this machine, as root.
# sinfo then shows partition "debug" idle, `sbatch --wrap` jobs run and write their output.
# Usage: bash scripts/slurm-local.sh [CPUS]   (idempotent; .ci/run calls it before the tests)
# Stop:  kill "$(cat /run/slurmctld.pid)" "$(cat /run/slurmd.pid)"   (by pid, never by name)
set -euo pipefail
cpus=${1:-$(nproc)}
if ! command -v slurmctld >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null && apt-get install -y -q slurm-wlm munge >/dev/null
fi
mkdir -p /etc/munge /var/log/munge /run/munge /var/lib/munge /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
[ -f /etc/munge/munge.key ] || dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 2>/dev/null
chown -R munge:munge /etc/munge /var/log/munge /run/munge /var/lib/munge
chmod 400 /etc/munge/munge.key
munge -n 2>/dev/null | unmunge >/dev/null 2>&1 || /usr/sbin/munged --force
mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 / 2 ))
cat > /etc/slurm/slurm.conf <<CONF
ClusterName=local
SlurmctldHost=localhost
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ReturnToService=2
NodeName=localhost CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
[ -f /run/slurmctld.pid ] && kill -0 "$(cat /run/slurmctld.pid)" 2>/dev/null || /usr/sbin/slurmctld
[ -f /run/slurmd.pid ] && kill -0 "$(cat /run/slurmd.pid)" 2>/dev/null || /usr/sbin/slurmd
for _ in $(seq 1 30); do sinfo -h -o '%T' 2>/dev/null | grep -qE 'idle|mix|alloc' && break; sleep 1; done
sinfo
