#!/usr/bin/env bash
# The main job on the embedded default: ingest the bundled sample corpus into the SQLite store,
# audit it, and print the rectification ledger (问题台账).
#   GKAUDIT_SAMPLE  folders to ingest (default: ../shared/corpus/seeds and ../shared/corpus/real)
#   GKAUDIT_DATA    data directory (default: data/sample, recreated on every run)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin
export GKAUDIT_DATA="${GKAUDIT_DATA:-data/sample}"
unset DATABASE_URL
read -r -a corpora <<< "${GKAUDIT_SAMPLE:-../shared/corpus/seeds ../shared/corpus/real}"
rm -rf "$GKAUDIT_DATA"
"$bin/gkaudit" db upgrade
shopt -s nullglob
for dir in "${corpora[@]}"; do
    if [[ ! -d "$dir" ]]; then
        echo "找不到样本目录 $dir（可用 GKAUDIT_SAMPLE 指定）" >&2
        exit 2
    fi
    for f in "$dir"/*.txt "$dir"/*.pdf "$dir"/*.html "$dir"/*.docx "$dir"/*.doc; do
        # the agency as printed in the report; an unreadable file is still archived (TL03)
        agency=$("$bin/python" - "$f" <<'PY'
import sys
from audit.readers import UnreadableError
from audit.parse import parse_path
try:
    print(parse_path(sys.argv[1]).agency or "未识别机关")
except UnreadableError:
    print("未识别机关")
PY
)
        "$bin/gkaudit" ingest "$f" --agency "$agency"
    done
done
"$bin/gkaudit" audit
"$bin/gkaudit" findings
echo
echo "数据库：$GKAUDIT_DATA/gkaudit.sqlite（用 .venv/bin/gkaudit findings --json 等命令查看）"
