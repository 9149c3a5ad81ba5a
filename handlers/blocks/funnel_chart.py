"""A small PNG of the funnel for weekly digests (people would rather look than read)."""

from __future__ import annotations

import io
from collections.abc import Mapping

from PIL import Image, ImageDraw, ImageFont

from handlers.blocks.common import stage_label
from lifecycle.stages import FUNNEL, Stage

WIDTH, ROW_HEIGHT, MARGIN, LABEL_WIDTH = 720, 44, 24, 130
COLOURS = ("#5b8def", "#4c7fe0", "#3f6fcc", "#2f9e74", "#23875f", "#c0504d")
BACKGROUND, TEXT = "#ffffff", "#1d1c1d"


def funnel_png(counts: Mapping[Stage, int], *, title: str) -> bytes:
    """Horizontal bars per stage (churned last), each with its count and share of all customers."""
    stages = [*FUNNEL, Stage.CHURNED]
    height = MARGIN * 2 + 36 + ROW_HEIGHT * len(stages)
    image = Image.new("RGB", (WIDTH, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    title_font, font = ImageFont.load_default(size=20), ImageFont.load_default(size=15)
    draw.text((MARGIN, MARGIN), title, fill=TEXT, font=title_font)
    largest = max([counts.get(stage, 0) for stage in stages] + [1])
    total = sum(counts.get(stage, 0) for stage in stages)
    bar_space = WIDTH - MARGIN * 2 - LABEL_WIDTH - 150
    for row, stage in enumerate(stages):
        top = MARGIN + 36 + row * ROW_HEIGHT
        count = counts.get(stage, 0)
        draw.text((MARGIN, top + 10), stage_label(stage), fill=TEXT, font=font)
        length = max(2, int(bar_space * count / largest))
        left = MARGIN + LABEL_WIDTH
        draw.rounded_rectangle((left, top + 6, left + length, top + ROW_HEIGHT - 8), radius=4, fill=COLOURS[row])
        note = f"{count:,}  ({count / total:.0%})" if total else "0"
        draw.text((left + length + 10, top + 10), note, fill=TEXT, font=font)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
