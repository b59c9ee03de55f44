#!/usr/bin/env bash
# `make sample`: the project's own generated sample (python -m audit.sample) without a crawl: it
# is written into the data directory, each report ingested with the agency, year, level,
# publication date and address its manifest gives (as reports received by e-mail would be), the
# store audited, and the rectification ledger (问题台账) printed. Needs nothing beside the
# repository. (`make run` runs the whole pipeline on demo portals instead: gkaudit demo.)
#   GKAUDIT_DATA   data directory (default: data/sample, recreated on every run)
#   GKAUDIT_TODAY  the day of the audit (default: the sample's as_of day, when every deadline has passed)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin
export GKAUDIT_DATA="${GKAUDIT_DATA:-data/sample}"
unset DATABASE_URL
rm -rf "$GKAUDIT_DATA"
docs="$GKAUDIT_DATA/reports"
"$bin/python" -m audit.sample "$docs"
manifest="$docs/manifest.json"
field() { "$bin/python" -c 'import json, sys; print(json.load(open(sys.argv[1], encoding="utf-8"))[sys.argv[2]])' "$manifest" "$1"; }
export GKAUDIT_TODAY="${GKAUDIT_TODAY:-$(field as_of)}"
"$bin/gkaudit" db upgrade
while IFS=$'\t' read -r file agency year level published url; do
    "$bin/gkaudit" ingest "$docs/$file" --agency "$agency" --year "$year" --level "$level" \
        --published-on "$published" --url "$url" --new-agency
done < <("$bin/python" - "$manifest" <<'PY'
import json
import sys

for doc in json.load(open(sys.argv[1], encoding="utf-8"))["documents"]:
    print("\t".join(str(doc[k]) for k in ("file", "agency", "year", "level", "published_on", "url")))
PY
)
"$bin/gkaudit" audit
"$bin/gkaudit" findings
echo
echo "审核日：$GKAUDIT_TODAY；样本清单（每份报告应查出的问题）：$manifest"
echo "数据库：$GKAUDIT_DATA/gkaudit.sqlite（用 .venv/bin/gkaudit findings --json 等命令查看）"
