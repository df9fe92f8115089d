#!/usr/bin/env bash
# Services some tests need beyond Python, for CI (root, fresh Debian 12): a one-node Slurm cluster for
# tests/test_slurm.py and headless Chromium for tests/test_report.py. Run it before scripts/test.sh:
#
#   bash scripts/ci-services.sh && bash scripts/test.sh
#
# Not root (a laptop): it says what it skips and exits 0; those tests then skip with the reason.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
if [ "$(id -u)" != 0 ]; then
  echo "ci-services.sh: not root: no Slurm cluster or Chromium installed (tests that need them will skip)"
  exit 0
fi
START=$EPOCHREALTIME
apt-get update -qq
# one apt transaction: chromium renders the run report (tests/test_report.py; fonts-dejavu-core so its text has
# glyphs); slurmctld/slurmd/slurm-client/munge are what scripts/slurm-up.sh would otherwise install itself
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core slurmctld slurmd slurm-client munge >/dev/null
awk -v a="$START" -v b="$EPOCHREALTIME" 'BEGIN { printf "[ci-services %5.1fs] packages installed\n", b - a }'
bash scripts/slurm-up.sh
awk -v a="$START" -v b="$EPOCHREALTIME" 'BEGIN { printf "[ci-services %5.1fs] services ready\n", b - a }'
