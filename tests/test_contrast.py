"""Every badge's text stands out from its background by at least WCAG's 4.5:1, read from the CSS."""
import re
from pathlib import Path

import pytest

CSS = (Path(__file__).resolve().parent.parent / "static" / "tracker.css").read_text(encoding="utf-8")
VARIABLES = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", CSS))
BADGE_TEXT = re.search(r"^\.badge \{[^}]*color:\s*(#[0-9a-fA-F]{3,6})", CSS, re.M).group(1)


def colour(value: str) -> str:
    value = value.strip()
    if value.startswith("var("):
        value = VARIABLES[value[6:-1]]
    if len(value) == 4:  # #fff
        value = "#" + "".join(part * 2 for part in value[1:])
    return value


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def badge_rules() -> list[tuple[str, str, str]]:
    """(selector, background, text colour) of every `.badge.<kind>` rule."""
    rules = []
    for selector, body in re.findall(r"(\.badge\.[\w-]+)\s*\{([^}]*)\}", CSS):
        background = re.search(r"background:\s*([^;]+);", body)
        text = re.search(r"(?<![-\w])color:\s*([^;]+);", body)
        rules.append((selector, colour(background.group(1)), colour(text.group(1) if text else BADGE_TEXT)))
    return rules


def test_the_css_has_the_badges_of_every_status_and_delivery():
    selectors = {selector for selector, _, _ in badge_rules()}
    assert {".badge.status-done", ".badge.status-late", ".badge.status-in_progress", ".badge.delivery-sent"} <= selectors


@pytest.mark.parametrize("selector, background, text", badge_rules())
def test_badge_text_has_at_least_4_5_to_1_contrast(selector, background, text):
    assert contrast(background, text) >= 4.5, f"{selector}: {contrast(background, text):.2f}"


def test_the_contrast_formula_matches_wcag():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
