"""Makes the Noto Sans subsets shipped with IOC Live (run once; the output is committed).

    pip download fontpkg-noto-sans==2.15 --no-deps -d /tmp/noto && unzip -o /tmp/noto/*.whl -d /tmp/noto
    pip install fonttools==4.* brotli
    python3 server/assets/fonts/make.py /tmp/noto/fontpkg_noto_sans/files/NotoSans[wdth,wght].ttf

Noto Sans (SIL Open Font License 1.1, OFL.txt beside this file): complete Vietnamese,
tabular digits by default. Static Regular and Bold instances at normal width, subset to
Latin and Vietnamese (with the combining marks and ₫), for the server's charts and
briefing (plotters and the PDF embed them; nothing is read from the system's fonts), and
the same two subsets as WOFF2 for the screens (`@font-face` in style/main.css): the wall,
the phone and the PDF use one font.
"""
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont
from fontTools.varLib import instancer

UNICODES = [
    *range(0x20, 0x7F), *range(0xA0, 0x180), 0x1A0, 0x1A1, 0x1AF, 0x1B0,
    *range(0x300, 0x324), *range(0x1EA0, 0x1EFA), *range(0x2010, 0x2027),
    0x2030, 0x2039, 0x203A, 0x20AB, 0x20AC, 0x2116, 0x2122, 0x2190, 0x2191, 0x2192,
    0x2193, 0x2212, 0x2264, 0x2265, 0x25A0, 0x25B2, 0x25BC,
]

def main(source: str) -> None:
    here = Path(__file__).parent
    for weight, name in [(400, "NotoSans-Regular.ttf"), (700, "NotoSans-Bold.ttf")]:
        font = TTFont(source)
        static = instancer.instantiateVariableFont(font, {"wght": weight, "wdth": 100})
        options = subset.Options()
        options.layout_features = ["*"]
        options.name_IDs = ["*"]
        options.notdef_outline = True
        sub = subset.Subsetter(options)
        sub.populate(unicodes=UNICODES)
        sub.subset(static)
        static.save(here / name)
        print(name, (here / name).stat().st_size, "bytes")
        web = name.replace(".ttf", ".woff2")
        static.flavor = "woff2"
        static.save(here / web)
        print(web, (here / web).stat().st_size, "bytes")

if __name__ == "__main__":
    main(sys.argv[1])
