"""How large a chunk a phone camera reads off another phone's screen: for each chunk size, the
core's QR code (base45 text, error correction M) filmed through camera.py's simulated camera at
several sizes in the frame, and read by ZXing. Prints the share read; docs/sync.md §QR codes
has the figures and the choice of QR_CHUNK_BYTES they justify.

    cd bindings/tests/python && python bench_qr_scan.py [TRIALS]   # with the wheel installed
"""

import random
import sys

from camera import film, random_bytes, read
from linli import chunk_to_text, qr_code

SIZES = [200, 300, 400, 480, 560, 800, 1_200, 2_000]
PIXELS = [160, 200, 230, 340]


def main(trials):
    rng = random.Random(2026)
    print("chunk bytes | version | modules | " + " | ".join(f"{px} px" for px in PIXELS))
    print("---|---|---|" + "---|" * len(PIXELS))
    for n in SIZES:
        # A chunk of random bytes: its header, its proof and a payload that does not compress.
        text = chunk_to_text(random_bytes(n, n))
        code = qr_code(text)
        cells = []
        for px in PIXELS:
            ok = sum(read(film(code, px, rng)) == [text] for _ in range(trials))
            cells.append(f"{ok}/{trials}")
        print(f"{n} | {code.version} | {code.size} | " + " | ".join(cells), flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
