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
