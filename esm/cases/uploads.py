"""Check and prepare an uploaded file before it becomes a case attachment.

Pure functions: nothing here touches the database or the storage. `prepare_upload` either
returns a `PreparedFile` ready to be stored or raises `DomainError` with one of
`file_too_large`, `file_type_not_allowed` or `file_unreadable`.

The type is decided by the content (magic bytes, then a look inside containers), never by
the name; the name only decides between plain text and CSV. Images are decoded in full
(a damaged image is refused), turned upright, and re-encoded without metadata when the
uploader's location must not be kept. HEIC/HEIF photos are always converted to JPEG so every
browser can show them.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import re
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from typing import BinaryIO, Final

import filetype
import pillow_heif
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from esm.core.errors import DomainError, ErrorCode

pillow_heif.register_heif_opener()

MB: Final = 1024 * 1024
MAX_FILENAME_LENGTH: Final = 200
MAX_IMAGE_PIXELS: Final = 80_000_000
THUMBNAIL_SIZE: Final = (400, 400)
JPEG_QUALITY: Final = 88
THUMBNAIL_QUALITY: Final = 80

JPEG: Final = "image/jpeg"
PNG: Final = "image/png"
HEIC: Final = "image/heic"
HEIF: Final = "image/heif"
PDF: Final = "application/pdf"
DOCX: Final = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX: Final = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
DOC: Final = "application/msword"
XLS: Final = "application/vnd.ms-excel"
PPT: Final = "application/vnd.ms-powerpoint"
ODT: Final = "application/vnd.oasis.opendocument.text"
ODS: Final = "application/vnd.oasis.opendocument.spreadsheet"
TEXT: Final = "text/plain"
CSV: Final = "text/csv"

#: Accepted upload types (detected by content) and their canonical extension, without dot.
#: HEIC and HEIF are accepted but stored as JPEG.
ALLOWED_TYPES: Final[dict[str, str]] = {
    JPEG: "jpg",
    PNG: "png",
    HEIC: "heic",
    HEIF: "heif",
    PDF: "pdf",
    DOCX: "docx",
    XLSX: "xlsx",
    PPTX: "pptx",
    DOC: "doc",
    XLS: "xls",
    PPT: "ppt",
    ODT: "odt",
    ODS: "ods",
    TEXT: "txt",
    CSV: "csv",
}

_IMAGE_TYPES: Final = frozenset({JPEG, PNG, HEIC, HEIF})


@dataclass(frozen=True)
class PreparedFile:
    """An upload that passed every check, ready to be stored as is."""

    filename: str  # safe display name, extension matching `content_type`
    content: bytes  # the bytes to store (re-encoded for images when needed)
    content_type: str  # detected by content, one of ALLOWED_TYPES (HEIC/HEIF become JPEG)
    size: int  # len(content)
    sha256: str  # hex digest of content
    thumbnail: bytes | None  # JPEG, RGB, within 400x400; images only


def prepare_upload(data: bytes | BinaryIO, filename: str, *, max_bytes: int, strip_location: bool) -> PreparedFile:
    """Check one uploaded file and return what to store, or raise `DomainError`.

    `data` is the whole content or a file object read from its current position; of a
    file object at most `max_bytes + 1` bytes are read. With `strip_location` images are
    re-encoded without any EXIF/XMP metadata (GPS position, camera serial, ...); without
    it JPEG and PNG are stored byte for byte. HEIC/HEIF is always converted to JPEG.
    """
    if max_bytes <= 0:
        raise ValueError("max_bytes must be positive")
    display_name = clean_filename(filename)
    raw = _read_limited(data, max_bytes)
    if len(raw) > max_bytes:
        raise DomainError(ErrorCode.FILE_TOO_LARGE, _too_large_message(display_name, max_bytes))
    if not raw:
        raise DomainError(ErrorCode.FILE_UNREADABLE, _("“%(name)s” is empty.") % {"name": display_name})

    detected = detect_type(raw, filename, display_name=display_name)
    if detected in _IMAGE_TYPES:
        content, content_type, thumbnail = _prepare_image(raw, detected, display_name, strip_location=strip_location)
    else:
        content, content_type, thumbnail = raw, detected, None
    return PreparedFile(
        filename=_fit(_clean_parts(filename)[0], ALLOWED_TYPES[content_type]),
        content=content,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        thumbnail=thumbnail,
    )


# --- reading and naming -------------------------------------------------------------


def _read_limited(data: bytes | BinaryIO, max_bytes: int) -> bytes:
    """The content, or from a file object at most `max_bytes + 1` bytes (enough to see it is too big)."""
    if isinstance(data, bytes | bytearray | memoryview):
        return bytes(data)
    limit = max_bytes + 1
    chunks: list[bytes] = []
    remaining = limit
    while remaining > 0:
        chunk = data.read(min(remaining, 1 * MB))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)[:limit]


def _too_large_message(name: str, max_bytes: int) -> str:
    if max_bytes >= MB:
        return _("“%(name)s” is larger than %(limit)d MB.") % {"name": name, "limit": max_bytes // MB}
    return _("“%(name)s” is larger than %(limit)d KB.") % {"name": name, "limit": max(1, max_bytes // 1024)}


_EXTENSION_RE: Final = re.compile(r"^[A-Za-z0-9]{1,10}$")
_WHITESPACE_RE: Final = re.compile(r"\s+")
_FALLBACK_STEM: Final = "attachment"
_HIDDEN_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})


def clean_filename(filename: str) -> str:
    """A name safe to show and to offer for download: no folders, no control or invisible
    characters (e.g. right-to-left overrides that disguise `exe.jpg`), at most 200 characters."""
    return _fit(*_clean_parts(filename))


def _clean_parts(filename: str) -> tuple[str, str]:
    """(stem, extension) of the cleaned name, not yet shortened."""
    name = unicodedata.normalize("NFC", str(filename or ""))
    name = re.split(r"[/\\]", name)[-1]
    # Cc: control characters, Cf: invisible formatting (bidi overrides, zero-width),
    # Cs/Co/Cn: surrogates, private use, unassigned
    name = "".join(ch for ch in name if unicodedata.category(ch) not in _HIDDEN_CATEGORIES)
    name = _WHITESPACE_RE.sub(" ", name).strip(" .")
    return _split_extension(name)


def _split_extension(name: str) -> tuple[str, str]:
    """(stem, extension) when the name ends in something that looks like an extension."""
    stem, dot, extension = name.rpartition(".")
    if dot and _EXTENSION_RE.match(extension):
        return stem.rstrip(" ."), extension
    return name, ""


def _fit(stem: str, extension: str) -> str:
    """`stem.extension`, the stem shortened so the whole fits in 200 characters."""
    room = MAX_FILENAME_LENGTH - (len(extension) + 1 if extension else 0)
    stem = stem[:room].rstrip(" .") or _FALLBACK_STEM
    return f"{stem}.{extension}" if extension else stem


# --- type detection -----------------------------------------------------------------


class _DamagedError(Exception):
    """The file has the signature of an allowed container, but its structure is broken."""


def detect_type(data: bytes, filename: str, *, display_name: str | None = None) -> str:
    """The allowed MIME type of `data` (a key of ALLOWED_TYPES), or raise `DomainError`.

    `filename` only decides between `text/plain` (.txt) and `text/csv` (.csv).
    """
    name = display_name or clean_filename(filename)
    try:
        detected = _detect(data, filename)
    except _DamagedError as exc:
        raise DomainError(
            ErrorCode.FILE_UNREADABLE,
            _("“%(name)s” could not be read. It may be damaged or incomplete.") % {"name": name},
        ) from exc
    if detected is None:
        raise DomainError(
            ErrorCode.FILE_TYPE_NOT_ALLOWED,
            _(
                "“%(name)s” is not an allowed file type. You can attach photos (JPEG, PNG, HEIC), "
                "PDF, Word, Excel, PowerPoint and OpenDocument files, and text or CSV files."
            )
            % {"name": name},
        )
    return detected


def _detect(data: bytes, filename: str) -> str | None:
    head = data[:8192]
    guessed = filetype.guess_mime(head)
    if guessed == JPEG:
        return JPEG
    if guessed in {PNG, "image/apng"} and head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"%PDF-"):
        return PDF
    heif = _heif_type(head)
    if heif is not None:
        return heif
    if head.startswith(_OLE_MAGIC):
        return _ole_type(data, filename)
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(data, filename)
    extension = _split_extension(clean_filename(filename))[1].lower()
    if extension in {"txt", "csv"} and _is_text(data):
        return TEXT if extension == "txt" else CSV
    return None


_HEIC_BRANDS: Final = frozenset({"heic", "heix", "heim", "heis", "hevc", "hevx", "hevm", "hevs"})
_HEIF_BRANDS: Final = frozenset({"mif1", "msf1"})
_AVIF_BRANDS: Final = frozenset({"avif", "avis"})


def _heif_type(head: bytes) -> str | None:
    """HEIC/HEIF by the ISO-BMFF `ftyp` box (filetype only knows major brand `heic`).

    AVIF shares the container and is refused."""
    if len(head) < 16 or head[4:8] != b"ftyp":
        return None
    box_size = struct.unpack(">I", head[:4])[0]
    if box_size < 16 or box_size > len(head):
        return None
    brands = {head[8:12].decode("latin-1")}
    brands.update(head[i : i + 4].decode("latin-1") for i in range(16, box_size - 3, 4))
    if brands & _HEIC_BRANDS:
        return HEIC
    if brands & _HEIF_BRANDS and not brands & _AVIF_BRANDS:
        return HEIF
    return None


def _preferred(candidates: list[str], filename: str) -> str | None:
    """The candidate type matching the file's extension, else the first one."""
    extension = _split_extension(clean_filename(filename))[1].lower()
    for candidate in candidates:
        if ALLOWED_TYPES[candidate] == extension:
            return candidate
    return candidates[0] if candidates else None


# ZIP containers: Office Open XML and OpenDocument.

_OOXML_FOLDERS: Final = (("word", DOCX), ("xl", XLSX), ("ppt", PPTX))
_ODF_MIMETYPES: Final = {ODT: ODT, ODS: ODS}
_MAX_MANIFEST_BYTES: Final = 1 * MB


def _zip_type(data: bytes, filename: str) -> str | None:
    """docx/xlsx/pptx: `[Content_Types].xml` and the `word/`, `xl/` or `ppt/` folder, no
    macros (a renamed .docm is not a .docx). odt/ods: the `mimetype` entry says so."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = {info.filename.lower(): info for info in archive.infolist()}
            if "mimetype" in infos:
                mimetype = _read_member(archive, infos["mimetype"]).decode("ascii", "replace").strip()
                return _ODF_MIMETYPES.get(mimetype)
            content_types = infos.get("[content_types].xml")
            if content_types is None:
                return None
            top_folders = {name.split("/", 1)[0] for name in infos if "/" in name}
            candidates = [mime for folder, mime in _OOXML_FOLDERS if folder in top_folders]
            if not candidates:
                return None
            if any(name.endswith("vbaproject.bin") for name in infos):
                return None
            if b"macroenabled" in _read_member(archive, content_types).lower():
                return None
            return _preferred(candidates, filename)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError) as exc:
        # RuntimeError: encrypted entries; NotImplementedError: unknown compression
        raise _DamagedError from exc


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    if info.file_size > _MAX_MANIFEST_BYTES:
        raise _DamagedError(info.filename)
    with archive.open(info) as member:
        return member.read(_MAX_MANIFEST_BYTES + 1)[:_MAX_MANIFEST_BYTES]


# OLE2 compound files: legacy doc/xls/ppt, told apart by their main stream.

_OLE_MAGIC: Final = bytes.fromhex("D0CF11E0A1B11AE1")
_OLE_STREAMS: Final = {"worddocument": DOC, "workbook": XLS, "book": XLS, "powerpoint document": PPT}
_MAX_REGULAR_SECTOR: Final = 0xFFFFFFFA
_END_OF_CHAIN: Final = 0xFFFFFFFE
_NO_STREAM: Final = 0xFFFFFFFF


def _ole_type(data: bytes, filename: str) -> str | None:
    """doc, xls or ppt by the streams at the root of the compound file; anything else
    in an OLE2 container (MSI installers, Outlook messages, encrypted Office files) is refused."""
    try:
        names = _ole_root_stream_names(data)
    except (struct.error, IndexError, ValueError) as exc:
        raise _DamagedError from exc
    candidates = []
    for name in names:
        mime = _OLE_STREAMS.get(name.casefold())
        if mime is not None and mime not in candidates:
            candidates.append(mime)
    order = [DOC, XLS, PPT]
    candidates.sort(key=order.index)
    return _preferred(candidates, filename)


def _ole_root_stream_names(data: bytes) -> list[str]:
    """Names of the streams directly under the root storage (MS-CFB), structure checked."""
    if len(data) < 512:
        raise ValueError("too short")
    sector_shift = struct.unpack_from("<H", data, 0x1E)[0]
    if sector_shift not in (9, 12):
        raise ValueError("bad sector size")
    sector_size = 1 << sector_shift
    per_sector = sector_size // 4
    sector_count = (len(data) - sector_size + sector_size - 1) // sector_size
    fat_sector_count, first_dir = struct.unpack_from("<II", data, 0x2C)
    first_difat, difat_count = struct.unpack_from("<II", data, 0x44)

    def sector(number: int) -> bytes:
        if number > _MAX_REGULAR_SECTOR or number >= sector_count:
            raise ValueError("sector out of range")
        start = (number + 1) * sector_size
        block = data[start : start + sector_size]
        if len(block) < sector_size:
            raise ValueError("truncated sector")
        return block

    difat = list(struct.unpack_from("<109I", data, 0x4C))
    seen: set[int] = set()
    current = first_difat
    for _index in range(min(difat_count, sector_count)):
        if current in seen:
            raise ValueError("DIFAT loop")
        seen.add(current)
        pointers = struct.unpack(f"<{per_sector}I", sector(current))
        difat.extend(pointers[:-1])
        current = pointers[-1]
    fat_sectors = difat[: min(fat_sector_count, len(difat))]

    def next_sector(number: int) -> int:
        fat_index, slot = divmod(number, per_sector)
        if fat_index >= len(fat_sectors):
            raise ValueError("FAT out of range")
        value: int = struct.unpack_from("<I", sector(fat_sectors[fat_index]), slot * 4)[0]
        return value

    entries: list[bytes] = []
    seen = set()
    current = first_dir
    while current != _END_OF_CHAIN:
        if current in seen:
            raise ValueError("directory loop")
        seen.add(current)
        block = sector(current)
        entries.extend(block[offset : offset + 128] for offset in range(0, sector_size, 128))
        current = next_sector(current)
    if not entries or entries[0][66] != 5:  # the first entry is the root storage
        raise ValueError("no root entry")

    names: list[str] = []
    visited: set[int] = set()
    pending = [struct.unpack_from("<I", entries[0], 76)[0]]  # root's child: a tree of siblings
    while pending:
        index = pending.pop()
        if index == _NO_STREAM:
            continue
        if index >= len(entries) or index in visited:
            raise ValueError("bad directory tree")
        visited.add(index)
        entry = entries[index]
        name_length = min(struct.unpack_from("<H", entry, 64)[0], 64)
        if entry[66] == 2:  # stream
            names.append(entry[: max(name_length - 2, 0)].decode("utf-16-le", "replace"))
        pending.extend(struct.unpack_from("<II", entry, 68))  # left and right siblings
    return names


# Plain text and CSV.

_BAD_CONTROLS_RE: Final = re.compile(r"[\x00-\x08\x0e-\x19\x1c-\x1f\x7f]")
_MARKUP_RE: Final = re.compile(r"\A\s*<(?:!doctype\s+html|html|head|body|script|svg|iframe|\?xml)\b", re.IGNORECASE)


def _is_text(data: bytes) -> bool:
    """Readable text: UTF-8, UTF-16 with BOM or Windows-1252, without NUL or other binary
    control characters, and not a web page in disguise."""
    text = _decode_text(data)
    if text is None:
        return False
    if _BAD_CONTROLS_RE.search(text):
        return False
    return not _MARKUP_RE.match(text[:1024])


def _decode_text(data: bytes) -> str | None:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings: tuple[str, ...] = ("utf-16",)
    elif b"\x00" in data:
        return None
    else:
        encodings = ("utf-8-sig", "cp1252")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


# --- images -------------------------------------------------------------------------

_PILLOW_FORMATS: Final = {JPEG: ["JPEG"], PNG: ["PNG"], HEIC: ["HEIF"], HEIF: ["HEIF"]}
_EXPECTED_FORMATS: Final = {JPEG: {"JPEG", "MPO"}, PNG: {"PNG"}, HEIC: {"HEIF"}, HEIF: {"HEIF"}}
# Decoders parse untrusted bytes: whatever they raise means "not a readable image".
_IMAGE_ERRORS: Final = (
    OSError,  # includes UnidentifiedImageError and "image file is truncated"
    SyntaxError,
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    EOFError,
    ZeroDivisionError,
    struct.error,
    Image.DecompressionBombError,
    Warning,  # DecompressionBombWarning and friends, when warnings are turned into errors
)


def _prepare_image(raw: bytes, detected: str, name: str, *, strip_location: bool) -> tuple[bytes, str, bytes]:
    """(content, content type, thumbnail) of a decodable image, or raise FILE_UNREADABLE."""
    try:
        with Image.open(io.BytesIO(raw), formats=_PILLOW_FORMATS[detected]) as opened:
            if opened.format not in _EXPECTED_FORMATS[detected]:
                raise _unreadable_image(name)
            width, height = opened.size
            if width <= 0 or height <= 0 or width * height > MAX_IMAGE_PIXELS:
                raise _unreadable_image(name)
            opened.load()
            upright = ImageOps.exif_transpose(opened)
            thumbnail = _thumbnail(upright)
            if detected == PNG:
                if not strip_location:
                    return raw, PNG, thumbnail
                return _encode_png(upright), PNG, thumbnail
            if detected == JPEG and not strip_location:
                return raw, JPEG, thumbnail
            return _encode_jpeg(upright, keep_metadata=not strip_location), JPEG, thumbnail
    except DomainError:
        raise
    except _IMAGE_ERRORS as exc:
        raise _unreadable_image(name) from exc


def _unreadable_image(name: str) -> DomainError:
    return DomainError(
        ErrorCode.FILE_UNREADABLE,
        _("“%(name)s” could not be read as an image. It may be damaged or incomplete.") % {"name": name},
    )


def _encode_jpeg(image: Image.Image, *, keep_metadata: bool) -> bytes:
    """JPEG at quality 88 with the colour profile; EXIF/XMP only when `keep_metadata`."""
    options: dict[str, object] = {"quality": JPEG_QUALITY}
    if icc_profile := image.info.get("icc_profile"):
        options["icc_profile"] = icc_profile
    if keep_metadata:
        exif = image.getexif()
        if exif:
            options["exif"] = exif.tobytes()
        if xmp := image.info.get("xmp"):
            options["xmp"] = xmp
    pixels = _flatten(image) if image.mode not in {"RGB", "L"} else image
    pixels = _without_info(pixels)
    buffer = io.BytesIO()
    try:
        pixels.save(buffer, format="JPEG", **options)
    except ValueError:  # metadata too long for a JPEG marker: keep the picture, drop the metadata
        buffer = io.BytesIO()
        options.pop("exif", None)
        options.pop("xmp", None)
        pixels.save(buffer, format="JPEG", **options)
    return buffer.getvalue()


def _encode_png(image: Image.Image) -> bytes:
    """PNG without text chunks or EXIF, keeping the colour profile and transparency."""
    clean = _without_info(image)
    for key in ("icc_profile", "transparency"):
        if key in image.info:
            clean.info[key] = image.info[key]
    buffer = io.BytesIO()
    clean.save(buffer, format="PNG")
    return buffer.getvalue()


def _without_info(image: Image.Image) -> Image.Image:
    """A copy with no metadata carried in `info` (EXIF, XMP, comments, text chunks)."""
    clean = image.copy()
    clean.info = {}
    return clean


def _flatten(image: Image.Image) -> Image.Image:
    """RGB, transparency composed on white, 16-bit greyscale scaled down to 8 bits."""
    if image.mode in {"I", "F"} or image.mode.startswith("I;"):
        image = image.convert("I").point(lambda value: value * (1 / 257)).convert("L")
    if image.mode == "P":
        image = image.convert("RGBA")
    if image.mode in {"RGBA", "LA", "PA", "La", "RGBa"}:
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _thumbnail(image: Image.Image) -> bytes:
    small = _flatten(image)
    small.thumbnail(THUMBNAIL_SIZE, Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    small.save(buffer, format="JPEG", quality=THUMBNAIL_QUALITY)
    return buffer.getvalue()
