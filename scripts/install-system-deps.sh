#!/usr/bin/env bash
# The Debian packages ITA Tracker needs, for one purpose at a time:
#   scripts/install-system-deps.sh run    what serving needs: LibreOffice (writer, no GUI) turns the
#                                         DOCX reports into PDF, with the Thai font they embed
#                                         (Laksaman, the TH Sarabun clone, from fonts-thai-tlwg-ttf)
#   scripts/install-system-deps.sh test   the above, and what the tests add: Chromium for the browser
#                                         tests, poppler-utils (pdftotext/pdffonts/pdftoppm) to read
#                                         the PDFs back, and libatomic1, without which Playwright's
#                                         bundled driver (node) cannot start on a new Debian 12
#   scripts/install-system-deps.sh bench  wrk, the HTTP load generator of `make bench`'s gunicorn figures
#   scripts/install-system-deps.sh kanboard  PHP with what Kanboard needs, for make bench-kanboard
# Each step prints one line; apt's own output goes to a log whose tail is shown only if it fails.
set -euo pipefail
purpose=${1:-test}
log=${SYSTEM_DEPS_LOG:-instance/system-deps.log}

install() {  # install WHY PACKAGE... : the packages not installed yet, with one line saying why
  local why=$1; shift
  local missing=() package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  mkdir -p "$(dirname "$log")"
  echo "Installing ${missing[*]} (Debian packages) $why; apt's output: $log"
  if ! { $sudo apt-get update && DEBIAN_FRONTEND=noninteractive \
           $sudo apt-get install -y --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
    echo "Installing ${missing[*]} failed; the end of $log:" >&2
    tail -n 20 "$log" >&2
    exit 1
  fi
}

case $purpose in
  run)
    install "to write the PDF reports" libreoffice-writer-nogui fonts-thai-tlwg-ttf ;;
  test)
    install "to write the PDF reports" libreoffice-writer-nogui fonts-thai-tlwg-ttf
    install "for the browser tests and to read the PDFs back" chromium poppler-utils libatomic1 ;;
  bench)
    install "to load the pages over gunicorn in make bench" wrk ;;
  kanboard)
    install "to load the pages over gunicorn in make bench" wrk
    install "to serve Kanboard beside ITA Tracker in make bench-kanboard" php8.2-cli php8.2-sqlite3 \
      php8.2-mbstring php8.2-gd php8.2-xml php8.2-opcache ;;
  *)
    echo "usage: $0 run|test|bench|kanboard" >&2; exit 2 ;;
esac
