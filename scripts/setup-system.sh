#!/usr/bin/env bash
# Install the system (Debian) packages gkaudit needs to read published documents.
#
#   antiword       .doc / .wps (OLE Word-97 containers) -> UTF-8 text with tables as | rows
#   poppler-utils  pdftotext / pdftoppm, used to check the PDF reader by eye (not needed at run time)
#
# Idempotent: packages already installed are skipped and `apt-get update` runs only when
# something is missing. Runs non-interactively as root (or via sudo when available).
# LibreOffice (libreoffice-writer-nogui) is optional: the DOC reader uses it when present, but
# it is large and the tests do not need it, so it is installed only with WITH_LIBREOFFICE=1.
set -euo pipefail

packages=(antiword poppler-utils)
if [[ "${WITH_LIBREOFFICE:-0}" == "1" ]]; then
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

SUDO=""
if [[ "$(id -u)" != "0" ]]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo -n"
    else
        echo "setup-system: need root to install: ${missing[*]}" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
echo "setup-system: installing ${missing[*]}"
$SUDO apt-get update -q
$SUDO apt-get install -y --no-install-recommends "${missing[@]}"
