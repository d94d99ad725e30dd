#!/bin/sh
# One-shot job (temporalio/admin-tools): creates Temporal's two PostgreSQL databases if missing and
# brings their schemas to the version this admin-tools image carries. Safe to run on every start:
# `create` fails harmlessly on an existing database and `update-schema` applies only what is missing.
set -eu
tool() { temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -u "$POSTGRES_USER" -p "${DB_PORT:-5432}" "$@"; }
for db in temporal visibility; do
  name=temporal; [ "$db" = visibility ] && name=temporal_visibility
  tool --db "$name" create 2>/dev/null || echo "schema: database $name exists"
  tool --db "$name" setup-schema -v 0.0 2>/dev/null || echo "schema: $name already initialised"
  tool --db "$name" update-schema -d "/etc/temporal/schema/postgresql/v12/$db/versioned"
done
echo "schema: up to date"
