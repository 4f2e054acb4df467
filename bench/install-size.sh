#!/usr/bin/env bash
# What installing Sluice costs a user: `npm pack` of this checkout (and of an older revision, for
# comparison), each tarball installed alone into an empty project — production dependencies only,
# as `npm install sluice` would — then the tarball's size and file count and `du` of node_modules.
# Writes bench/results/install-size-<stamp>.json. The librdkafka binding builds from source where
# no prebuilt binary downloads (CKJS_LINKING=dynamic), a minute or two per install.
#
#   bench/install-size.sh [<older revision>]      e.g. bench/install-size.sh fe2182d
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
before=${1:-}
work=$(mktemp -d)
trap 'git worktree remove --force "$work/before-tree" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
export CKJS_LINKING=${CKJS_LINKING:-dynamic}

measure() { # <label> <tree>
  local label=$1 tree=$2 dir="$work/$1"
  mkdir -p "$dir/pack" "$dir/app"
  (cd "$tree" && npm pack --json --pack-destination "$dir/pack" >"$dir/pack.json" 2>"$dir/pack.log")
  local tarball
  tarball=$(node -e "const r=JSON.parse(require('fs').readFileSync(process.argv[1],'utf8').replace(/^[^\[]*/s,''));console.log(r[0].filename)" "$dir/pack.json")
  (cd "$dir/app" && echo '{"name":"install-size","private":true}' >package.json &&
    npm install "$dir/pack/$tarball" --omit=dev --no-audit --no-fund --loglevel=error >"$dir/install.log" 2>&1)
  node -e "
    const fs = require('fs');
    const r = JSON.parse(fs.readFileSync(process.argv[1], 'utf8').replace(/^[^\[]*/s, ''))[0];
    const du = Number(require('child_process').execSync('du -sk ' + process.argv[2]).toString().split(/\s/)[0]);
    const top = fs.readdirSync(process.argv[2]).filter((n) => !n.startsWith('.')).length;
    // The librdkafka binding alone: built from source here, it dwarfs the rest and is the same in every version compared.
    const rdkafka = Number(require('child_process').execSync('du -sk ' + process.argv[2] + '/@confluentinc/kafka-javascript').toString().split(/\s/)[0]);
    console.log(JSON.stringify({ label: process.argv[3], tarballBytes: r.size, unpackedBytes: r.unpackedSize, files: r.entryCount, nodeModulesMB: Math.round(du / 1024), kafkaBindingMB: Math.round(rdkafka / 1024), otherMB: Math.round((du - rdkafka) / 1024), topLevelPackages: top }));
  " "$dir/pack.json" "$dir/app/node_modules" "$label"
}

results=()
if [ -n "$before" ]; then
  git worktree add -f "$work/before-tree" "$before" >/dev/null 2>&1
  ln -s "$root/node_modules" "$work/before-tree/node_modules"
  results+=("$(measure "before-$(git rev-parse --short "$before")" "$work/before-tree")")
fi
results+=("$(measure "after-$(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo '-dirty')" "$root")")
out="bench/results/install-size-$(date -u +%Y%m%d-%H%M%S).json"
printf '{ "node": "%s", "npm": "%s", "measured": [%s] }\n' "$(node -v)" "$(npm -v)" "$(IFS=,; echo "${results[*]}")" | node -e "process.stdout.write(JSON.stringify(JSON.parse(require('fs').readFileSync(0,'utf8')), null, 2) + '\n')" >"$out"
cat "$out"
echo "written: $out"
