"""The matplotlib page every PNG of the package is drawn on (the ``draw`` extra): a figure the size of the SVG
(1 px = 1/100 inch), its y axis pointing down as in SVG, and its bytes as PNG."""

from __future__ import annotations

from typing import Any

from kg.core.errors import KGError


def page(width: float, height: float, dpi: int, instead: str) -> tuple[Any, Any]:
    """A white figure of ``width`` x ``height`` px and its full-page axes; ``instead`` says, when matplotlib is
    missing, what can be written without it."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise KGError(f"PNG output needs matplotlib: pip install 'sslmb-kg[draw]' ({instead})") from None
    fig = Figure(figsize=(width / 100, height / 100), dpi=dpi, facecolor="white")
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.axis("off")
    return fig, ax


def png(fig: Any, dpi: int) -> bytes:
    """The figure as PNG bytes."""
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()
