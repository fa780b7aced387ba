"""Labels that do not collide: each goes to the first nearby spot clear of the others."""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.text import Annotation
from matplotlib.transforms import Bbox

#: Candidate offsets (points) from the anchor, nearest first: above, below, then diagonals
#: and further out. A label moved further than ``LEADER_PT`` gets a thin leader line.
OFFSETS: tuple[tuple[float, float], ...] = (
    (0, 4),
    (0, -4),
    (6, 4),
    (-6, 4),
    (6, -4),
    (-6, -4),
    (0, 13),
    (0, -13),
    (12, 13),
    (-12, 13),
    (12, -13),
    (-12, -13),
    (0, 22),
    (0, -22),
    (20, 22),
    (-20, 22),
    (20, -22),
    (-20, -22),
    (0, 32),
    (0, -32),
)
LEADER_PT = 10.0
LEADER = {"arrowstyle": "-", "color": "0.55", "lw": 0.5, "shrinkA": 0, "shrinkB": 2}


def _renderer(ax: Axes):
    fig = ax.figure
    fig.draw_without_rendering()  # settle the layout so positions are final
    canvas = fig.canvas
    return canvas.get_renderer() if hasattr(canvas, "get_renderer") else fig._get_renderer()


def _align(dx: float, dy: float) -> tuple[str, str]:
    ha = "center" if dx == 0 else ("left" if dx > 0 else "right")
    return ha, ("bottom" if dy > 0 else "top")


def _overlap(box: Bbox, others: Sequence[Bbox]) -> float:
    total = 0.0
    for o in others:
        w = min(box.x1, o.x1) - max(box.x0, o.x0)
        h = min(box.y1, o.y1) - max(box.y0, o.y0)
        if w > 0 and h > 0:
            total += w * h
    return total


def place_labels(
    ax: Axes,
    anchors: Sequence[tuple[float, float]],
    texts: Sequence[str],
    *,
    obstacles: Sequence[Bbox] = (),
    fontsize: float = 8.0,
    **text_kw,
) -> list[Annotation]:
    """Annotate each data-space anchor with its text, avoiding earlier labels and ``obstacles``.

    Each label takes the first offset of ``OFFSETS`` whose box overlaps nothing placed before it
    (nor an obstacle, in display units) and lies inside the axes; if none is clear, the one
    with the least overlap. Labels are left out of the layout so placing one never moves
    the axes under the others.
    """
    renderer = _renderer(ax)
    frame = ax.get_window_extent(renderer)
    placed: list[Bbox] = list(obstacles)
    out: list[Annotation] = []
    for (x, y), text in zip(anchors, texts, strict=True):
        best: tuple[float, Annotation] | None = None
        for dx, dy in OFFSETS:
            ha, va = _align(dx, dy)
            far = (dx * dx + dy * dy) ** 0.5 > LEADER_PT
            ann = ax.annotate(
                text,
                (x, y),
                xytext=(dx, dy),
                textcoords="offset points",
                ha=ha,
                va=va,
                fontsize=fontsize,
                annotation_clip=False,
                arrowprops=LEADER if far else None,
                **text_kw,
            )
            ann.set_in_layout(False)
            box = ann.get_window_extent(renderer).expanded(1.08, 1.15)
            inside = (
                frame.x0 <= box.x0 <= box.x1 <= frame.x1
                and frame.y0 <= box.y0 <= box.y1 <= frame.y1
            )
            cost = _overlap(box, placed) + (0.0 if inside else 1e12)
            if best is None or cost < best[0]:
                if best is not None:
                    best[1].remove()
                best = (cost, ann)
            else:
                ann.remove()
            if cost == 0:
                break
        assert best is not None
        ann = best[1]
        placed.append(ann.get_window_extent(renderer).expanded(1.08, 1.15))
        out.append(ann)
    return out


def segment_boxes(
    ax: Axes, xs: Sequence[float], ys: Sequence[float], pad: float = 1.5
) -> list[Bbox]:
    """Display-space boxes around each segment of a polyline (for ``place_labels`` obstacles)."""
    _renderer(ax)
    pts = ax.transData.transform(list(zip(xs, ys, strict=True)))
    boxes = []
    for (x0, y0), (x1, y1) in zip(pts[:-1], pts[1:], strict=True):
        # A sloped segment is cut into short pieces: one box around it would cover a triangle
        # of empty space where labels could go.
        n = max(1, int(min(abs(x1 - x0), abs(y1 - y0)) // 6))
        for k in range(n):
            a0, b0 = x0 + (x1 - x0) * k / n, y0 + (y1 - y0) * k / n
            a1, b1 = x0 + (x1 - x0) * (k + 1) / n, y0 + (y1 - y0) * (k + 1) / n
            boxes.append(
                Bbox.from_extents(
                    min(a0, a1) - pad, min(b0, b1) - pad, max(a0, a1) + pad, max(b0, b1) + pad
                )
            )
    return boxes
