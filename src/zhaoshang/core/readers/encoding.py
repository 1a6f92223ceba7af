"""Text files: encoding detection (UTF-8, UTF-16, GBK, GB18030) and streaming conversion to a UTF-8 copy.

Converted copies are named ``zhaoshang-<pid>-….utf8.tmp`` in the temporary directory, so a copy left behind by
a killed run is recognised (its owner process is gone) and deleted by the next run.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from zhaoshang.core.errors import UserError, count_en

from .common import _BOM_UTF8, _BOMS_UTF16
from .limits import CHUNK_BYTES, SNIFF_CHARS


@dataclass
class _Text:
    path: Path  # UTF-8 file DuckDB reads (the original or a temporary transcoded copy)
    encoding: str
    sha256: str
    temp: Path | None


def _scan_text(p: Path, decode: bool = True) -> tuple[str | None, str, bool, bool]:
    """One streaming pass: (utf-8 flavour or None, sha256, has NUL bytes, mixed line endings). Without
    ``decode`` the UTF-8 check is left to the caller (the flavour is then a guess from the BOM). The line
    endings are counted only in chunks with a CR: a chunk without one only says whether it holds a LF (a
    byte search that stops at the first), so a file of LF lines costs its SHA-256 and two byte searches."""
    h = hashlib.sha256()
    dec = codecs.getincrementaldecoder("utf-8")("strict")
    utf8_ok = True
    bom = False
    nul = False
    crlf = lone_cr = lone_lf = 0
    prev_cr = False
    first = True
    with open(p, "rb") as f:
        while chunk := f.read(CHUNK_BYTES):
            h.update(chunk)
            if first:
                bom = chunk.startswith(_BOM_UTF8)
                if chunk.startswith(_BOMS_UTF16):
                    return "utf-16", _finish_hash(h, f), False, False
                first = False
            if not nul and b"\x00" in chunk:
                nul = True
            if utf8_ok and decode:
                try:
                    dec.decode(chunk)
                except UnicodeDecodeError:
                    utf8_ok = False
            if not prev_cr and b"\r" not in chunk:  # most files have no CR at all: only whether a LF is there
                lone_lf = lone_lf or int(b"\n" in chunk)
                continue
            n_cr = chunk.count(b"\r")
            inner = chunk.count(b"\r\n") if n_cr else 0
            joined = prev_cr and chunk[:1] == b"\n"  # a CRLF split across two chunks
            n_crlf = inner + joined
            crlf += n_crlf
            lone_cr += n_cr - inner - joined  # the CR ending the previous chunk belonged to a CRLF
            lone_lf += chunk.count(b"\n") - n_crlf
            prev_cr = chunk.endswith(b"\r")
    if utf8_ok and decode:
        try:
            dec.decode(b"", final=True)
        except UnicodeDecodeError as e:  # UTF-8 to the last bytes, which start a character and stop: cut short
            raise truncated_text(p, "UTF-8") from e
    mixed = sum(1 for n in (crlf, lone_cr, lone_lf) if n > 0) > 1
    flavour = ("utf-8-sig" if bom else "utf-8") if utf8_ok else None
    return flavour, h.hexdigest(), nul, mixed


def truncated_text(p: Path, encoding: str) -> UserError:
    """A file that is text in ``encoding`` (UTF-8, GBK, GB18030) up to its last bytes, which begin a character and
    end: a copy or download cut short. One rule for every encoding: refused, nothing imported, naming the last
    line (line 1 = the header) — the line cut in the middle of a character."""
    line = 1
    with open(p, "rb") as f:
        while chunk := f.read(CHUNK_BYTES):
            line += chunk.count(b"\n")
    return UserError(f"文件的最后一行（第 {line} 行）在一个字符的中间结束（{encoding} 不完整），文件可能被截断，未导入: {p}",
                     en=f"the last line (line {line}) ends in the middle of a character (incomplete {encoding}); "
                        f"the file may have been cut short, nothing imported: {p}")


def undecodable(p: Path) -> UserError:
    """A text file no encoding reads whole (not cut short: ``truncated_text``), refused naming the first line that
    does not read — line 1 = the header. The encoding it was meant to be in is told from its lines: UTF-8 when it
    starts with a UTF-8 byte-order mark, or when more of its non-ASCII lines read as UTF-8 than not (a UTF-8 export
    with a row pasted from a GBK one); else GB18030 (which reads all of GBK). A byte-order mark in front of content
    in another encoding is said as such."""
    bom = False
    ok = bad = 0
    first_bad = first_bad_gb = None
    with open(p, "rb") as f:
        for n, line in enumerate(f, 1):
            if n == 1 and line.startswith(_BOM_UTF8):
                bom, line = True, line[len(_BOM_UTF8):]
            if line.isascii():
                continue
            try:
                line.decode("utf-8")
                ok += 1
            except UnicodeDecodeError:
                bad += 1
                first_bad = first_bad or n
            if first_bad_gb is None:
                try:
                    line.decode("gb18030")
                except UnicodeDecodeError:
                    first_bad_gb = n
    if bom and first_bad:
        return UserError(f"无法识别文件编码：文件以 UTF-8 的 BOM 开头，但内容不是 UTF-8（第 {first_bad} 行起，共 {bad} 行；"
                         f"可能是 GBK 等编码的文件前加了 BOM），未导入: {p}",
                         en=f"unrecognised encoding: the file starts with a UTF-8 byte-order mark but its content is not "
                            f"UTF-8 (from line {first_bad}, {count_en(bad, 'line')} in all; a GBK or other file with a BOM put in "
                            f"front?), nothing imported: {p}")
    if first_bad and ok > bad:
        return UserError(f"无法识别文件编码：文件是 UTF-8，但第 {first_bad} 行不是有效的 UTF-8（共 {bad} 行；"
                         f"可能混入了 GBK 等编码的行），未导入: {p}",
                         en=f"unrecognised encoding: the file is UTF-8 but line {first_bad} is not valid UTF-8 "
                            f"({count_en(bad, 'line')} in all; rows in GBK or another encoding mixed in?), nothing imported: {p}")
    where, where_en = ((f": 第 {first_bad_gb} 行不是有效的 GBK/GB18030", f": line {first_bad_gb} is not valid GBK/GB18030")
                       if first_bad_gb else ("", ""))
    return UserError(f"无法识别文件编码 (不是 UTF-8、GBK 或 GB18030): {p}{where}",
                     en=f"unrecognised encoding (not UTF-8, GBK or GB18030): {p}{where_en}")


def _decodes_but_last(p: Path, encoding: str) -> bool:
    """Whether the whole file decodes as ``encoding`` but for its last bytes, which begin a character and stop."""
    dec = codecs.getincrementaldecoder(encoding)("strict")
    try:
        with open(p, "rb") as f:
            while chunk := f.read(CHUNK_BYTES):
                dec.decode(chunk, final=False)
    except UnicodeDecodeError:
        return False
    try:
        dec.decode(b"", final=True)
    except UnicodeDecodeError:
        return True
    return False


def _utf8_but_last(raw: bytes) -> bool:
    try:
        codecs.getincrementaldecoder("utf-8-sig")("strict").decode(raw, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _finish_hash(h, f) -> str:
    while chunk := f.read(CHUNK_BYTES):
        h.update(chunk)
    return h.hexdigest()


TEMP_PREFIX = "zhaoshang-"
TEMP_SUFFIX = ".utf8.tmp"
_TEMP_RE = re.compile(re.escape(TEMP_PREFIX) + r"(\d+)-.*" + re.escape(TEMP_SUFFIX) + "$")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def clean_stale_temp(directory: str | Path | None = None) -> int:
    """Delete converted copies left by killed runs (named ``zhaoshang-<pid>-….utf8.tmp``, owner gone)."""
    removed = 0
    base = Path(directory or tempfile.gettempdir())
    try:
        entries = list(base.iterdir())
    except OSError:
        return 0
    for entry in entries:
        m = _TEMP_RE.match(entry.name)
        if m and int(m.group(1)) != os.getpid() and not _pid_alive(int(m.group(1))):
            try:
                entry.unlink()
                removed += 1
            except OSError:
                pass
    return removed


# characters that a Chinese table's header and names do not hold, but that Big5 bytes read as GBK give: kana,
# Greek, Cyrillic, bopomofo, box drawing, full-width forms' symbols
_NOT_CHINESE_TEXT = re.compile("[\u0370-\u04ff\u2500-\u257f\u3040-\u30ff\u3100-\u312f\ufffd]")


def refuse_big5(p: Path, head: bytes) -> None:
    """Refuse a file written in Big5 (traditional Chinese, Taiwan and Hong Kong exports) before it is read as GBK:
    its bytes mostly decode as GBK too, into strange characters (``Θミら戳`` for 成立日期), so the file would be read
    and then refused for columns it seems to lack. Said when its start reads as Big5 (the last, possibly cut
    character aside) with no such character, and as GBK with at least two."""
    try:
        as_big5 = codecs.getincrementaldecoder("big5")("strict").decode(head, final=False)
    except UnicodeDecodeError:
        return
    as_gb = head.decode("gb18030", errors="replace")
    if _NOT_CHINESE_TEXT.search(as_big5) or len(_NOT_CHINESE_TEXT.findall(as_gb)) < 2:
        return
    raise UserError(f"{p}: 文件似乎是 Big5（繁体中文）编码（按 Big5 读出表头为 {as_big5.splitlines()[0][:60]}），"
                    "本系统读取 UTF-8、UTF-16、GBK、GB18030 文本：请在 Excel 或编辑器中另存为 UTF-8 编码的 CSV，"
                    "表头用简体字（如 企业名称、成立日期）或用 --mapping 指定列",
                    en=f"{p}: the file seems to be in Big5 (traditional Chinese; read as Big5 its header is "
                       f"{as_big5.splitlines()[0][:60]}); UTF-8, UTF-16, GBK and GB18030 text are read: save it as a "
                       "UTF-8 CSV in Excel or an editor, with simplified headers (企业名称, 成立日期) or columns named "
                       "by --mapping")


# text in which UTF-8 bytes were read one byte a character (Latin-1 / Windows-1252) and saved as UTF-8 again: the
# characters of those bytes — Latin-1's upper half and the few Windows-1252 puts in 0x80–0x9F
_BYTE_CHARS = re.compile("[\u0080-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
                         "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]")
_HAN = re.compile("[\u3400-\u9fff]")


def _undouble(line: str) -> str | None:
    """The line as it was before UTF-8 was read as Latin-1/Windows-1252 and saved as UTF-8 again, or None when it
    is not such a line (a character no single byte gives, or bytes that are no UTF-8). A byte Windows-1252 leaves
    undefined (0x81 of 企) may have been saved as U+FFFD: that byte is lost, its character comes back as U+FFFD."""
    out = bytearray()
    lost = 0
    for ch in line:
        if ord(ch) < 256:
            out.append(ord(ch))
        elif ch == "\ufffd":
            out.append(0xFF)  # never in UTF-8: the character it was in reads as U+FFFD
            lost += 1
        else:
            try:
                out += ch.encode("cp1252")
            except UnicodeEncodeError:
                return None
    if lost:  # the rest must read as UTF-8: at most two U+FFFD (a cut character and the lost byte) for each byte lost
        was = bytes(out).decode("utf-8", errors="replace")
        return re.sub("\ufffd+", "\ufffd", was) if was.count("\ufffd") <= 2 * lost else None
    try:
        return codecs.getincrementaldecoder("utf-8")("strict").decode(bytes(out), final=False)
    except UnicodeDecodeError:
        return None


# the lines looked at: the header and the first data rows (a header in ASCII, its rows encoded twice)
_DOUBLE_LINES = 6


def refuse_double_encoded(p: Path, text: str) -> None:
    """Refuse a UTF-8 file whose Chinese was read as Latin-1 (or Windows-1252) and saved as UTF-8 again — headers
    like ``æ¿å`` for 板块, or names under an ASCII header — before it is refused for columns it seems to lack or
    imported as garbage: said with the line as it was, and what to do. Told from the first non-blank lines: one
    made of such characters only (no Chinese) that read back as UTF-8 gives Chinese."""
    # (split at \n alone: str.splitlines also splits at U+0085, the Latin-1 reading of the byte 0x85 of 公 …)
    lines = [(n, x.rstrip("\r")) for n, x in enumerate(text.split("\n"), 1) if x.strip()][:_DOUBLE_LINES]
    for n, line in lines:
        if _HAN.search(line) or len(_BYTE_CHARS.findall(line)) < 2:
            continue
        was = _undouble(line)
        if was is not None and _HAN.search(was):
            _refuse_double(p, n, line, was)


def _refuse_double(p: Path, n: int, line: str, was: str) -> None:
    """The refusal, naming line ``n`` as it reads and as it was; the Latin-1 way back only when no byte was lost."""
    shown = re.sub("[\u0080-\u009f]", "", line)  # the control characters of the bytes 0x80–0x9F show as nothing
    line, was = (shown[:24] + "…" if len(shown) > 24 else shown), (was[:40] + "…" if len(was) > 40 else was)
    what, what_en = ("表头", "the header") if n == 1 else (f"第 {n} 行", f"line {n}")
    if "\ufffd" in was:  # bytes lost on the way: only the original export has them
        lost, lost_en = "；显示为 \ufffd 的字节已丢失，无法还原", "; the bytes shown as \ufffd are lost and cannot be restored"
        how, how_en = "请改用原始导出文件", "use the original export"
    else:
        lost = lost_en = ""
        how = "请改用原始导出文件；或把它按 UTF-8 读出、以 Latin-1（ISO-8859-1）字节另存（如 iconv -f UTF-8 -t LATIN1），即得原来的 UTF-8 文件"
        how_en = ("use the original export, or read it as UTF-8 and save its characters as Latin-1 (ISO-8859-1) bytes "
                  "(iconv -f UTF-8 -t LATIN1), which gives the original UTF-8 file back")
    raise UserError(f"{p}: 文件的中文被重复编码（UTF-8 文本曾按 Latin-1/西欧编码打开、再存为 UTF-8：{what} {line} "
                    f"原为 {was}{lost}），未导入：{how}",
                    en=f"{p}: the file's Chinese is encoded twice (UTF-8 text opened as Latin-1/Western and saved as UTF-8 "
                       f"again: {what_en} {line} was {was}{lost_en}); nothing imported: {how_en}")


def _transcode(p: Path, encoding: str) -> Path:
    """Stream `p` decoded as `encoding` into a temporary UTF-8 file with \\n line endings."""
    fd, tmp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=TEMP_SUFFIX)
    try:
        with open(p, "r", encoding=encoding, errors="strict", newline=None) as src, open(
            fd, "w", encoding="utf-8", newline=""
        ) as dst:
            while chunk := src.read(CHUNK_BYTES):
                dst.write(chunk.replace("\ufeff", "") if encoding == "utf-16" else chunk)
    except BaseException:
        os.unlink(tmp)
        raise
    return Path(tmp)


def _temp_text(tmp: Path, encoding: str, digest: str) -> _Text:
    return _Text(tmp, encoding, digest, tmp)


def _prepare_text(p: Path) -> _Text:
    flavour, digest, nul, mixed = _scan_text(p)
    if flavour == "utf-16":
        try:
            return _temp_text(_transcode(p, "utf-16"), "utf-16", digest)
        except UnicodeDecodeError as e:
            raise UserError(f"无法识别文件编码 (UTF-16 内容无效): {p}", en=f"unrecognised encoding (invalid UTF-16): {p}") from e
    if nul:
        raise UserError(f"无法识别的文件格式或编码 (二进制内容，不是 UTF-8/GBK/GB18030 文本): {p}",
                        en=f"unrecognised file format or encoding (binary content, not UTF-8/GBK/GB18030 text): {p}")
    if flavour is not None:
        if mixed:  # DuckDB needs one line-ending style; normalise to \n
            return _temp_text(_transcode(p, "utf-8-sig"), flavour, digest)
        return _Text(p, flavour, digest, None)
    last: Exception | None = None
    with open(p, "rb") as f:
        refuse_big5(p, f.read(SNIFF_CHARS))
    for enc in ("gbk", "gb18030"):
        try:
            return _temp_text(_transcode(p, enc), enc, digest)
        except UnicodeDecodeError as e:
            last = e
    for enc, label in (("gbk", "GBK"), ("gb18030", "GB18030")):  # Chinese text to its last bytes: cut short
        if _decodes_but_last(p, enc):
            raise truncated_text(p, label) from last
    raise undecodable(p) from last


def utf8_head(head: bytes) -> str | None:
    """"utf-8" or "utf-8-sig" when the start of a file reads as UTF-8 text (no NUL, no UTF-16 mark), else None."""
    if head.startswith(_BOMS_UTF16) or b"\x00" in head:
        return None
    try:
        codecs.getincrementaldecoder("utf-8")("strict").decode(head, final=False)
    except UnicodeDecodeError:
        return None
    return "utf-8-sig" if head.startswith(_BOM_UTF8) else "utf-8"


def _sample_text(p: Path) -> tuple[str, str, bool]:
    """A decoded sample of the file start for header peeking: (text, encoding, complete)."""
    with open(p, "rb") as f:
        raw = f.read(SNIFF_CHARS)
        complete = not f.read(1)
    if raw.startswith(_BOMS_UTF16):
        return raw.decode("utf-16", errors="ignore").lstrip("\ufeff"), "utf-16", complete
    for enc in ("utf-8-sig", "gbk", "gb18030"):
        if enc == "gbk":
            refuse_big5(p, raw)
        dec = codecs.getincrementaldecoder(enc)("strict")
        try:
            text = dec.decode(raw, final=complete)
        except UnicodeDecodeError:
            if enc == "utf-8-sig" and complete and _utf8_but_last(raw):
                raise truncated_text(p, "UTF-8") from None
            continue
        if enc == "utf-8-sig":
            enc = "utf-8-sig" if raw.startswith(_BOM_UTF8) else "utf-8"
            refuse_double_encoded(p, text)
        return text, enc, complete
    if complete:  # the whole file read: Chinese text to its last bytes, which stop inside a character
        for enc, label in (("gbk", "GBK"), ("gb18030", "GB18030")):
            if _decodes_but_last(p, enc):
                raise truncated_text(p, label)
    raise undecodable(p)


