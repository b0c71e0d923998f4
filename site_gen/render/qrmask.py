"""segno's choice of a QR code's data mask, computed with numpy: the same mask, the same modules.

segno tries each of the eight data masks on a code and keeps the one with the lowest penalty
score (ISO/IEC 18004 7.8.3). It does so module by module in Python: about three quarters of the
15 ms a code takes, and a hub makes a code per campaign or article and channel (docs/performance.md).
``find_and_apply_best_mask`` here applies the masks and scores them on whole arrays instead (all
eight in one (8, n, n) array: ``mask_scores``, about 5 ms a code) and
takes segno's place in its encoder (``install``). It keeps segno's scoring exactly as segno computes
it — including where that reads the standard its own way, such as how far it looks for light
modules around a finder-like pattern (N3) — so the code drawn is the one segno draws:
``tests/test_qr.py`` compares the two on many codes and on random matrices.

Micro QR codes and a mask chosen by the caller go to segno's own function.
"""

from __future__ import annotations

_installed: dict = {}
_N3 = bytes((1, 0, 1, 1, 1, 0, 1))  # dark light dark dark dark light dark


# what find_and_apply_best_mask uses of segno's encoder: a segno without one of them keeps its own
_NEEDS = ("find_and_apply_best_mask", "make_matrix", "add_finder_patterns", "add_alignment_patterns",
          "get_data_mask_functions", "_MAX_PENALTY_SCORE")


def install() -> None:
    """Let segno's encoder choose masks with ``find_and_apply_best_mask`` (once per process), if
    it has everything that needs."""
    if _installed:
        return
    import segno.encoder as encoder

    _installed["segno"] = getattr(encoder, "find_and_apply_best_mask", None)
    if all(hasattr(encoder, name) for name in _NEEDS):
        encoder.find_and_apply_best_mask = find_and_apply_best_mask


def _n3_run(seq: bytes, size: int) -> int:
    """segno's N3 for one row or column (its ``n3_pattern_occurrences``), on bytes."""
    count = 0
    idx = seq.find(_N3)
    while idx != -1:
        offset = idx + 7
        if idx in (0, size - 7) or not any(seq[max(idx - 4, 0):min(idx, size)]) \
                or not any(seq[max(offset, 0):min(offset + 4, size)]):
            count += 40
        else:
            offset = idx + 4  # too few light modules around it: look again from its middle
        idx = seq.find(_N3, offset)
    return count


def mask_score(m) -> int:
    """segno.encoder.evaluate_mask (the sum of N1 … N4) of a square uint8 array (module values as
    segno holds them)."""
    return mask_scores(m[None])[0]


def mask_scores(stack) -> list[int]:
    """mask_score of each square array in a (k, n, n) uint8 stack: the eight masked codes are
    scored together, each numpy call doing the work of eight."""
    import numpy as np
    from numpy.lib.stride_tricks import sliding_window_view

    k, size = stack.shape[0], stack.shape[1]
    scores = np.zeros(k, dtype=np.int64)
    n3 = np.frombuffer(_N3, dtype=np.uint8)
    for rows in (stack, np.ascontiguousarray(stack.transpose(0, 2, 1))):
        # N1: each run of five or more equal modules in a row (column) scores its length - 2; a
        # run starts at each row's first module, so none runs on into the next row or array
        starts = np.ones(rows.shape, dtype=bool)
        starts[:, :, 1:] = rows[:, :, 1:] != rows[:, :, :-1]
        at = np.flatnonzero(starts.ravel())
        lengths = np.diff(np.append(at, rows.size))
        long = lengths >= 5
        scores += np.bincount(at[long] // (size * size), weights=lengths[long] - 2, minlength=k).astype(np.int64)
        # N3: only the rows (columns) holding the pattern are read, as segno reads them
        held = (sliding_window_view(rows, 7, axis=2) == n3).all(axis=3).any(axis=2)
        for which, i in zip(*np.nonzero(held)):
            scores[which] += _n3_run(rows[which, i].tobytes(), size)
    # N2: 3 for each 2x2 block of equal modules
    a, b, c, d = stack[:, 1:, 1:], stack[:, 1:, :-1], stack[:, :-1, 1:], stack[:, :-1, :-1]
    scores += 3 * np.count_nonzero((a == b) & (b == c) & (c == d), axis=(1, 2))
    # N4: 10 for each 5 % the share of dark modules is away from half
    dark = stack.sum(axis=(1, 2), dtype=np.int64)
    return [int(score) + 10 * int(abs(float(int(n)) / (size ** 2) * 100 - 50) / 5) for score, n in zip(scores, dark)]


def find_and_apply_best_mask(matrix, width, height, proposed_mask=None):
    """segno.encoder.find_and_apply_best_mask, for QR codes (not Micro QR) with no mask given."""
    import segno.encoder as encoder

    if proposed_mask is not None or (width == height and width < 21) or width != height:
        return _installed["segno"](matrix, width, height, proposed_mask)
    import numpy as np

    function_matrix = encoder.make_matrix(width, height)
    encoder.add_finder_patterns(function_matrix, width, height)
    encoder.add_alignment_patterns(function_matrix, width, height)
    function_matrix[-8][8] = 0x1
    region = np.frombuffer(b"".join(function_matrix), dtype=np.uint8).reshape(height, width) > 0x1
    base = np.frombuffer(b"".join(matrix), dtype=np.uint8).reshape(height, width)
    i, j = np.indices((height, width))
    stack = np.stack([base ^ (pattern(i, j) & region).astype(np.uint8)
                      for pattern in encoder.get_data_mask_functions(False)])
    best_score, best_pattern, best = encoder._MAX_PENALTY_SCORE, None, None
    for number, score in enumerate(mask_scores(stack)):
        if score < best_score:  # the first of equal scores, as segno keeps it
            best_score, best_pattern, best = score, number, stack[number]
    return best_pattern, tuple(bytearray(row.tobytes()) for row in best)


# ------------------------------------------------------------------------------------ the SVG writer
#
# segno writes a code's SVG path from its matrix module by module in Python (≈ 0.9 of a code's
# 5 ms). svg() writes the same bytes from the runs of dark modules found with numpy. The first code
# a process writes is also written by segno and compared: if they differ (another segno version),
# segno writes every code (_svg_checked); tests/test_qr.py compares the two on many codes.

SVG_OPTIONS = dict(kind="svg", scale=4, border=4, xmldecl=False, svgclass=None, lineclass=None, light="#fff")
_svg_checked: dict = {}  # "same": whether svg() wrote the first code as segno did


def segno_svg(qr) -> bytes:
    """The code's SVG as segno writes it (with SVG_OPTIONS)."""
    import io

    buf = io.BytesIO()
    qr.save(buf, **SVG_OPTIONS)
    return buf.getvalue()


def svg(qr) -> bytes:
    """segno_svg(qr), written with numpy when that gives segno's bytes (checked once a process)."""
    if _svg_checked.get("same") is False:
        return segno_svg(qr)
    ours = _svg(qr)
    if "same" not in _svg_checked:
        theirs = segno_svg(qr)
        _svg_checked["same"] = ours == theirs
        return theirs
    return ours


def _svg(qr) -> bytes:
    import numpy as np

    border, scale = SVG_OPTIONS["border"], SVG_OPTIONS["scale"]
    matrix = qr.matrix
    height, width = len(matrix), len(matrix[0])
    dark = np.zeros((height, width + 2), dtype=np.int8)
    dark[:, 1:-1] = np.frombuffer(b"".join(matrix), dtype=np.uint8).reshape(height, width) != 0
    edges = np.diff(dark, axis=1)
    rows, starts = np.nonzero(edges == 1)  # each run of dark modules, row by row, left to right
    ends = np.nonzero(edges == -1)[1]
    if not len(rows):
        return segno_svg(qr)
    x1, x2, y = starts + border, ends + border, rows + border  # (a run's y is its row's middle: y + 0.5)
    dx = (x1[1:] - x2[:-1]).tolist()  # segno's path: each run moved to from the end of the one before
    dy = (y[1:] - y[:-1]).tolist()
    length = (x2 - x1).tolist()
    path = f"M{int(x1[0])} {int(y[0])}.5h{length[0]}" + "".join(
        [f"m{a} {b}h{c}" for a, b, c in zip(dx, dy, length[1:])])
    w, h = width + 2 * border, height + 2 * border
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w * scale}" height="{h * scale}">'
            f'<g transform="scale({scale})"><path fill="#fff" d="M0 0h{w}v{h}h-{w}z"/>'
            f'<path stroke="#000" d="{path}"/></g></svg>\n').encode("ascii")
