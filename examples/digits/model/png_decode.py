"""A small PNG decoder (stdlib zlib): 8-bit grey, grey+alpha, RGB and RGBA, non-interlaced."""
import struct
import zlib

import numpy as np

CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}


def _unfilter(raw, height, stride, bpp):
    rows = np.zeros((height, stride), dtype=np.uint8)
    prev = np.zeros(stride, dtype=np.int32)
    pos = 0
    for y in range(height):
        ftype = raw[pos]
        line = np.frombuffer(raw, dtype=np.uint8, count=stride, offset=pos + 1).astype(np.int32)
        pos += stride + 1
        if ftype == 0:
            cur = line
        elif ftype == 2:
            cur = (line + prev) & 0xFF
        else:  # Sub, Average, Paeth depend on the pixel to the left: go byte by byte
            cur = np.zeros(stride, dtype=np.int32)
            for i in range(stride):
                a = cur[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                if ftype == 1:
                    pred = a
                elif ftype == 3:
                    pred = (a + b) >> 1
                elif ftype == 4:
                    pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                    pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                else:
                    raise ValueError("bad PNG filter type %d" % ftype)
                cur[i] = (line[i] + pred) & 0xFF
        rows[y] = cur
        prev = cur
    return rows


def decode_png_gray(blob):
    """PNG bytes -> 2-D float array of grey levels 0..255 (alpha composited onto white)."""
    if blob[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    pos, idat, header = 8, [], None
    while pos < len(blob):
        length, kind = struct.unpack(">I4s", blob[pos:pos + 8])
        data = blob[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", data)
        elif kind == b"IDAT":
            idat.append(data)
        elif kind == b"IEND":
            break
    width, height, depth, color, _, _, interlace = header
    if depth != 8 or color not in CHANNELS or interlace:
        raise ValueError("only 8-bit non-interlaced grey/RGB(A) PNGs are supported")
    ch = CHANNELS[color]
    px = _unfilter(zlib.decompress(b"".join(idat)), height, width * ch, ch).reshape(height, width, ch).astype(np.float64)
    gray = px[..., 0] if ch <= 2 else px[..., :3] @ np.array([0.299, 0.587, 0.114])
    if ch in (2, 4):
        alpha = px[..., -1] / 255.0
        gray = gray * alpha + 255.0 * (1 - alpha)
    return gray
