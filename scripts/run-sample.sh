#!/usr/bin/env bash
# The main job on the embedded default: audit the bundled sample corpus and print the findings.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus="${GKAUDIT_SAMPLE:-../shared/corpus/seeds}"
if [[ ! -d "$corpus" ]]; then
    echo "找不到样本目录 $corpus（可用 GKAUDIT_SAMPLE 指定）" >&2
    exit 2
fi
shopt -s nullglob
files=("$corpus"/*.txt "$corpus"/*.pdf "$corpus"/*.html "$corpus"/*.docx)
status=0
.venv/bin/gkaudit check "${files[@]}" || status=$?
# exit 1 only means "errors were found in the reports", which is the expected outcome of an audit
[[ $status -le 1 ]]
