"""Small SVG charts for the printed reports (no plotting dependency): a choropleth map from the packaged
boundaries, grouped horizontal bars, and a quarterly bar + line chart. Every function returns an ``<svg>``
string sized in CSS pixels; text uses the report's CJK font through CSS."""

from __future__ import annotations

import math
from html import escape
from typing import Iterable, Sequence

from ..labels import lq_text, number_text, pct_text
from ..web.geo import Boundaries

FONT = "font-family:'Noto Sans CJK SC','Noto Sans SC',sans-serif"
BLUES = ["#eef4fb", "#d3e3f4", "#a9c8e8", "#74a7d6", "#4585c1", "#2463a6", "#143f78"]
STATUS_COLORS = {"strong": "#1f9d63", "average": "#d39b1f", "weak": "#e0703a", "missing": "#c9414a", None: "#9aa3ad"}
ACCENT = "#d4542b"
GREY = "#8a94a0"


def _fmt(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


# ---------------------------------------------------------------------------------------------- geometry
def _decode_ring(ring, offset, scale: float = 1024.0) -> list[tuple[float, float]]:
    """One ring of ECharts' compressed GeoJSON (``UTF8Encoding``): zig-zag deltas in char codes."""
    if not isinstance(ring, str):
        return [(float(x), float(y)) for x, y in ring]
    out, px, py = [], offset[0], offset[1]
    for i in range(0, len(ring) - 1, 2):
        x, y = ord(ring[i]) - 64, ord(ring[i + 1]) - 64
        x = (x >> 1) ^ (-(x & 1))
        y = (y >> 1) ^ (-(y & 1))
        px, py = px + x, py + y
        out.append((px / scale, py / scale))
    return out


def polygons(feature: dict, encoded: bool) -> list[list[list[tuple[float, float]]]]:
    """A feature's polygons as lists of rings of (lng, lat)."""
    g = feature.get("geometry") or {}
    t, coords = g.get("type"), g.get("coordinates") or []
    offs = g.get("encodeOffsets")
    if t == "Polygon":
        coords, offs = [coords], [offs] if offs else None
    elif t != "MultiPolygon":
        return []
    out = []
    for i, poly in enumerate(coords):
        rings = []
        for j, ring in enumerate(poly):
            if encoded and isinstance(ring, str):
                rings.append(_decode_ring(ring, offs[i][j]))
            else:
                rings.append([(float(p[0]), float(p[1])) for p in ring])
        out.append(rings)
    return out


def _ramp(v: float, vmax: float) -> str:
    if not v or vmax <= 0:
        return "#f4f6f8"
    k = math.sqrt(v / vmax)  # square-root scale: a few large regions do not wash out the rest
    return BLUES[min(len(BLUES) - 1, 1 + int(k * (len(BLUES) - 1.001)))]


def _map_label(x: float, y: float, name: str, big: bool, anchor: str) -> list[str]:
    """A region's name on the map (larger and bold for this region), over a white halo drawn under the text
    (paint-order is not supported by every SVG renderer)."""
    fs = 12 if big else 9
    attrs = (f'x="{x:.1f}" y="{y + fs * 0.35:.1f}" text-anchor="{anchor}" font-size="{fs}" '
             f'font-weight="{700 if big else 400}" style="{FONT}"')
    return [f'<text {attrs} fill="#ffffff" stroke="#ffffff" stroke-width="{3 if big else 2.4}" '
            f'stroke-linejoin="round">{escape(name)}</text>',
            f'<text {attrs} fill="{"#7a2a10" if big else "#33404d"}">{escape(name)}</text>']


def choropleth(view: str, values: dict[str, float], highlight: Iterable[str] = (), *, width: int = 640,
               height: int = 460, title: str = "", unit: str = "家", labels: dict[str, str] | None = None,
               boundaries: Boundaries | None = None, here: str = "本地区",
               points: dict[str, tuple[float, float]] | None = None, none: str = "无", lang: str = "zh") -> str:
    """The regions of ``view`` (``100000`` = the provinces of the nation; a province code = its cities)
    filled by value, the highlighted regions outlined in the accent colour, with a legend. Where the boundaries
    hold only the view's own outline (a city without district boundaries), the regions are drawn as bubbles at
    their ``points`` (lng, lat), sized and filled by value. With no value above 0 the legend says ``none`` in place of
    a scale from 0 to 0. A region without a label of ``labels`` is named by the boundary service in ``lang``."""
    doc = (boundaries or Boundaries()).view(view, lang)
    encoded = bool(doc.get("UTF8Encoding"))
    feats = [(f["id"], f["properties"].get("label") or f["id"], polygons(f, encoded)) for f in doc.get("features", [])]
    # a polygon without an outer ring has nothing to draw (the boundary service drops them; a user's file may not)
    feats = [(code, label, [poly for poly in polys if poly and poly[0]]) for code, label, polys in feats]
    feats = [f for f in feats if f[2]]
    if not feats:
        return ""
    hl = set(highlight)
    # project: equirectangular with the longitude scaled by cos(mid-latitude); skip far-off islets
    pts = [p for _, _, polys in feats for poly in polys for p in poly[0]]
    lats = sorted(p[1] for p in pts)
    lngs = sorted(p[0] for p in pts)
    cut = max(1, len(pts) // 400)
    lat0, lat1 = lats[0], lats[-1]
    lng0, lng1 = lngs[0], lngs[-1]
    if view == "100000":  # the nation: keep the main land frame (the South China Sea islets are tiny)
        lat0, lng1 = max(lat0, 17.5), min(lng1, 135.5)
    else:
        lat0, lat1, lng0, lng1 = lats[cut], lats[-cut], lngs[cut], lngs[-cut]
    kx = math.cos(math.radians((lat0 + lat1) / 2))
    pad, legend_h = 8, 30
    sx = (width - 2 * pad) / max(1e-9, (lng1 - lng0) * kx)
    sy = (height - 2 * pad - legend_h) / max(1e-9, (lat1 - lat0))
    s = min(sx, sy)
    ox = pad + ((width - 2 * pad) - (lng1 - lng0) * kx * s) / 2
    oy = pad + ((height - 2 * pad - legend_h) - (lat1 - lat0) * s) / 2

    def xy(p):
        return ox + (p[0] - lng0) * kx * s, oy + (lat1 - p[1]) * s

    vmax = max([v for v in values.values() if v] or [0])
    parts, top_parts, label_parts = [], [], []
    for code, label, polys in feats:
        d = []
        bbox = [1e9, 1e9, -1e9, -1e9]
        area_best, centre = -1.0, None
        for poly in polys:
            for ri, ring in enumerate(poly):
                if len(ring) < 3:
                    continue
                q = [xy(p) for p in ring]
                step = max(1, len(q) // 300)
                q = q[::step]
                d.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in q) + "Z")
                if ri == 0:
                    xs, ys = [x for x, _ in q], [y for _, y in q]
                    a = (max(xs) - min(xs)) * (max(ys) - min(ys))
                    if a > area_best:
                        area_best, centre = a, ((max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2)
                    bbox = [min(bbox[0], min(xs)), min(bbox[1], min(ys)), max(bbox[2], max(xs)), max(bbox[3], max(ys))]
        if not d:
            continue
        v = values.get(code, 0) or 0
        fill = _ramp(v, vmax)
        path = f'<path d="{"".join(d)}" fill="{fill}" stroke="#ffffff" stroke-width="0.6"><title>{escape(label)} {v:g}</title></path>'
        parts.append(path)
        if code in hl:
            top_parts.append(f'<path d="{"".join(d)}" fill="none" stroke="{ACCENT}" stroke-width="2.2" stroke-linejoin="round"/>')
        name = (labels or {}).get(code) or label
        if centre and (code in hl or (v and v >= vmax * 0.25) or len(feats) <= 25):
            label_parts += _map_label(centre[0], centre[1], name, code in hl, "middle")
    # bubbles at their seats: every region where only an outline is drawn (a city without district boundaries), else
    # the regions of the view that have no shape of their own (the boundary service's ``unshaped``: a region a
    # user's boundary file leaves out) but a count or the mark
    scatter = doc.get("fallback") == "scatter"
    unshaped = {r["code"] for r in doc.get("unshaped") or []} | (
        {f["id"] for f in doc.get("features", [])} - {code for code, _, _ in feats})  # a user's file: rings left out
    for code, (lng, lat) in sorted((points or {}).items(), key=lambda kv: -(values.get(kv[0]) or 0)):
        if lng is None or lat is None or (not scatter and (code not in unshaped or not (values.get(code) or code in hl))):
            continue
        v = values.get(code, 0) or 0
        x, y = xy((lng, lat))
        r = 4 + 16 * math.sqrt(v / vmax) if vmax else 4
        name = (labels or {}).get(code) or code
        big = code in hl
        stroke = f'stroke="{ACCENT}" stroke-width="2.2"' if big else 'stroke="#ffffff" stroke-width="0.8"'
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{_ramp(v, vmax) if v else "#d5dbe3"}" '
                     f'{stroke}><title>{escape(name)} {v:g}</title></circle>')
        if big or (v and v >= vmax * 0.25):
            label_parts += _map_label(x + r + 3, y, name, big, "start")
    # legend
    ly = height - legend_h + 8
    steps = BLUES[1:]
    leg = [f'<text x="{pad}" y="{ly + 9}" font-size="10" fill="#4b5563" style="{FONT}">{escape(title)}</text>']
    lx = pad + 8 + len(title) * 10.5
    leg.append(f'<rect x="{lx:.0f}" y="{ly}" width="16" height="10" fill="#f4f6f8" stroke="#d0d5db" stroke-width="0.5"/>'
               f'<text x="{lx + 20:.0f}" y="{ly + 9}" font-size="10" fill="#4b5563" style="{FONT}">{"0" if vmax else escape(none)}</text>')
    lx += 40
    if vmax:
        for i, c in enumerate(steps):
            leg.append(f'<rect x="{lx + i * 22:.0f}" y="{ly}" width="22" height="10" fill="{c}"/>')
        lx += len(steps) * 22 + 6
        leg.append(f'<text x="{lx:.0f}" y="{ly + 9}" font-size="10" fill="#4b5563" style="{FONT}">{vmax:g} {escape(unit)}</text>')
        lx += 70
    leg.append(f'<rect x="{lx:.0f}" y="{ly}" width="16" height="10" fill="none" stroke="{ACCENT}" stroke-width="2"/>'
               f'<text x="{lx + 22:.0f}" y="{ly + 9}" font-size="10" fill="#4b5563" style="{FONT}">{escape(here)}</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart map" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}">' + "".join(parts + top_parts + label_parts + leg) + "</svg>")


# -------------------------------------------------------------------------------------------- bar charts
def _text_w(text: str, size: float) -> float:
    """About how wide ``text`` is at font size ``size`` (CJK and full-width one em, Latin about 0.56 em)."""
    return sum(size if ord(ch) > 0x2E80 else size * (0.3 if ch in " .,;:'()·|il" else 0.58) for ch in text)


def _fit(text: str, size: float, width: float) -> str:
    """``text`` cut with an ellipsis to about ``width``: between words where it has spaces (``Advanced packaging
    and…``, never ``manufacturi…``), between characters in Chinese or where a single word is wider still."""
    if _text_w(text, size) <= width:
        return text
    words = text.split(" ")
    for n in range(len(words) - 1, 0, -1):
        head = " ".join(words[:n]).rstrip(" ,;:·-–")
        if head and _text_w(head + "…", size) <= width:
            return head + "…"
    while text and _text_w(text + "…", size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _wrap(text: str, size: float, width: float, lines: int = 2) -> list[str]:
    """``text`` in at most ``lines`` lines of ``width``, broken between words (Chinese between characters), the
    last line shortened by ``_fit`` where the text is longer still: a long English segment name stays readable
    whole (``Advanced packaging and`` / ``semiconductor manufacturing``)."""
    if _text_w(text, size) <= width or lines < 2:
        return [_fit(text, size, width)]
    sep = " " if " " in text.strip() else ""
    parts = text.split(" ") if sep else list(text)
    out: list[str] = []
    cur = ""
    for i, w in enumerate(parts):
        cand = cur + sep + w if cur else w
        if cur and _text_w(cand, size) > width:
            out.append(cur)
            if len(out) == lines - 1:
                return out + [_fit(sep.join(parts[i:]), size, width)]
            cur = w
        else:
            cur = cand
    return out + [_fit(cur, size, width)]


def paired_bars(rows: Sequence[dict], *, width: int = 660, row_h: int = 15, label_w: int | None = None,
                a_key: str = "region_mix", b_key: str = "national_mix", a_name: str = "本地区占比",
                b_name: str = "全国占比", color_key: str = "status", colour_note: str = "（颜色 = 判断）") -> str:
    """Horizontal bars, two per row (e.g. the region's mix next to the nation's), values in 0–1 shown as %.
    The label column is as wide as the longest label (at most 40 % of the figure; a longer one takes two lines)."""
    if not rows:
        return ""
    names = [str(r.get("label_text") or r.get("name_zh") or r.get("code")) for r in rows]
    if label_w is None:
        label_w = int(min(max(max(_text_w(n, 9.5) for n in names) + 12, 90), width * 0.4))
    vmax = max([max(r.get(a_key) or 0, r.get(b_key) or 0) for r in rows] + [1e-9])
    top, right = 34, 74  # room for the legend above the ticks, and for "10.1% · LQ 1.62" after the longest bar
    # a name wider than its column takes a second line (its row that much taller), broken between words
    label_lines = [_wrap(n, 9.5, label_w - 10) for n in names]
    line_h = 10.5
    heights = [row_h + line_h * (len(ls) - 1) for ls in label_lines]
    h = top + int(sum(heights) + 0.999) + 8
    plot_w = width - label_w - right
    a_legend = a_name + colour_note
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart bars" viewBox="0 0 {width} {h}" width="{width}" height="{h}">']
    bx = label_w + 14 + _text_w(a_legend, 10) + 16
    out.append(f'<rect x="{label_w}" y="6" width="10" height="9" fill="#4585c1"/><text x="{label_w + 14}" y="14" font-size="10" '
               f'fill="#374151" style="{FONT}">{escape(a_legend)}</text>'
               f'<rect x="{bx:.0f}" y="6" width="10" height="9" fill="#c7ccd3"/><text x="{bx + 14:.0f}" y="14" '
               f'font-size="10" fill="#374151" style="{FONT}">{escape(b_name)}</text>')
    for k in range(0, 5):
        x = label_w + plot_w * k / 4
        out.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{h - 6}" stroke="#eceff2" stroke-width="0.8"/>')
        out.append(f'<text x="{x:.1f}" y="{top - 6}" font-size="8" fill="#9aa3ad" text-anchor="middle" style="{FONT}">'
                   f'{_fmt(vmax * k / 4 * 100)}%</text>')
    y = top - row_h
    for i, r in enumerate(rows):
        y += row_h if i == 0 else heights[i - 1]
        a, b = r.get(a_key) or 0, r.get(b_key) or 0
        col = STATUS_COLORS.get(r.get(color_key), "#4585c1")
        lines = "".join(f'<tspan x="{label_w - 6}" dy="{0 if k == 0 else line_h}">{escape(line)}</tspan>'
                        for k, line in enumerate(label_lines[i]))
        out.append(f'<text x="{label_w - 6}" y="{y + row_h * 0.62:.1f}" font-size="9.5" fill="#1f2937" text-anchor="end" '
                   f'style="{FONT}">{lines}</text>')
        wa, wb = plot_w * a / vmax, plot_w * b / vmax
        out.append(f'<rect x="{label_w}" y="{y + 1.5:.1f}" width="{wa:.1f}" height="{row_h * 0.42:.1f}" fill="{col}"/>')
        out.append(f'<rect x="{label_w}" y="{y + 1.5 + row_h * 0.42:.1f}" width="{wb:.1f}" height="{row_h * 0.3:.1f}" fill="#c7ccd3"/>')
        lq = r.get("lq")
        txt = pct_text(a) + (f" · LQ {lq_text(lq)}" if lq is not None else "")
        out.append(f'<text x="{label_w + max(wa, wb) + 4:.1f}" y="{y + row_h * 0.62:.1f}" font-size="8.5" fill="#4b5563" '
                   f'style="{FONT}">{txt}</text>')
    out.append("</svg>")
    return "".join(out)


def hbars(rows: Sequence[tuple[str, float]], *, width: int = 660, row_h: int = 18, label_w: int = 130,
          unit: str = "", color: str = "#2463a6", digits: int = 1) -> str:
    """Plain horizontal bars (label, value)."""
    if not rows:
        return ""
    vmax = max([v or 0 for _, v in rows] + [1e-9])
    h = len(rows) * row_h + 8
    plot_w = width - label_w - 70
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart hbars" viewBox="0 0 {width} {h}" width="{width}" height="{h}">']
    for i, (label, v) in enumerate(rows):
        y = 4 + i * row_h
        w = plot_w * (v or 0) / vmax
        out.append(f'<text x="{label_w - 6}" y="{y + row_h * 0.62:.1f}" font-size="10" fill="#1f2937" text-anchor="end" style="{FONT}">{escape(label)}</text>')
        out.append(f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 7}" rx="1.5" fill="{color}"/>')
        out.append(f'<text x="{label_w + w + 4:.1f}" y="{y + row_h * 0.62:.1f}" font-size="9" fill="#4b5563" style="{FONT}">'
                   f'{number_text(v or 0, digits)}{escape(unit)}</text>')  # as the table beside it: 239, not 239.0
    out.append("</svg>")
    return "".join(out)


def bar_line(labels: Sequence[str], bars: Sequence[float], line: Sequence[float], *, width: int = 660,
             height: int = 230, bar_name: str = "融资额（亿元）", line_name: str = "融资事件（起）") -> str:
    """Bars on the left axis and a line on the right axis over the same categories (e.g. quarters)."""
    n = len(labels)
    if not n:
        return ""
    left, right, top, bottom = 44, 40, 24, 34
    pw, ph = width - left - right, height - top - bottom
    bmax = max([b or 0 for b in bars] + [1e-9])
    lmax = max([v or 0 for v in line] + [1e-9])

    def nice(v):
        e = 10 ** math.floor(math.log10(v)) if v > 0 else 1
        for m in (1, 2, 2.5, 5, 10):
            if m * e >= v:
                return m * e
        return 10 * e

    bmax, lmax = nice(bmax), nice(lmax)
    if all(float(v or 0).is_integer() for v in line):  # a count (rounds): whole numbers on each of its 4 ticks, not 2.5
        lmax = math.ceil(lmax / 4) * 4
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart trend" viewBox="0 0 {width} {height}" width="{width}" height="{height}">']
    for k in range(5):
        y = top + ph - ph * k / 4
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + pw}" y2="{y:.1f}" stroke="#eceff2" stroke-width="0.8"/>')
        out.append(f'<text x="{left - 4}" y="{y + 3:.1f}" font-size="8.5" fill="#6b7280" text-anchor="end" style="{FONT}">{_fmt(bmax * k / 4)}</text>')
        out.append(f'<text x="{left + pw + 4}" y="{y + 3:.1f}" font-size="8.5" fill="{ACCENT}" style="{FONT}">{_fmt(lmax * k / 4)}</text>')
    bw = pw / n
    pts = []
    every = max(1, math.ceil(n / 14))
    for i in range(n):
        x = left + i * bw
        b = bars[i] or 0
        bh = ph * b / bmax
        out.append(f'<rect x="{x + bw * 0.15:.1f}" y="{top + ph - bh:.1f}" width="{bw * 0.7:.1f}" height="{bh:.1f}" fill="#4585c1"/>')
        pts.append((x + bw / 2, top + ph - ph * (line[i] or 0) / lmax))
        if (n - 1 - i) % every == 0:  # counted from the last, which is always named: no label crowds it
            out.append(f'<text x="{x + bw / 2:.1f}" y="{top + ph + 13}" font-size="8.5" fill="#4b5563" text-anchor="middle" style="{FONT}">{escape(labels[i])}</text>')
    out.append('<polyline fill="none" stroke="%s" stroke-width="1.6" points="%s"/>' % (
        ACCENT, " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)))
    for x, y in pts:
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2" fill="{ACCENT}"/>')
    out.append(f'<rect x="{left}" y="6" width="10" height="9" fill="#4585c1"/><text x="{left + 14}" y="14" font-size="10" fill="#374151" style="{FONT}">{escape(bar_name)}</text>'
               f'<line x1="{left + 150}" y1="10.5" x2="{left + 166}" y2="10.5" stroke="{ACCENT}" stroke-width="2"/>'
               f'<text x="{left + 170}" y="14" font-size="10" fill="#374151" style="{FONT}">{escape(line_name)}</text>')
    out.append("</svg>")
    return "".join(out)
