#!/bin/sh
# Rebuilds every paper. Deterministic: each .tex sets \pdfinfoomitdate=1, \pdftrailerid{},
# \pdfsuppressptexinfo=-1; SOURCE_DATE_EPOCH fixes any date a package (hyperxmp) writes.
set -e
cd "$(dirname "$0")"
export SOURCE_DATE_EPOCH=1700000000 FORCE_SOURCE_DATE=1
for f in p*.tex; do
	pdflatex -interaction=batchmode -halt-on-error "$f" >/dev/null
	pdflatex -interaction=batchmode -halt-on-error "$f" >/dev/null
done
rm -f *.aux *.log *.out *.xmpi
