"""Social cards: a 1200x630 PNG per lesson, term and path page, for link previews (Open Graph, X, chats).

A card is drawn as a grey-level image and coloured through its palette (grey 0 is the background, the top
of the ramp the text colour, in-between greys the muted lines): one byte a pixel, so a card encodes about
three times faster than an RGB one and weighs a third. Pillow's own bundled font is used, so a card looks
the same on every machine with the same Pillow.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 630
MARGIN = 80
TEXT_TOP = 253  # the grey the title is drawn in: the top of the ramp; 254 and 255 are the accent
ACCENT = 255


@dataclass(frozen=True, slots=True)
class CardSpec:
    site: str  # the site's title, top left
    title: str  # wrapped, up to four lines
    kicker: str  # what the page is: "Lesson · Reliability · intermediate"
    background: str  # "#rrggbb"
    foreground: str
    accent: str


def card_url(kind: str, key: str) -> str:
    """Where the card of a lesson, term or path page is published: cards/lessons/<slug>.png ..."""
    return f"cards/{kind}/{key}.png"


def _rgb(colour: str) -> tuple[int, int, int]:
    value = int(colour.lstrip("#"), 16)
    return value >> 16 & 255, value >> 8 & 255, value & 255


@lru_cache(maxsize=8)
def _palette(colours: tuple[str, str, str]) -> list[int]:
    background, foreground, accent = (_rgb(colour) for colour in colours)
    ramp: list[int] = []
    for grey in range(TEXT_TOP + 1):
        ramp += [round(b + (f - b) * grey / TEXT_TOP) for b, f in zip(background, foreground, strict=True)]
    return ramp + list(accent) * (256 - TEXT_TOP - 1)


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def wrap(text: str, size: int, width: float, max_lines: int) -> list[str]:
    """Words to lines no wider than width at this font size; an ellipsis ends a title too long to fit."""
    font = _font(size)
    lines: list[str] = []
    for word in text.split():
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    while any(font.getlength(line) > width for line in lines):  # a single word wider than the card
        index = next(i for i, line in enumerate(lines) if font.getlength(line) > width)
        lines[index] = lines[index][:-2] + "…"
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        while lines[-1] and font.getlength(lines[-1] + " …") > width:
            lines[-1] = lines[-1].rsplit(" ", 1)[0] if " " in lines[-1] else lines[-1][:-1]
        lines[-1] += " …"
    return lines


@lru_cache(maxsize=4)
def _frame(site: str) -> Image.Image:
    """What every card of a site shares: the accent bars and the site's name, drawn once a process."""
    image = Image.new("L", (WIDTH, HEIGHT), 0)
    pen = ImageDraw.Draw(image)
    pen.rectangle((0, 0, 16, HEIGHT), fill=ACCENT)
    pen.text((MARGIN, 70), site, font=_font(38), fill=170)
    pen.rectangle((MARGIN, HEIGHT - 130, MARGIN + 120, HEIGHT - 124), fill=ACCENT)
    return image


@lru_cache(maxsize=256)
def _kicker(text: str) -> Image.Image:
    """A kicker line as a grey mask; few distinct ones ("Lesson · Reliability · advanced") recur."""
    font = _font(34)
    _, _, right, bottom = font.getbbox(text)
    mask = Image.new("L", (max(1, round(right)), max(1, round(bottom))), 0)
    ImageDraw.Draw(mask).text((0, 0), text, font=font, fill=190)
    return mask


def draw_card(spec: CardSpec) -> bytes:
    image = _frame(spec.site).copy()
    pen = ImageDraw.Draw(image)
    size = 68 if len(spec.title) <= 60 else 58
    lines = wrap(spec.title, size, WIDTH - 2 * MARGIN, 4)
    pen.multiline_text((MARGIN, 170), "\n".join(lines), font=_font(size), fill=TEXT_TOP, spacing=18)
    kicker = _kicker(spec.kicker)
    image.paste(kicker, (MARGIN, HEIGHT - 105), kicker)  # the frame is dark there: the mask is the text
    # the grey levels become palette indexes: the image is now "P"
    image.putpalette(_palette((spec.background, spec.foreground, spec.accent)))
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=1)  # flat colour compresses well even at the fastest level
    return out.getvalue()
