#!/usr/bin/env bash
# Bring up a real one-node Slurm cluster on this machine (slurmctld + slurmd + munged on localhost), so the
# SLURM executor (`olm-data run --executor slurm`) and tests/test_slurm.py run against real sbatch/squeue.
#
#   sudo bash scripts/slurm-up.sh          # install Debian's slurm-wlm + munge if needed, start, smoke-test
#   sudo bash scripts/slurm-up.sh --down   # cancel jobs, stop the daemons (config and packages stay)
#
# For Debian 12 (slurm-wlm 22.05) as root on a machine or container WITHOUT systemd as PID 1: the daemons are
# started by hand. Idempotent: rerunning it leaves a healthy cluster alone. No accounting daemon (slurmdbd), so
# there is no `sacct`; olm-data polls `squeue` instead. Env: SLURM_PARTITION (default debug).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
PARTITION=${SLURM_PARTITION:-debug}
CONF=/etc/slurm/slurm.conf
START=$EPOCHREALTIME
say() { awk -v a="$START" -v b="$EPOCHREALTIME" -v m="$*" 'BEGIN { printf "[slurm-up %5.1fs] %s\n", b - a, m }'; }
running() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
stop() {  # stop NAME PIDFILE: TERM, then KILL after 10 s
  local pid
  running "$2" || { rm -f "$2"; return 0; }
  pid=$(cat "$2")
  kill "$pid"
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  rm -f "$2"
  say "$1 stopped"
}

[ "$(id -u)" = 0 ] || { echo "slurm-up.sh: run as root (it installs packages and starts daemons)" >&2; exit 1; }

if [ "${1:-}" = --down ]; then
  if running /run/slurmctld.pid; then
    # slurmstepd outlives slurmd: cancel the jobs first so nothing keeps running
    ids=$(squeue -h -o %A 2>/dev/null | sort -u | tr '\n' ' ')
    [ -n "${ids// /}" ] && scancel $ids && say "cancelled jobs: $ids"
  fi
  stop slurmd /run/slurmd.pid
  stop slurmctld /run/slurmctld.pid
  stop munged /run/munge/munged.pid
  exit 0
fi

# 1. packages: --no-install-recommends keeps it to ~8 packages (no mail server); their postinst scripts try to
#    start services, which is a no-op without systemd.
missing=""
for p in slurmctld slurmd slurm-client munge; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  say "installing$missing"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# 2. munge: Slurm's authentication. Debian's postinst normally writes the key; make one if it did not.
if [ ! -s /etc/munge/munge.key ]; then
  install -d -o munge -g munge -m 0700 /etc/munge
  mungekey --create --keyfile=/etc/munge/munge.key 2>/dev/null ||
    head -c 1024 /dev/urandom >/etc/munge/munge.key
fi
chown munge:munge /etc/munge/munge.key && chmod 0400 /etc/munge/munge.key
install -d -o munge -g munge -m 0755 /run/munge # systemd-tmpfiles would make it; we have no systemd
install -d -o munge -g munge -m 0700 /var/lib/munge /var/log/munge
if ! running /run/munge/munged.pid; then
  rm -f /run/munge/munged.pid /run/munge/munge.socket.2*
  runuser -u munge -- /usr/sbin/munged
  say "munged started"
fi
for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
munge -n | unmunge >/dev/null || { echo "slurm-up.sh: munge does not work" >&2; exit 1; }

# 3. slurm.conf for one node. Choices that matter:
#    - linuxproc/task none, no cgroups: works in containers and on cgroup v1 or v2;
#    - cons_tres + CR_Core: a 1-CPU array task takes one core, so N cores run N tasks at once;
#    - kill_invalid_depend: a stage whose predecessor failed is cancelled instead of pending forever;
#    - MinJobAge=300: finished jobs stay visible to scontrol for 5 min (there is no sacct here);
#    - NodeAddr=127.0.0.1: no dependence on the host name resolving.
HOST=$(hostname -s)
MEM=$(slurmd -C | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p')
install -d -m 0755 /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
new=$(mktemp)
cat >"$new" <<EOF
# one-node cluster written by olm-data scripts/slurm-up.sh
ClusterName=olm
SlurmctldHost=$HOST
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
DependencyParameters=kill_invalid_depend
ReturnToService=2
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
MinJobAge=300
KillWait=5
Waittime=0
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=$MEM State=UNKNOWN
PartitionName=$PARTITION Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF
changed=0
cmp -s "$new" "$CONF" || { install -m 0644 "$new" "$CONF" && changed=1 && say "wrote $CONF"; }
rm -f "$new"

# 4. daemons
if running /run/slurmctld.pid; then
  [ $changed = 1 ] && scontrol reconfigure && say "slurmctld reconfigured"
else
  /usr/sbin/slurmctld -i # -i: start even if old state files are unreadable
  say "slurmctld started"
fi
for _ in $(seq 100); do scontrol ping 2>/dev/null | grep -q UP && break; sleep 0.1; done
scontrol ping | grep -q UP || { tail -20 /var/log/slurm/slurmctld.log >&2; exit 1; }
running /run/slurmd.pid || { /usr/sbin/slurmd && say "slurmd started"; }
state=unknown
for _ in $(seq 120); do
  state=$(sinfo -h -n "$HOST" -o %T 2>/dev/null | head -1)
  case "$state" in
  idle | mixed | allocated | completing) break ;;
  down* | drain* | fail*) scontrol update NodeName="$HOST" State=RESUME 2>/dev/null || true ;;
  esac
  sleep 0.5
done
case "$state" in
idle | mixed | allocated | completing) ;;
*) echo "slurm-up.sh: node $HOST is $state" >&2 && tail -20 /var/log/slurm/slurmd.log >&2 && exit 1 ;;
esac

# 5. one real job through the whole chain (munge, slurmctld, slurmd, slurmstepd)
(cd /tmp && timeout 60 srun -p "$PARTITION" -t 1 -N1 -n1 true)
say "cluster up: partition $PARTITION, node $HOST ($(nproc) CPUs, ${MEM} MB), srun ok"
