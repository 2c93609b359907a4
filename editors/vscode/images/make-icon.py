#!/usr/bin/env python3
"""Draws images/icon.png (128x128): "abi3" in a pixel font on a rounded blue tile,
with a yellow underline. Standard library only. Run: python3 images/make-icon.py"""
import os
import struct
import zlib

W = H = 128
BG = (38, 76, 138, 255)      # blue
FG = (255, 255, 255, 255)    # white
ACC = (255, 212, 59, 255)    # yellow
CLEAR = (0, 0, 0, 0)

# 5x7 glyphs, '#' = ink.
GLYPHS = {
    "a": ["     ", "     ", " ### ", "    #", " ####", "#   #", " ####"],
    "b": ["#    ", "#    ", "#### ", "#   #", "#   #", "#   #", "#### "],
    "i": ["  #  ", "     ", " ##  ", "  #  ", "  #  ", "  #  ", " ### "],
    "3": [" ### ", "#   #", "    #", "  ## ", "    #", "#   #", " ### "],
}


def inside_rounded(x, y, r=22, m=4):
    x0, y0, x1, y1 = m, m, W - 1 - m, H - 1 - m
    if x < x0 or x > x1 or y < y0 or y > y1:
        return False
    cx = min(max(x, x0 + r), x1 - r)
    cy = min(max(y, y0 + r), y1 - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def main():
    px = [[BG if inside_rounded(x, y) else CLEAR for x in range(W)] for y in range(H)]
    scale, text = 5, "abi3"
    gw = 5 * scale + scale  # glyph + one column gap
    x0 = (W - (gw * len(text) - scale)) // 2
    y0 = 34
    for i, ch in enumerate(text):
        for gy, row in enumerate(GLYPHS[ch]):
            for gx, c in enumerate(row):
                if c == "#":
                    for dy in range(scale):
                        for dx in range(scale):
                            px[y0 + gy * scale + dy][x0 + i * gw + gx * scale + dx] = ACC if ch == "3" else FG
    for y in range(82, 90):
        for x in range(24, W - 24):
            px[y][x] = ACC
    raw = b"".join(b"\x00" + b"".join(struct.pack("4B", *p) for p in row) for row in px)

    def chunk(kind, data):
        c = kind + data
        return struct.pack(">I", len(data)) + c + struct.pack(">I", zlib.crc32(c) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", W, H, 8, 6, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "icon.png")
    with open(out, "wb") as f:
        f.write(png)


if __name__ == "__main__":
    main()
