"""Labels that do not collide: each goes to the first nearby spot clear of the others."""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.text import Annotation, Text
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
    (28, 32),
    (-28, 32),
    (28, -32),
    (-28, -32),
    (0, 46),
    (0, -46),
    (36, 46),
    (-36, 46),
    (36, -46),
    (-36, -46),
)
LEADER_PT = 10.0
LABEL_PAD_PT = 1.5  # clear space kept around each label's text
SEGMENT_PAD_PT = 2.0  # ... and around each drawn line segment
ANCHOR_PT = 3.0  # half-size of the marker box around each anchor
LEADER = {"arrowstyle": "-", "color": "0.55", "lw": 0.5, "shrinkA": 0, "shrinkB": 2}


def settle(ax: Axes):
    """Lay the figure out (positions final) and return its renderer, to measure text."""
    fig = ax.figure
    fig.draw_without_rendering()  # settle the layout so positions are final
    canvas = fig.canvas
    return canvas.get_renderer() if hasattr(canvas, "get_renderer") else fig._get_renderer()


def label_box(ann: Annotation, renderer) -> Bbox:
    """Display box of a label's text (not its leader line), with a little margin."""
    ann.update_positions(renderer)
    box = Text.get_window_extent(ann, renderer)
    pad = LABEL_PAD_PT * ann.figure.dpi / 72
    return Bbox.from_extents(box.x0 - pad, box.y0 - pad / 2, box.x1 + pad, box.y1 + pad / 2)


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
    required: bool = True,
    renderer=None,
    **text_kw,
) -> list[Annotation | None]:
    """Annotate each data-space anchor with its text, avoiding earlier labels and ``obstacles``.

    Each label takes the first offset of ``OFFSETS`` whose box overlaps nothing placed before it
    (nor an obstacle, in display units) and lies inside the axes; if none is clear, the one
    with the least overlap, or (``required=False``) no label: its entry in the result is None.
    Pass the ``renderer`` of ``settle`` when the layout is already final (saves a draw).
    Labels are left out of the layout so placing one never moves
    the axes under the others.
    """
    renderer = renderer or settle(ax)
    frame = ax.get_window_extent(renderer)
    # Every anchor is a marker that no label may cover.
    r = ANCHOR_PT * ax.figure.dpi / 72
    points = ax.transData.transform(list(anchors)) if len(anchors) else []
    placed: list[Bbox] = [
        *obstacles,
        *(Bbox.from_extents(a - r, b - r, a + r, b + r) for a, b in points),
    ]
    scale = ax.figure.dpi / 72  # points -> display units
    pad = LABEL_PAD_PT * scale
    out: list[Annotation | None] = []
    for (x, y), (px, py), text in zip(anchors, points, texts, strict=True):
        # The text's size does not depend on where it goes: measure once, then try each spot.
        probe = ax.text(0, 0, text, fontsize=fontsize, **text_kw)
        size = probe.get_window_extent(renderer)
        probe.remove()
        w, h = size.width, size.height
        best: tuple[float, tuple[float, float], Bbox] | None = None
        for dx, dy in OFFSETS:
            ha, va = _align(dx, dy)
            cx, cy = px + dx * scale, py + dy * scale
            x0 = cx - w / 2 if ha == "center" else (cx if ha == "left" else cx - w)
            y0 = cy if va == "bottom" else cy - h
            box = Bbox.from_extents(x0 - pad, y0 - pad / 2, x0 + w + pad, y0 + h + pad / 2)
            inside = (
                frame.x0 <= box.x0 <= box.x1 <= frame.x1
                and frame.y0 <= box.y0 <= box.y1 <= frame.y1
            )
            cost = _overlap(box, placed) + (0.0 if inside else 1e12)
            if best is None or cost < best[0]:
                best = (cost, (dx, dy), box)
            if cost == 0:
                break
        assert best is not None
        cost, (dx, dy), box = best
        if cost > 0 and not required:
            out.append(None)
            continue
        ha, va = _align(dx, dy)
        ann = ax.annotate(
            text,
            (x, y),
            xytext=(dx, dy),
            textcoords="offset points",
            ha=ha,
            va=va,
            fontsize=fontsize,
            annotation_clip=False,
            arrowprops=LEADER if (dx * dx + dy * dy) ** 0.5 > LEADER_PT else None,
            **text_kw,
        )
        ann.set_in_layout(False)
        placed.append(box)
        out.append(ann)
    return out


def point_boxes(
    ax: Axes,
    xs: Sequence[float],
    ys: Sequence[float],
    size_pt: float = 3.0,
    *,
    settled: bool = False,
) -> list[Bbox]:
    """Display-space boxes around scatter points (for ``place_labels`` obstacles)."""
    if not settled:
        settle(ax)
    r = size_pt * ax.figure.dpi / 72
    pts = ax.transData.transform(list(zip(xs, ys, strict=True))) if len(xs) else []
    return [Bbox.from_extents(x - r, y - r, x + r, y + r) for x, y in pts]


def segment_boxes(
    ax: Axes, xs: Sequence[float], ys: Sequence[float], pad_pt: float = SEGMENT_PAD_PT
) -> list[Bbox]:
    """Display-space boxes around each segment of a polyline (for ``place_labels`` obstacles)."""
    settle(ax)
    pad = pad_pt * ax.figure.dpi / 72
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


def key_below(ax: Axes, text: str, x_fraction: float = 0.0) -> None:
    """A monospace key (numbered steps or kinks) just under the x-axis label of ``ax``, in
    the layout so constrained layout makes room for it."""
    note = ax.annotate(
        text,
        (x_fraction, 0),
        xycoords=("axes fraction", ax.xaxis.label),
        xytext=(0, -6),
        textcoords="offset points",
        va="top",
        ha="left",
        fontsize=7,
        family="monospace",
    )
    note.set_in_layout(True)
