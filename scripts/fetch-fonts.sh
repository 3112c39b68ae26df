#!/usr/bin/env bash
# Fetch the font that PDF certificates fall back to for Chinese, Japanese and Korean (ADR 0050):
# Noto Sans CJK 2.004 Regular, an OpenType collection of 19 MB (SIL OFL 1.1), too big to bundle
# with the smaller Noto fonts in microcred/credentials/certificates/fonts/. It comes from the PyPI
# wheel noto-cjk-sans-otc 0.0.1 (only the wheel, no dependencies), whose bytes and whose font's
# bytes must match the SHA-256 sums below.
#
#   scripts/fetch-fonts.sh [DIR]     (default: $MICROCRED_VAR_DIR/fonts, else var/fonts)
#
# Idempotent: a font already there with the right sum is kept. Without it, certificates still
# render and a CJK name prints as boxes, with one log line saying to run this.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
dir="${1:-${MICROCRED_VAR_DIR:-$here/var}/fonts}"
python="${VENV_PYTHON:-$here/.venv/bin/python}"  # make passes its virtualenv's
[[ -x "$python" ]] || python=python3

requirement="noto-cjk-sans-otc==0.0.1"
wheel="noto_cjk_sans_otc-0.0.1-py3-none-any.whl"
wheel_sha256="44596df7f0c1590cb9c4cfe85b9213b7e91e1086a8a024f1a05df6d6badd33ec"
member="noto_cjk_sans_otc/NotoSansCJK-Regular.ttc"
licence_member="noto_cjk_sans_otc-0.0.1.dist-info/licenses/LICENSE"
font="NotoSansCJK-Regular.ttc"
font_sha256="b76b0433203017ca80401b2ee0dd69350349871c4b19d504c34dbdd80541690a"

sha256() { sha256sum "$1" | cut -d' ' -f1; }

if [[ -s "$dir/$font" && "$(sha256 "$dir/$font")" == "$font_sha256" ]]; then
  echo "Fonts: $font already in $dir"
  exit 0
fi

mkdir -p "$dir"
work="$(mktemp -d "$dir/.fetch.XXXXXX")"  # on the same file system, so the final move is atomic
trap 'rm -rf "$work"' EXIT
echo "Fonts: downloading $requirement (the wheel only) for $font into $dir"
if ! "$python" -m pip download --quiet --no-deps --only-binary=:all: --dest "$work" "$requirement"; then
  echo "Fonts: could not download $requirement from PyPI; certificates print CJK names as boxes until this runs" >&2
  exit 1
fi
if [[ "$(sha256 "$work/$wheel")" != "$wheel_sha256" ]]; then
  echo "Fonts: $wheel does not match its pinned SHA-256; not installed" >&2
  exit 1
fi
"$python" - "$work/$wheel" "$member" "$licence_member" "$work" <<'PY'
import shutil, sys, zipfile
wheel, member, licence, out = sys.argv[1:]
with zipfile.ZipFile(wheel) as archive:
    for name, target in ((member, "font"), (licence, "licence")):
        with archive.open(name) as source, open(f"{out}/{target}", "wb") as sink:
            shutil.copyfileobj(source, sink)
PY
if [[ "$(sha256 "$work/font")" != "$font_sha256" ]]; then
  echo "Fonts: $font in $wheel does not match its pinned SHA-256; not installed" >&2
  exit 1
fi
mv "$work/licence" "$dir/NotoSansCJK-LICENSE.txt"
mv "$work/font" "$dir/$font"
echo "Fonts: $font installed in $dir"
