#!/usr/bin/env bash
# Install the system (Debian) packages gkaudit needs to read published documents.
#
#   antiword       .doc / .wps (OLE Word-97 containers) -> UTF-8 text with tables as | rows
#   poppler-utils  pdftotext / pdftoppm, used to check the PDF reader by eye (not needed at run time)
#   libreoffice-writer-nogui  .doc/.wps/.rtf conversion to DOCX (tables kept); skip with WITH_LIBREOFFICE=0
#   redis-server   the shared crawl frontier of the distributed mode (scrapy-redis); its test starts it
#                  on 127.0.0.1:6379 when it is not running
#   fonts-wqy-zenhei, fontconfig  a Chinese font, without which LibreOffice renders every CJK character
#                  as one glyph (the Word→PDF round-trip tests and any rendering need it)
#   fonts-noto-cjk  serif and sans CJK faces: the stand-ins for 仿宋/小标宋 when a notice is printed by
#                  LibreOffice or shown by a browser (the recipient's Word/WPS has the official ones)
#   chromium       headless browser for the dashboard test (tests/test_render_browser.py, driven over
#                  the DevTools protocol; skip with WITH_CHROMIUM=0)
#   postgresql, redis-server  the servers the tests use: the machine's when they answer on 127.0.0.1,
#                  else tests/conftest.py starts throwaway ones from these binaries
#
# Idempotent: packages already installed are skipped and `apt-get update` runs only when
# something is missing. Runs non-interactively as root (or via sudo when available).
# LibreOffice is large (about 300 MB) but the DOC/WPS/RTF tests need it; in CI (CI set) a missing
# tool makes those tests fail rather than skip (tests/tooling.py).
set -euo pipefail

packages=(antiword poppler-utils fonts-wqy-zenhei fonts-noto-cjk fontconfig postgresql redis-server)
if [[ "${WITH_CHROMIUM:-1}" == "1" ]]; then
    packages+=(chromium)
fi
if [[ "${WITH_LIBREOFFICE:-1}" == "1" ]]; then
    packages+=(libreoffice-writer-nogui)
fi

missing=()
for pkg in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "setup-system: all packages present (${packages[*]})"
    exit 0
fi

# A failed install is reported but does not stop the build: without antiword the DOC/WPS
# reader raises a clear error naming the package, and its tests are skipped.
SUDO=""
if [[ "$(id -u)" != "0" ]]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO="sudo -n"
    else
        echo "setup-system: 需要 root 权限才能安装：${missing[*]}（已跳过）" >&2
        exit 0
    fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup-system: 没有 apt-get，请手动安装：${missing[*]}（已跳过）" >&2
    exit 0
fi

export DEBIAN_FRONTEND=noninteractive
echo "setup-system: installing ${missing[*]}"
if ! { $SUDO apt-get update -q && $SUDO apt-get install -y --no-install-recommends "${missing[@]}"; }; then
    echo "setup-system: 安装失败：${missing[*]}（DOC/WPS 读取需要 antiword）" >&2
fi
exit 0
