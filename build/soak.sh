#!/usr/bin/env bash
# Soak: runs a mixed load for the given number of minutes (default 30) and checks at the end that nothing was
# lost, no process leaked, every old module version unloaded and the heap stayed flat. Not part of the test suite.
#   bash build/soak.sh [minutes] [releases]   (releases: upgrade by release installs instead of Code.UpgradeAsync)
set -euo pipefail
cd "$(dirname "$0")/.."
minutes="${1:-30}"
dotnet build tests/Otp.Net.Soak -c Release -v quiet -nologo >/dev/null
exec dotnet tests/Otp.Net.Soak/bin/Release/net10.0/Otp.Net.Soak.dll "$minutes" "${2:-}"
