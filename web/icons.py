"""The app's home-screen icons, drawn in code (a white speech bubble on the widget colour) so
no binary files live in git. Plain zlib PNG: no imaging library needed."""
from __future__ import annotations

import struct
import zlib
from functools import lru_cache


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


@lru_cache(maxsize=8)
def icon_png(size: int, colour: str = "#1d70b8") -> bytes:
    """A square PNG icon of ``size`` pixels."""
    bg, white = _rgb(colour), (255, 255, 255)
    rows = []
    for y in range(size):
        row = bytearray([0])  # filter type 0 for each scanline
        for x in range(size):
            u, v = x / size, y / size
            # a rounded bubble and its tail
            inside = (0.2 <= u <= 0.8 and 0.25 <= v <= 0.65) and not (
                (u < 0.26 or u > 0.74) and (v < 0.31 or v > 0.59)
                and min((u - 0.26) ** 2 + (v - 0.31) ** 2, (u - 0.74) ** 2 + (v - 0.31) ** 2,
                        (u - 0.26) ** 2 + (v - 0.59) ** 2, (u - 0.74) ** 2 + (v - 0.59) ** 2) > 0.06 ** 2)
            tail = 0.3 <= u <= 0.45 and 0.65 <= v <= 0.78 and (v - 0.65) <= (0.45 - u)
            row += bytes(white if inside or tail else bg)
        rows.append(bytes(row))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) \
        + _chunk(b"IEND", b"")
