#!/usr/bin/env bash
# Debian packages the tests need: Chromium for the end-to-end tests, a Thai font so pages render
# (Laksaman, the TH Sarabun clone the PDFs embed), LibreOffice to turn the DOCX reports into PDF,
# poppler's pdftotext/pdffonts/pdftoppm to read the PDFs back, and libatomic1, without which
# Playwright's bundled driver (node) cannot start on a new Debian 12.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
dpkg -s fonts-thai-tlwg-ttf >/dev/null 2>&1 || missing+=(fonts-thai-tlwg-ttf)
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-writer-nogui)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
dpkg -s libatomic1 >/dev/null 2>&1 || missing+=(libatomic1)
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing Debian packages: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
