#!/usr/bin/env bash
# Render a PDF packet's pages to PNG for review (pdftoppm, from Debian's poppler-utils).
#
#   scripts/render_pdf_pages.sh PACKET.pdf [OUT_DIR] [FIRST_PAGE] [LAST_PAGE]
#
# Writes OUT_DIR/page-01.png ... (default OUT_DIR: PACKET-pages beside the PDF; default pages: all) at 80 dpi,
# enough to judge layout; set DPI=150 to read small print.
set -euo pipefail

if [ $# -lt 1 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
  sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
pdf="$1"
if [ ! -f "$pdf" ]; then
  echo "No such PDF: $pdf" >&2
  exit 2
fi
if ! command -v pdftoppm >/dev/null 2>&1; then
  echo "pdftoppm not found: install Debian's poppler-utils (apt-get install poppler-utils)" >&2
  exit 3
fi
out="${2:-${pdf%.pdf}-pages}"
mkdir -p "$out"
args=(-png -r "${DPI:-80}")
[ -n "${3:-}" ] && args+=(-f "$3")
[ -n "${4:-}" ] && args+=(-l "$4")
pdftoppm "${args[@]}" "$pdf" "$out/page"
count=$(find "$out" -maxdepth 1 -name 'page-*.png' | wc -l)
echo "$count page image(s) in $out"
