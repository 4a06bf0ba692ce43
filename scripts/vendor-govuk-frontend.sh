#!/usr/bin/env bash
# Vendor GOV.UK Frontend (npm `govuk-frontend`, MIT) into crates/charter-web/static/
# WITHOUT GOV.UK branding (see docs DESIGN.md §5 and STACK.md).
#
# Writes:
#   crates/charter-web/static/govuk-frontend.min.css   built CSS, de-branded:
#       - every @font-face rule removed (GDS Transport is for GOV.UK only),
#       - every "GDS Transport" font-family replaced by our system font stack,
#       - every rule using /assets/images/govuk-crest.svg removed (we ship no
#         GOV.UK images), the GDS Transport font copyright comment and the
#         sourceMappingURL comment removed; a provenance/licence comment added.
#   crates/charter-web/static/govuk-frontend.min.js    built ES module, unchanged.
#   crates/charter-web/static/LICENSE-govuk-frontend.txt  MIT licence text.
#
# Needs: bash, npm, node, sha512 via node. Re-running it must give byte-identical output.
set -euo pipefail

VERSION="6.6.0"
# `npm pack --json` "integrity" of govuk-frontend@6.6.0 (also what package-lock.json would pin).
INTEGRITY="sha512-xctkWrQvLnvQt7fyjQ3MGX9S0wz0x0RQuLxCeoXF+s8EjGICG81/DYQGKN5qgO+0KVT12UAaRwUsGY6fulRcRg=="
FONT_STACK='"Helvetica Neue",Helvetica,Arial,sans-serif'

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/crates/charter-web/static"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

mkdir -p "$OUT"

echo "Fetching govuk-frontend@$VERSION with npm pack ..."
(cd "$TMP" && npm pack "govuk-frontend@$VERSION" --silent >/dev/null)
TARBALL="$TMP/govuk-frontend-$VERSION.tgz"
[ -f "$TARBALL" ] || { echo "error: npm pack did not produce $TARBALL" >&2; exit 1; }

# Check the tarball against the pinned integrity (defence against a changed registry artefact).
ACTUAL="sha512-$(node -e 'const c=require("crypto"),f=require("fs");process.stdout.write(c.createHash("sha512").update(f.readFileSync(process.argv[1])).digest("base64"))' "$TARBALL")"
if [ "$ACTUAL" != "$INTEGRITY" ]; then
  echo "error: integrity mismatch for govuk-frontend-$VERSION.tgz" >&2
  echo "  expected $INTEGRITY" >&2
  echo "  actual   $ACTUAL" >&2
  exit 1
fi

tar -xzf "$TARBALL" -C "$TMP"
PKG="$TMP/package"
DIST="$PKG/dist/govuk"
PKG_VERSION="$(node -p 'require(process.argv[1]).version' "$PKG/package.json")"
PKG_LICENSE="$(node -p 'require(process.argv[1]).license' "$PKG/package.json")"
[ "$PKG_VERSION" = "$VERSION" ] || { echo "error: package.json says $PKG_VERSION" >&2; exit 1; }
[ "$PKG_LICENSE" = "MIT" ] || { echo "error: package licence is $PKG_LICENSE, not MIT" >&2; exit 1; }

# --- CSS ---------------------------------------------------------------------
node - "$DIST/govuk-frontend.min.css" "$OUT/govuk-frontend.min.css" "$VERSION" "$FONT_STACK" <<'NODE'
const fs = require("fs");
const [src, dest, version, fontStack] = process.argv.slice(2);
let css = fs.readFileSync(src, "utf8");

const charset = '@charset "UTF-8";';
const hadCharset = css.startsWith(charset);
if (hadCharset) css = css.slice(charset.length);

// 1. Drop all @font-face rules (no nested braces inside them).
const fontFaces = css.match(/@font-face\s*\{[^{}]*\}/g) || [];
css = css.replace(/@font-face\s*\{[^{}]*\}/g, "");

// 2. Drop the GDS Transport font copyright comment (the font is no longer shipped or referenced)
//    and the source map comment (we do not ship the map and it would no longer match).
css = css.replace(/\/\*![^*]*Margaret Calvert[\s\S]*?\*\//g, "");
css = css.replace(/\/\*#\s*sourceMappingURL=[^*]*\*\/\s*$/, "");

// 3. Replace the GDS Transport family (quoted or not), swallowing the arial fallback that follows it.
const families = (css.match(/(["']?)GDS Transport\1/g) || []).length;
css = css.replace(/(["']?)GDS Transport\1(\s*,\s*(["']?)arial\3)?(\s*,\s*sans-serif)?/gi, fontStack);

// 4. Remove every rule that points at a GOV.UK image/font asset (crest on .govuk-footer__copyright-logo:before),
//    then any at-rule blocks left empty by that.
const assetRule = /[^{}]*\{[^{}]*url\(\s*["']?\/assets\/[^)]*\)[^{}]*\}/g;
const assetRules = (css.match(assetRule) || []).map(r => r.trim().split("{")[0]);
css = css.replace(assetRule, "");
let prev;
do { prev = css; css = css.replace(/@(supports|media)[^{}]*\{\s*\}/g, ""); } while (css !== prev);

// 5. Checks.
const fail = m => { console.error("error: " + m); process.exit(1); };
if (fontFaces.length === 0) fail("expected @font-face rules in upstream CSS; upstream changed, review this script");
if (/@font-face/i.test(css)) fail("@font-face left in CSS");
if (/GDS Transport/i.test(css)) fail("GDS Transport left in CSS");
if (/govuk-crest|\/assets\//i.test(css)) fail("reference to GOV.UK assets left in CSS");
const urls = css.match(/url\([^)]*\)/g) || [];
const foreign = urls.filter(u => !/^url\(\s*["']?data:/.test(u));
if (foreign.length) fail("non-data url() left in CSS: " + foreign.join(" "));
if ((css.match(/\{/g) || []).length !== (css.match(/\}/g) || []).length) fail("unbalanced braces after rewrite");

const header =
  "/*! GOV.UK Frontend " + version + " (npm govuk-frontend, https://github.com/alphagov/govuk-frontend)\n" +
  " * Copyright (C) 2017 Crown Copyright (Government Digital Service). MIT licence: see LICENSE-govuk-frontend.txt.\n" +
  " * Modified for Charter by scripts/vendor-govuk-frontend.sh: the GOV.UK-only webfont (its font\n" +
  " * declarations and font-family uses) replaced by " + fontStack + ";\n" +
  " * rules using the GOV.UK crest image removed.\n" +
  " * Do not edit by hand: re-run the script. */\n";
// @charset must stay the very first bytes of the file (the CSS contains non-ASCII), so the comment goes after it.
fs.writeFileSync(dest, (hadCharset ? charset + "\n" : "") + header + css.trim() + "\n");
console.log(`\ncss: removed ${fontFaces.length} @font-face rules, replaced ${families} font-family uses, ` +
  `removed ${assetRules.length} asset rules (${[...new Set(assetRules)].join(", ")})`);
NODE

# --- JS ----------------------------------------------------------------------
cp "$DIST/govuk-frontend.min.js" "$OUT/govuk-frontend.min.js"
chmod 0644 "$OUT/govuk-frontend.min.js"

# --- Licence -----------------------------------------------------------------
# The npm tarball ships no LICENSE file (package.json only says "MIT"), so if none is found we write
# the text of LICENSE.txt from https://github.com/alphagov/govuk-frontend (MIT, Crown Copyright).
LICENSE_SRC="$(find "$PKG" -maxdepth 1 -iname 'licen[cs]e*' | head -n 1)"
{
  echo "GOV.UK Frontend $VERSION (npm package govuk-frontend), https://github.com/alphagov/govuk-frontend"
  echo "Vendored into Charter as static/govuk-frontend.min.css (modified: see its header) and"
  echo "static/govuk-frontend.min.js (unchanged). GOV.UK Frontend's documentation is Crown copyright"
  echo "under the Open Government Licence v3.0; Charter ships none of it, nor the GOV.UK fonts or images."
  echo
  if [ -n "$LICENSE_SRC" ]; then
    cat "$LICENSE_SRC"
  else
    cat <<'MIT'
The MIT License (MIT)

Copyright (C) 2017 Crown Copyright (Government Digital Service)

Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies
of the Software, and to permit persons to whom the Software is furnished to do
so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
MIT
  fi
} > "$OUT/LICENSE-govuk-frontend.txt"

# --- Final checks ------------------------------------------------------------
CSS="$OUT/govuk-frontend.min.css"
[ "$(grep -c 'GDS Transport' "$CSS" || true)" = "0" ] || { echo "error: GDS Transport in $CSS" >&2; exit 1; }
[ "$(grep -c '@font-face' "$CSS" || true)" = "0" ] || { echo "error: @font-face in $CSS" >&2; exit 1; }
cmp -s "$DIST/govuk-frontend.min.js" "$OUT/govuk-frontend.min.js" || { echo "error: JS copy differs" >&2; exit 1; }

echo "Wrote:"
for f in govuk-frontend.min.css govuk-frontend.min.js LICENSE-govuk-frontend.txt; do
  printf '  %-28s %8d bytes\n' "$f" "$(wc -c < "$OUT/$f")"
done
