"""Charts of the report pages: matplotlib's SVG backend, inlined in the page.

Deterministic: text drawn as paths with the DejaVu Sans font that matplotlib ships, a fixed
``svg.hashsalt`` (the clip-path ids), no date or creator in the metadata. Amounts become floats
here only, to be drawn; every number printed on a chart is formatted from the exact decimal.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from pipeline.outputs.messages import Messages
from pipeline.outputs.report import page as h

PALETTE = ("#1f5f8b", "#e07b39", "#4c9a6a", "#b54a5a", "#7d6bb0", "#8c8c8c")


_RC = {
    "svg.fonttype": "path",
    "svg.hashsalt": "payroll-report",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#5b6775",
    "axes.titlesize": 10,
}
_SVG_PROLOG = re.compile(r"^.*?(?=<svg\b)", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_XMLNS = re.compile(r'\s+xmlns(:\w+)?="[^"]*"')


def _inline_svg(svg: str, prefix: str, label: str) -> str:
    """matplotlib's SVG document as an element of the page: no XML prolog, namespace URIs or
    comments (the HTML parser puts inline ``<svg>`` in the SVG namespace), every id prefixed so
    that two charts never share one, and an accessible name."""
    svg = _COMMENT.sub("", _SVG_PROLOG.sub("", svg, count=1))
    svg = _XMLNS.sub("", svg)
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', svg)
    svg = re.sub(r'(xlink:href|href)="#([^"]+)"', rf'\1="#{prefix}-\2"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", svg)
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{h.esc(label)}" ', 1)
    return re.sub(r">\s+<", "><", svg).strip()


def _chart(
    prefix: str, caption: str, size: tuple[float, float], draw: Callable[[Any], None], wide: bool = False
) -> str:
    """A ``<figure>`` holding one matplotlib chart drawn by ``draw(axes)`` (``wide``: the whole row)."""
    import matplotlib  # imported on first use: a run that writes no report does not pay for it
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=size, layout="constrained")
        FigureCanvasSVG(fig)
        draw(fig.add_subplot())
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    cls = ' class="wide"' if wide else ""
    return (
        f"<figure{cls}><figcaption>{h.esc(caption)}</figcaption>{_inline_svg(buf.getvalue(), prefix, caption)}</figure>"
    )


def _axis_numbers(t: Messages, axis: Any) -> None:
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(lambda v, _pos: t.integer(int(round(v)))))


def bars(t: Messages, prefix: str, caption: str, labels: list[str], amounts: list[Decimal]) -> str:
    """Horizontal bars, one per label (largest on top as listed first)."""

    def draw(ax: Any) -> None:
        y = list(range(len(labels)))[::-1]
        values = [float(a) for a in amounts]
        ax.barh(y, values, color=PALETTE[0], height=0.65)
        ax.set_yticks(y, labels)
        _axis_numbers(t, ax.xaxis)
        ax.set_xlabel(t("report.chart_amount"))
        for yy, value, amount in zip(y, values, amounts):
            ax.annotate(t.money(amount), (value, yy), xytext=(3, 0), textcoords="offset points", va="center")
        ax.margins(x=0.22)

    return _chart(prefix, caption, (11.5, 0.9 + 0.26 * len(labels)), draw, wide=True)


def histogram(t: Messages, prefix: str, caption: str, edges: list[int], counts: list[int]) -> str:
    """Histogram of counts already binned (``counts[i]`` values in [``edges[i]``, ``edges[i + 1]``)):
    drawn as the bars matplotlib's ``hist`` would draw, without handing it every value."""

    def draw(ax: Any) -> None:
        widths = [b - a for a, b in zip(edges, edges[1:])]
        ax.bar(edges[:-1], counts, width=widths, align="edge", color=PALETTE[0], edgecolor="white")
        _axis_numbers(t, ax.xaxis)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.set_xlabel(t("report.chart_pay_x"))
        ax.set_ylabel(t("report.chart_pay_y"))

    return _chart(prefix, caption, (7.2, 3.2), draw)


def stacked(t: Messages, prefix: str, caption: str, labels: list[str], parts: list[tuple[str, list[Decimal]]]) -> str:
    """Horizontal stacked bars: one bar per label, one segment per (legend, values) part."""

    def draw(ax: Any) -> None:
        y = list(range(len(labels)))[::-1]
        left = [0.0] * len(labels)
        for i, (name, amounts) in enumerate(parts):
            values = [float(a) for a in amounts]
            ax.barh(y, values, left=left, color=PALETTE[i % len(PALETTE)], height=0.6, label=name)
            left = [a + b for a, b in zip(left, values)]
        ax.set_yticks(y, labels)
        _axis_numbers(t, ax.xaxis)
        ax.set_xlabel(t("report.chart_amount"))
        ax.legend(loc="lower right", frameon=False, fontsize=8)

    return _chart(prefix, caption, (7.2, 1.4 + 0.35 * len(labels)), draw)
