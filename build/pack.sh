#!/usr/bin/env bash
# Packs every library under src/ (packages and symbol packages) into a folder, artifacts/packages by default.
# Usage: bash build/pack.sh [output-folder] [extra dotnet pack arguments...]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-artifacts/packages}"
shift || true
for project in src/*/*.csproj; do
  dotnet pack "$project" -c Release -o "$out" -nologo -v quiet "$@"
done
ls "$out"
