#!/bin/sh
# sm-report -f html in a real browser: the demo's report, rendered by
# headless Chromium, with no console error, and its screenshot showing
# the charts.  The screenshot is kept for a person to look at:
# $SM_BUILD/test-output/report-demo.png.
. "${SM_SRC:-.}/tests/lib.sh"
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || skip_all "chromium is not installed (.ci/run installs it)"
plan 6

SM_NOW=2026-12-01T00:00:00Z
export SM_NOW
sm-classify -c /dev/null "$EXAMPLES/messages.jsonl" |
    sm-route -c "$EXAMPLES/sm.yaml" --state st.db |
    sm-reply -c "$EXAMPLES/sm.yaml" --state st.db > replied.jsonl
sm-report -c "$EXAMPLES/sm.yaml" -f html -g route.queue \
    --since 2026-11-16 --until 2026-11-30 replied.jsonl > report.html
is "the demo's report written" "$?" 0

# a profile of its own, nothing but the file, a tall window: the page
# whole in one screenshot
HOME=$PWD timeout 120 "$browser" --headless --no-sandbox --disable-gpu \
    --no-first-run --disable-extensions --disable-background-networking \
    --user-data-dir="$PWD/profile" --hide-scrollbars \
    --window-size=1000,5000 --screenshot="$PWD/shot.png" \
    --enable-logging=stderr --v=0 "file://$PWD/report.html" \
    > chromium.out 2> chromium.err
is "chromium renders it" "$?" 0
is "no console message, nothing refused or failed to load" \
    "$(grep -c -E 'CONSOLE|Uncaught|Refused|Failed to load|net::ERR' chromium.err)" 0

# The screenshot, decoded (PNG: zlib and the five filters): its size,
# how much of it is not white, and the pixels of the charts' colours.
python3 - shot.png > png.txt <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n"
pos, idat = 8, b""
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
bpp = {2: 3, 6: 4}[ctype]
raw, stride = zlib.decompress(idat), w * bpp
prev, rows, i = bytearray(stride), [], 0
for y in range(h):
    f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
    i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b, c = prev[x], prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(line)
    prev = line
ink = bars = 0
for line in rows:
    for x in range(0, stride, bpp):
        r, g, b = line[x], line[x + 1], line[x + 2]
        if (r, g, b) != (255, 255, 255): ink += 1
        if abs(r - 0x4a) < 8 and abs(g - 0x78) < 8 and abs(b - 0xa8) < 8: bars += 1
print(w, h, "ink" if ink > w * h // 50 else "blank", "bars" if bars > 2000 else "nobars")
PY
is "the screenshot: the page, not blank" "$(cut -d' ' -f1,3 png.txt)" "1000 ink"
is "... with the charts drawn" "$(cut -d' ' -f4 png.txt)" bars

keep=${SM_BUILD:-build}/test-output
mkdir -p "$keep" && cp shot.png "$keep/report-demo.png" && cp report.html "$keep/report-demo.html"
is "... kept for a person to look at" "$?" 0
echo "# screenshot: $keep/report-demo.png"
