"""Charts for the admin dashboards, drawn by the server as plain HTML (styled by cms/static/cms/charts.css).

No JavaScript and no CDN: the charts render wherever the admin does (offline, in headless tests,
in a PDF print), carry their figures as text for screen readers (`aria-label`, `title`), and cost
nothing to load. Three shapes cover the dashboards:

    {% load charts %}
    {% stacked_bar segments target=target_segments %}   a 100% bar, e.g. the 70:20:10 mix
    {% progress_bar done total overdue=2 %}             steps done out of total, overdue marked
    {% bar_chart rows unit="%" %}                       one horizontal bar per row, e.g. open rate

`segments` and `target` are lists of `Segment` (or (label, value) pairs); `rows` is a list of
`Row` (or (label, value) pairs). Colours come from a fixed palette in segment order.
"""

from dataclasses import dataclass

from django import template

register = template.Library()

# Wagtail admin-friendly colours with enough contrast on white and in dark mode.
PALETTE = ("#2e7d5b", "#3b6fb6", "#d08a1e", "#8e44ad", "#c0392b", "#6d7a86")


@dataclass(frozen=True)
class Segment:
    label: str
    value: float


@dataclass(frozen=True)
class Row:
    label: str
    value: float
    # Shown beside the bar instead of the bare value (e.g. "12 of 40").
    caption: str = ""


def _as_segments(items) -> list[Segment]:
    return [item if isinstance(item, Segment) else Segment(*item) for item in items or ()]


def _as_rows(items) -> list[Row]:
    return [item if isinstance(item, Row) else Row(*item) for item in items or ()]


def _fmt(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def _shares(segments: list[Segment]) -> list[dict]:
    total = sum(max(s.value, 0) for s in segments)
    return [
        {
            "label": s.label,
            "value": _fmt(s.value),
            "percent": round(100 * max(s.value, 0) / total, 1) if total else 0,
            "colour": PALETTE[i % len(PALETTE)],
        }
        for i, s in enumerate(segments)
    ]


@register.inclusion_tag("cms/charts/stacked_bar.html")
def stacked_bar(segments, target=None, legend=True, label=""):
    """A 100% stacked bar of `segments`; with `target`, a thin reference bar beneath it."""
    parts = _shares(_as_segments(segments))
    target_parts = _shares(_as_segments(target)) if target else []
    summary = ", ".join(f"{p['label']} {p['percent']:.0f}%" for p in parts if p["percent"])
    if target_parts:
        summary += " (target " + ", ".join(f"{p['percent']:.0f}" for p in target_parts) + ")"
    return {
        "parts": parts,
        "target_parts": target_parts,
        "empty": not any(p["percent"] for p in parts),
        "legend": legend,
        "aria_label": f"{label}: {summary}" if label else summary or "nothing recorded",
    }


@register.inclusion_tag("cms/charts/progress_bar.html")
def progress_bar(done, total, overdue=0, label=""):
    """Done out of total in green, overdue in red after it, the rest empty."""
    done, total, overdue = int(done or 0), int(total or 0), int(overdue or 0)
    done_pct = round(100 * done / total, 1) if total else 0
    overdue_pct = round(100 * min(overdue, total - done) / total, 1) if total else 0
    text = f"{done} of {total} done" + (f", {overdue} overdue" if overdue else "")
    return {
        "done": done,
        "total": total,
        "overdue": overdue,
        "done_pct": done_pct,
        "overdue_pct": overdue_pct,
        "text": text,
        "aria_label": f"{label}: {text}" if label else text,
    }


@register.inclusion_tag("cms/charts/bar_chart.html")
def bar_chart(rows, unit="", maximum=None, label=""):
    """Horizontal bars, one per row, scaled to `maximum` (default: the largest value)."""
    rows = _as_rows(rows)
    top = maximum if maximum is not None else max((r.value for r in rows), default=0)
    return {
        "rows": [
            {
                "label": r.label,
                "value": _fmt(r.value),
                "caption": r.caption or f"{_fmt(r.value)}{unit}",
                "percent": round(100 * max(r.value, 0) / top, 1) if top else 0,
                "colour": PALETTE[1],
            }
            for r in rows
        ],
        "aria_label": label,
    }
