#!/usr/bin/env bash
# Debian packages the test suite needs beside the Python ones (which `make`
# installs into .venv): Pango/HarfBuzz for WeasyPrint (the PDF report),
# poppler-utils (its test reads the PDF with pdftotext), Chromium (the HTML map
# is rendered in a real headless browser) and GNU time (peak memory in the
# benchmarks). Installs what is missing when run as root with apt-get; otherwise
# names what is missing and exits 1.
set -euo pipefail

missing=()
command -v pdftotext >/dev/null || missing+=(poppler-utils)
ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0' || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
ldconfig -p 2>/dev/null | grep -q 'libharfbuzz-subset.so.0' || missing+=(libharfbuzz-subset0)
command -v chromium >/dev/null || missing+=(chromium)
[ -x /usr/bin/time ] || missing+=(time)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi
echo "missing system packages: ${missing[*]}" >&2
echo "install them (Debian/Ubuntu: sudo apt-get install ${missing[*]}) and run again" >&2
exit 1
