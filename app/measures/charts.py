"""Bar charts as SVG drawn on the server (no script, no CDN): one bar per fiscal year and,
where the plan gives one, the target as a line across them."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 520, 240, 60, 30, 40


@dataclass(frozen=True)
class Point:
    label: str  #: "FY2026"
    value: float | None
    target: float | None = None


def _y(value: float, top: float) -> float:
    plot = HEIGHT - BOTTOM - TOP
    return HEIGHT - BOTTOM - (value / top) * plot if top else HEIGHT - BOTTOM


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}"


def bar_chart(title: str, unit: str, points: list[Point]) -> Markup:
    """An accessible SVG: its <title> and each bar's <title> say the numbers in words."""
    values = [p.value or 0 for p in points] + [p.target or 0 for p in points]
    top = max(values) * 1.15 if values and max(values) > 0 else 1
    step = (WIDTH - LEFT - 10) / max(len(points), 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
             f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
             f'font-family="IPAexGothic, sans-serif">',
             f"<title>{escape(title)} ({escape(unit)})</title>",
             f'<text x="4" y="14" font-size="13" font-weight="bold">{escape(title)}</text>',
             f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - 10}" y2="{HEIGHT - BOTTOM}" '
             f'stroke="#333"/>',
             f'<text x="4" y="{TOP - 6}" font-size="11">{escape(unit)}</text>',
             f'<text x="4" y="{TOP + 6}" font-size="11">{escape(_number(top))}</text>']
    for i, point in enumerate(points):
        parts.extend(_bar(i, step, point, top, unit))
    parts.append("</svg>")
    return Markup("".join(parts))


def _bar(i: int, step: float, point: Point, top: float, unit: str) -> list[str]:
    x = LEFT + i * step + step * 0.2
    width = step * 0.6
    out = []
    if point.value is not None:
        y = _y(point.value, top)
        out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" '
                   f'height="{HEIGHT - BOTTOM - y:.1f}" fill="#2f6f9f"><title>'
                   f"{escape(point.label)}: {escape(_number(point.value))} {escape(unit)}"
                   f"</title></rect>")
        out.append(f'<text x="{x + width / 2:.1f}" y="{y - 3:.1f}" font-size="10" '
                   f'text-anchor="middle">{escape(_number(point.value))}</text>')
    if point.target is not None:
        y = _y(point.target, top)
        left, right = x - step * 0.15, x + width + step * 0.15
        out.append(f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{right:.1f}" '
                   f'y2="{y:.1f}" stroke="#c0392b" stroke-width="2" stroke-dasharray="5,3">'
                   f"<title>{escape(point.label)}: {escape(_number(point.target))} "
                   f"{escape(unit)}</title></line>")
    out.append(f'<text x="{x + width / 2:.1f}" y="{HEIGHT - 10}" font-size="11" '
               f'text-anchor="middle">{escape(point.label)}</text>')
    return out
