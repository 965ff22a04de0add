#!/usr/bin/env bash
# Quick start, command one: installs what is missing, builds Letdown and opens it.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ensure_packages "${APP_PACKAGES[@]}"
say "Building and starting Letdown"
exec cargo run -p letdown "$@"
