"""Which encoding an uploaded CSV is in, without asking: Excel on Japanese Windows saves Shift_JIS (CP932),
newer Excel and every other tool UTF-8, often with a BOM.

Written by hand because the choice is between exactly two encodings and must be certain: a file is UTF-8 when
it decodes as UTF-8 from its first byte to its last (statistical detectors guess on short Japanese files).
"""

from __future__ import annotations

import codecs
import io
from typing import BinaryIO

from integrations.csv_import.values import CellError

UTF8 = "utf-8-sig"  # reads a BOM if there is one, and plain UTF-8 as well
CP932 = "cp932"
_CHUNK = 1 << 16


def csv_encoding_detect(stream: BinaryIO) -> str:
    """``utf-8-sig`` or ``cp932`` for a seekable binary stream, which is left at its start.

    Raises :class:`CellError` (``integrations.csv.undecodable``) naming the line of the first byte that is
    neither, so the person knows where the file went wrong.
    """
    if _decodes(stream, "utf-8") is None:
        return UTF8
    bad_line = _decodes(stream, CP932)
    if bad_line is not None:
        raise CellError("integrations.csv.undecodable", {"line": bad_line})
    return CP932


def _decodes(stream: BinaryIO, encoding: str) -> int | None:
    """None when the whole stream decodes, else the line (1-based) of the first byte that does not."""
    stream.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)()
    lines_before = 0
    try:
        while chunk := stream.read(_CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return lines_before + chunk.count(b"\n", 0, exc.start) + 1
            lines_before += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return lines_before + 1
        return None
    finally:
        stream.seek(0)


def csv_text_open(stream: BinaryIO) -> tuple[io.TextIOWrapper, str]:
    """The stream as text in its detected encoding, for ``csv.reader`` (newlines as the csv module wants)."""
    encoding = csv_encoding_detect(stream)
    return io.TextIOWrapper(stream, encoding=encoding, newline=""), encoding
