"""One phone's camera filming a QR code on another phone's screen, simulated: the code drawn from
the core's module matrix, the screen's contrast and glare, a small tilt, the camera's
resolution, defocus, sensor noise and JPEG. Used by test_qr.py and bench_qr_scan.py, with ZXing
(the `zxing-cpp` package: the decoder Android scanners use) as the independent reader.
"""

import io
import random

from PIL import Image, ImageFilter

QUIET = 4


def draw(code, module_px=1):
    """The code as a greyscale image, `module_px` pixels a module, with its quiet zone."""
    full = code.size + 2 * QUIET
    img = Image.new("L", (full, full), 255)
    pixels = img.load()
    for y in range(code.size):
        row = code.modules[y * code.size:(y + 1) * code.size]
        for x, dark in enumerate(row):
            if dark:
                pixels[x + QUIET, y + QUIET] = 0
    if module_px != 1:
        img = img.resize((full * module_px, full * module_px), Image.NEAREST)
    return img


def film(code, px, rng):
    """What a camera frame holds of the code when the code (without its quiet zone) spans `px`
    camera pixels: e.g. ~230 px for a 5 cm code at 22 cm from a 720p camera."""
    full = code.size + 2 * QUIET
    img = draw(code)
    lo, hi = rng.randint(30, 70), rng.randint(180, 225)  # a screen's black and white, some glare
    img = img.point(lambda v: lo + (hi - lo) * v // 255)
    img = img.resize((full * 8, full * 8), Image.NEAREST)
    img = img.rotate(rng.uniform(-6, 6), resample=Image.BILINEAR, fillcolor=hi)
    side = int(px * full / code.size)
    img = img.resize((side, side), Image.BILINEAR)
    img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 1.1)))
    img = Image.blend(img, Image.effect_noise((side, side), rng.uniform(6, 12)), 0.08)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=rng.randint(60, 80))
    buf.seek(0)
    return Image.open(buf)


def read(img):
    """Every QR text ZXing reads in the image."""
    import zxingcpp

    return [r.text for r in zxingcpp.read_barcodes(img) if r.valid]


def random_bytes(n, seed):
    rng = random.Random(seed)
    return bytes(rng.getrandbits(8) for _ in range(n))
