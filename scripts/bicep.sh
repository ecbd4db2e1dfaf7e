#!/usr/bin/env bash
# Runs the Bicep CLI from its NuGet package (restored on first use; no global install): scripts/bicep.sh build infra/main.bicep
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="$(sed -nE 's/.*Azure.Bicep.CommandLine.linux-x64" Version="\[([0-9.]+)\]".*/\1/p' "$root/tools/bicep/Bicep.Cli.csproj")"
packages="$(dotnet nuget locals global-packages --list | sed -E 's/^global-packages: //')"
bicep="$packages/azure.bicep.commandline.linux-x64/$version/tools/bicep"
if [ ! -x "$bicep" ]; then
  dotnet restore "$root/tools/bicep/Bicep.Cli.csproj" --nologo -v quiet >&2
  chmod +x "$bicep"
fi
exec "$bicep" "$@"
