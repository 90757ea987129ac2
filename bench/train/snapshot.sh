#!/usr/bin/env bash
# Compiles src/nn + src/util of a git revision (or the working tree: "WORK") into DIR, for A/B runs of
# cpu-profile.mjs. Usage: bash bench/train/snapshot.sh REV|WORK DIR   (run from the repository root)
set -eu
rev=$1; dir=$2
root=$(pwd)
rm -rf "$dir"; mkdir -p "$dir/src"
if [ "$rev" = WORK ]; then cp -r src/nn src/util "$dir/src/"; else git archive "$rev" src/nn src/util | tar -x -C "$dir"; fi
ln -s "$root/node_modules" "$dir/node_modules"
echo '{"type":"module"}' > "$dir/package.json"
npx tsc --outDir "$dir/out" --rootDir "$dir/src" --target ES2022 --module NodeNext --moduleResolution NodeNext \
  --ignoreConfig --lib ES2023 --types node --strict --skipLibCheck --verbatimModuleSyntax "$dir/src/nn/index.ts" >&2
echo "$dir/out/nn/index.js"
