"""The demo's PDF documents: A4 pages at 150 dpi, written top to bottom with the
drawing library, and the three layouts that content.json's documents name by their
key (LAYOUTS): the poster, the plan of the days and the paper questionnaire.

Each layout takes the demo content (content.Content) and its document's entry, and
returns the PDF's bytes. The dates are worded in the active language: load_demo draws
them in Ukrainian.
"""

from io import BytesIO

from PIL import Image, ImageDraw

from home.dates import format_date_range, format_day, format_time_range

from .drawing import GREY, INK, WHITE, draw_text, drawable, get_font, line_height, wrap

PAGE_SIZE = (1240, 1754)
MARGIN = 110
TEXT_WIDTH = PAGE_SIZE[0] - 2 * MARGIN


class PdfSheets:
    """Writes text top to bottom onto A4 pages, starting a new page when one is full."""

    def __init__(self):
        self.pages = []
        self.new_page()

    def new_page(self):
        self.pages.append(Image.new("RGB", PAGE_SIZE, WHITE))
        self.draw = ImageDraw.Draw(self.pages[-1])
        self.y = MARGIN

    def room(self, height):
        if self.y + height > PAGE_SIZE[1] - MARGIN:
            self.new_page()

    def text(self, text, size=24, bold=False, fill=INK, indent=0, space_after=12):
        width = TEXT_WIDTH - indent
        lines = len(wrap(text, get_font(size, bold), width))
        self.room(lines * line_height(size))
        self.y = draw_text(self.draw, (MARGIN + indent, self.y), text, size, width, fill, bold)
        self.y += space_after

    def band(self, colour, height):
        """A coloured band across the top of the page, to write on in white."""
        self.draw.rectangle((0, 0, PAGE_SIZE[0], height), fill=colour)
        self.y = MARGIN * 0.7

    def swatch(self, colour, text, size=26, box=False):
        """A colour square (or an empty tick box) followed by a label."""
        self.room(line_height(size))
        side = size
        square = (MARGIN, self.y + 4, MARGIN + side, self.y + 4 + side)
        if box:
            self.draw.rectangle(square, outline=colour, width=3)
        else:
            self.draw.rectangle(square, fill=colour)
        self.draw.text((MARGIN + side + 18, self.y), drawable(text), font=get_font(size), fill=INK)
        self.y += line_height(size) + 8

    def answer_lines(self, count, gap=52):
        self.room(count * gap)
        for _ in range(count):
            self.y += gap
            self.draw.line((MARGIN, self.y, PAGE_SIZE[0] - MARGIN, self.y), fill=GREY, width=2)
        self.y += 24

    def footer(self, text):
        """The same small line at the bottom of every page."""
        for page in self.pages:
            draw = ImageDraw.Draw(page)
            draw_text(draw, (MARGIN, PAGE_SIZE[1] - MARGIN + 30), text, 18, TEXT_WIDTH, GREY)

    def pdf_bytes(self, title):
        buffer = BytesIO()
        first, *rest = self.pages
        first.save(buffer, "PDF", resolution=150, save_all=True, append_images=rest, title=title)
        return buffer.getvalue()


def edition_dates(content):
    return format_date_range(content.edition["start_date"], content.edition["end_date"])


def poster_pdf(content, spec):
    """The poster: title, dates, place and slogan on a band, then the lead, the tracks,
    the days of the week, the contacts and the organisers."""
    edition, texts, hero = content.edition, spec["texts"], content.hero_image
    sheets = PdfSheets()
    sheets.band(hero["background"], 420)
    sheets.text(edition["title"], 64, bold=True, fill=WHITE, space_after=24)
    sheets.text(edition_dates(content), 40, bold=True, fill=hero["accent"])
    sheets.text(content.venue["name"], 30, fill=WHITE, space_after=30)
    sheets.text(edition["slogan"], 34, bold=True, fill=WHITE)
    sheets.y = 480
    sheets.text(edition["lead"], 28, space_after=40)
    sheets.text(texts["tracks"], 36, bold=True)
    for track in content.tracks:
        sheets.swatch(track["colour"], track["title"], 30)
    sheets.y += 30
    sheets.text(texts["week"], 36, bold=True)
    for day in content.days:
        sheets.text(f"{format_day(day['date'])} — {day['title']}", 27, space_after=10)
    sheets.y += 30
    contacts = texts["contacts"].format(
        email=edition["contact_email"], phone=edition["contact_phone"]
    )
    sheets.text(contacts, 24)
    organisers = ", ".join(partner["logo_text"] for partner in content.organisers())
    sheets.text(texts["organisers"].format(organisers=organisers), 20)
    sheets.footer(content.notices["document"])
    return sheets.pdf_bytes(spec["title"])


def plan_pdf(content, spec):
    """The plan: every session of every day with its time and spot, in its track's
    colour."""
    venue = content.venue
    sheets = PdfSheets()
    sheets.text(spec["texts"]["heading"].format(dates=edition_dates(content)), 40, bold=True)
    sheets.text(f"{venue['name']}, {venue['address']}", 24, fill=GREY, space_after=30)
    tracks = content.tracks_by_key()
    for day in content.days:
        sheets.room(line_height(28) + len(day["sessions"]) * (line_height(21) + 6) + 10)
        sheets.text(f"{format_day(day['date'])} — {day['title']}", 28, bold=True, space_after=10)
        for session in day["sessions"]:
            time = format_time_range(session["start"], session["end"])
            where = f" ({session['spot']})" if session["spot"] else ""
            colour = tracks[session["track"]]["colour"] if session["track"] else INK
            line = f"{time}  {session['title']}{where}"
            sheets.text(line, 21, fill=colour, indent=20, space_after=6)
        sheets.y += 24
    sheets.footer(content.notices["document"])
    return sheets.pdf_bytes(spec["title"])


def questionnaire_pdf(content, spec):
    """The paper questionnaire: numbered questions, each with its answer lines or with
    a tick box per track."""
    sheets = PdfSheets()
    sheets.text(spec["title"], 38, bold=True, space_after=20)
    sheets.text(spec["intro"], 24, fill=GREY, space_after=30)
    for number, question in enumerate(spec["questions"], start=1):
        lines = question.get("lines", 0)
        answers = lines * 52 if lines else len(content.tracks) * (line_height(24) + 8)
        sheets.room(line_height(26) + answers + 40)
        sheets.text(f"{number}. {question['question']}", 26, bold=True, space_after=4)
        if lines:
            sheets.answer_lines(lines)
        else:
            sheets.y += 8
            for track in content.tracks:
                sheets.swatch(INK, track["title"], 24, box=True)
            sheets.y += 16
    sheets.footer(content.notices["document"])
    return sheets.pdf_bytes(spec["title"])


# A document of content.json chooses its layout by its key.
LAYOUTS = {"poster": poster_pdf, "plan": plan_pdf, "questionnaire": questionnaire_pdf}
