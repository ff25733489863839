#!/usr/bin/env bash
# Nightly logical backup (kept 35 days) beside the continuous WAL archive:
# run from cron on a backup host, e.g. `15 2 * * * /opt/kontoregister/backup.sh`.
set -euo pipefail
: "${BACKUP_DIR:=/var/backups/kontoregister}"
: "${PGURL:?set PGURL to the owner's connection string}"
mkdir -p "$BACKUP_DIR"
file="$BACKUP_DIR/kontoregister-$(date -u +%Y%m%dT%H%M%SZ).dump"
pg_dump --format=custom --no-owner --file="$file.part" "$PGURL"
mv "$file.part" "$file"
pg_restore --list "$file" >/dev/null   # the dump is readable
find "$BACKUP_DIR" -name 'kontoregister-*.dump' -mtime +35 -delete
echo "backup written: $file"
