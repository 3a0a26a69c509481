"""The demo's drawing library: fonts with Cyrillic glyphs, wrapped text, and the images
of the demo (the hero, the partners' placeholder logos, the track icons), drawn with
Pillow and returned as PNG bytes.

It knows nothing of pages or models: the builders pass it the colours and the words.
"""

import math
from functools import cache
from io import BytesIO
from pathlib import Path

from anyascii import anyascii
from PIL import Image, ImageDraw, ImageFont

WHITE = "#ffffff"
INK = "#1d1d1b"
GREY = "#5f6368"

# (folder, regular, bold): fonts with Cyrillic glyphs, where common systems keep them.
CYRILLIC_FONTS = [
    ("/usr/share/fonts/truetype/dejavu", "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/dejavu-sans-fonts", "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/dejavu", "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/TTF", "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    ("/usr/local/share/fonts", "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    (
        "/usr/share/fonts/truetype/liberation",
        "LiberationSans-Regular.ttf",
        "LiberationSans-Bold.ttf",
    ),
    ("/usr/share/fonts/truetype/noto", "NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    ("/usr/share/fonts/truetype/freefont", "FreeSans.ttf", "FreeSansBold.ttf"),
    ("/System/Library/Fonts/Supplemental", "Arial.ttf", "Arial Bold.ttf"),
    ("C:/Windows/Fonts", "arial.ttf", "arialbd.ttf"),
]

# --------------------------------------------------------------------------------------
# Fonts and text
# --------------------------------------------------------------------------------------


@cache
def cyrillic_font_files():
    """(regular, bold) paths of the first Cyrillic font found, or None."""
    for folder, regular, bold in CYRILLIC_FONTS:
        regular_path, bold_path = Path(folder, regular), Path(folder, bold)
        if regular_path.is_file():
            return str(regular_path), str(bold_path if bold_path.is_file() else regular_path)
    return None


@cache
def get_font(size, bold=False):
    files = cyrillic_font_files()
    if files:
        return ImageFont.truetype(files[int(bold)], size)
    # Pillow's own font has no Cyrillic: text is transliterated (see drawable).
    return ImageFont.load_default(size=size)


def drawable(text):
    """The text as the available font can draw it."""
    return text if cyrillic_font_files() else anyascii(text)


def wrap(text, font, width):
    lines, line = [], ""
    for word in drawable(text).split():
        candidate = f"{line} {word}".strip()
        if line and font.getlength(candidate) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    return [*lines, line] if line else lines


def line_height(size):
    return round(size * 1.3)


def draw_text(draw, xy, text, size, width, fill=INK, bold=False):
    """Draw wrapped text from its top-left corner; return the y below it."""
    x, y = xy
    font = get_font(size, bold)
    for line in wrap(text, font, width):
        draw.text((x, y), line, font=font, fill=fill)
        y += line_height(size)
    return y


def fitting_size(text, width, height, largest, bold=True):
    """The largest font size (in steps of 2) at which the wrapped text fits the box."""
    for size in range(largest, 12, -2):
        font = get_font(size, bold)
        lines = wrap(text, font, width)
        fits_across = all(font.getlength(line) <= width for line in lines)
        if fits_across and len(lines) * line_height(size) <= height:
            return size
    return 12


def draw_centred(draw, box, text, size, fill=WHITE, bold=True):
    font = get_font(size, bold)
    text = drawable(text)
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    x = box[0] + (box[2] - box[0] - (right - left)) / 2 - left
    y = box[1] + (box[3] - box[1] - (bottom - top)) / 2 - top
    draw.text((x, y), text, font=font, fill=fill)


# --------------------------------------------------------------------------------------
# Images: hero, logos, track icons
# --------------------------------------------------------------------------------------


def png_bytes(image):
    buffer = BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def draw_hero(*, background, skyline, accent, bands, title, subtitle, slogan):
    """The edition's hero: a skyline with lit windows, one band per colour of `bands`
    along the bottom edge, and the title, the subtitle (dates and place) and the
    slogan (in the accent colour)."""
    width, height = 1600, 900
    image = Image.new("RGB", (width, height), background)
    draw = ImageDraw.Draw(image)
    # A skyline of simple blocks with lit windows along the bottom.
    x = 0
    for i in range(40):
        block_width = 70 + (i * 37) % 60
        top = height - 100 - (i * 73) % 150
        draw.rectangle((x, top, x + block_width - 8, height), fill=skyline)
        for wy in range(top + 24, height - 60, 44):
            for wx in range(x + 14, x + block_width - 30, 26):
                if (wx + wy + i) % 3 == 0:
                    draw.rectangle((wx, wy, wx + 10, wy + 16), fill=accent)
        x += block_width
        if x >= width:
            break
    band = width / len(bands)
    for i, colour in enumerate(bands):
        draw.rectangle((i * band, height - 36, (i + 1) * band, height), fill=colour)
    y = draw_text(draw, (100, 110), title, 100, 1400, fill=WHITE, bold=True)
    y = draw_text(draw, (104, y + 20), subtitle, 36, 1400, fill=WHITE)
    draw_text(draw, (104, y + 30), slogan, 56, 1400, fill=accent, bold=True)
    return png_bytes(image)


def draw_logo(*, initials, colour, text):
    """A placeholder logo: the initials on a rounded square of the colour, the text
    beside it."""
    image = Image.new("RGB", (800, 320), WHITE)
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((40, 40, 280, 280), radius=28, fill=colour)
    draw_centred(draw, (40, 40, 280, 280), initials, fitting_size(initials, 200, 200, 84))
    size = fitting_size(text, 460, 240, 44)
    lines = wrap(text, get_font(size, True), 460)
    y = 160 - len(lines) * line_height(size) / 2
    draw_text(draw, (310, y), text, size, 460, fill=INK, bold=True)
    return png_bytes(image)


# Track icon motifs, drawn in white on a 1024 × 1024 canvas.
def motif_tree_bench(draw):
    draw.ellipse((250, 200, 590, 540), fill=WHITE)
    draw.rectangle((395, 500, 445, 760), fill=WHITE)
    draw.rectangle((520, 520, 800, 555), fill=WHITE)
    draw.rectangle((520, 610, 800, 650), fill=WHITE)
    draw.rectangle((540, 650, 570, 760), fill=WHITE)
    draw.rectangle((750, 650, 780, 760), fill=WHITE)
    draw.rectangle((220, 760, 820, 790), fill=WHITE)


def motif_notes(draw):
    draw.ellipse((300, 620, 470, 740), fill=WHITE)
    draw.ellipse((560, 560, 730, 680), fill=WHITE)
    draw.rectangle((430, 300, 470, 690), fill=WHITE)
    draw.rectangle((690, 240, 730, 630), fill=WHITE)
    draw.polygon([(430, 300), (730, 240), (730, 320), (430, 380)], fill=WHITE)


def motif_bicycle(draw):
    for cx in (320, 710):
        draw.ellipse((cx - 150, 470, cx + 150, 770), outline=WHITE, width=36)
    rear, front, crank = (320, 620), (710, 620), (500, 620)
    seat, head = (450, 400), (660, 400)
    for line in [(rear, seat, crank, rear), (seat, head, crank), (head, front)]:
        draw.line(line, fill=WHITE, width=34, joint="curve")
    draw.line([(450, 400), (430, 330)], fill=WHITE, width=30)
    draw.line([(370, 330), (490, 330)], fill=WHITE, width=34)
    draw.line([(660, 400), (640, 320), (720, 320)], fill=WHITE, width=30, joint="curve")


def motif_sun(draw):
    draw.ellipse((362, 362, 662, 662), fill=WHITE)
    for i in range(12):
        angle = math.radians(i * 30)
        start = (512 + 210 * math.cos(angle), 512 + 210 * math.sin(angle))
        end = (512 + 310 * math.cos(angle), 512 + 310 * math.sin(angle))
        draw.line([start, end], fill=WHITE, width=36)


# The motifs a track of content.json may name.
MOTIFS = {
    "tree_bench": motif_tree_bench,
    "notes": motif_notes,
    "bicycle": motif_bicycle,
    "sun": motif_sun,
}


def draw_icon(*, colour, motif):
    """A track icon: the motif (a key of MOTIFS) in white on a disc of the colour."""
    # Drawn four times larger, then reduced: smooth edges without antialiasing support.
    image = Image.new("RGBA", (1024, 1024), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((0, 0, 1023, 1023), fill=colour)
    MOTIFS[motif](draw)
    return png_bytes(image.resize((256, 256), Image.Resampling.LANCZOS))
