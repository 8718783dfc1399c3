#!/usr/bin/env bash
# Install what only `make bench` needs: PostGIS for the PostgreSQL server that
# scripts/with-postgres.sh starts, so the nearest-station benchmark can compare
# its SQLite figure with a PostGIS geography KNN query (bench/stations.py).
#
# The project itself never needs PostGIS (ADR 0009), so neither does `make test`.
# Missing and not root, or the install fails: say so and carry on; the bench then
# prints that the PostGIS comparison was skipped.
#
# Override the package list with GIGUNION_BENCH_PACKAGES="pkg1 pkg2".
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# The same server scripts/with-postgres.sh picks: 15 if installed, else the newest.
major=15
if [ ! -x "/usr/lib/postgresql/$major/bin/pg_ctl" ]; then
    newest=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    major=$(basename "$(dirname "$newest")")
fi
packages=${GIGUNION_BENCH_PACKAGES:-postgresql-$major-postgis-3}

if ! GIGUNION_SYSTEM_PACKAGES="$packages" bash "$here/install-system-packages.sh"; then
    echo "bench: $packages not installed; the PostGIS comparison will be skipped" >&2
fi
