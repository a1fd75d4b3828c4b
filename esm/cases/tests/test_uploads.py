"""Checking and preparing uploaded case attachments (pure functions, no database).

Every sample file is generated here: photos with Pillow and pillow_heif, Office files
with zipfile, a legacy compound file by hand.
"""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
import zlib
from typing import BinaryIO, cast

import pillow_heif
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import Image, PngImagePlugin

from esm.cases.uploads import (
    ALLOWED_TYPES,
    MAX_FILENAME_LENGTH,
    PreparedFile,
    clean_filename,
    prepare_upload,
)
from esm.core.errors import DomainError, ErrorCode

pillow_heif.register_heif_opener()

MB = 1024 * 1024
LIMIT = 5 * MB
GPS_IFD = 0x8825
ORIENTATION = 0x0112
COPENHAGEN_CITY_HALL = {1: "N", 2: (55.0, 40.0, 32.0), 3: "E", 4: (12.0, 34.0, 9.0)}

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"


# --- sample files -------------------------------------------------------------------


def photo_exif(*, orientation: int | None = None, gps: bool = True) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Apple"  # Make
    if orientation is not None:
        exif[ORIENTATION] = orientation
    if gps:
        exif[GPS_IFD] = COPENHAGEN_CITY_HALL
    return exif


def picture(size: tuple[int, int] = (120, 80), mode: str = "RGB") -> Image.Image:
    """White (or transparent) with a red block in the top-left corner."""
    if mode == "RGBA":
        image = Image.new("RGBA", size, (0, 0, 0, 0))
        image.paste((255, 0, 0, 255), (0, 0, size[0] // 2, size[1] // 2))
        return image
    image = Image.new("RGB", size, "white")
    image.paste((255, 0, 0), (0, 0, size[0] // 2, size[1] // 2))
    return image if mode == "RGB" else image.convert(mode)


def jpeg(
    size: tuple[int, int] = (120, 80), *, orientation: int | None = None, gps: bool = True, quality: int = 90
) -> bytes:
    buffer = io.BytesIO()
    picture(size).save(buffer, format="JPEG", quality=quality, exif=photo_exif(orientation=orientation, gps=gps))
    return buffer.getvalue()


def png(size: tuple[int, int] = (120, 80), *, mode: str = "RGB", gps: bool = False) -> bytes:
    buffer = io.BytesIO()
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "taken at Absalonsgade 8")
    options: dict[str, object] = {"pnginfo": text}
    if gps:
        options["exif"] = photo_exif()
    picture(size, mode).save(buffer, format="PNG", **options)
    return buffer.getvalue()


def heic(size: tuple[int, int] = (120, 80), *, gps: bool = True) -> bytes:
    buffer = io.BytesIO()
    picture(size).save(buffer, format="HEIF", quality=60, exif=photo_exif(gps=gps))
    return buffer.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A tiny PNG that claims to be `width` x `height` (a decompression bomb's header)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00")) + chunk(b"IEND", b"")


PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)

OOXML_MAIN = {
    "word": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xl": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "ppt": "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
}
OOXML_PART = {"word": "word/document.xml", "xl": "xl/workbook.xml", "ppt": "ppt/presentation.xml"}


def office_open_xml(folder: str, *, main_type: str | None = None, extra: dict[str, bytes] | None = None) -> bytes:
    part = OOXML_PART[folder]
    content_types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{part}" ContentType="{main_type or OOXML_MAIN[folder]}"/></Types>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr(part, "<document/>")
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def zip_of(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def open_document(mimetype: str) -> bytes:
    return zip_of({"mimetype": mimetype.encode(), "content.xml": b"<office:document-content/>"})


OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
FREE_SECTOR = 0xFFFFFFFF
END_OF_CHAIN = 0xFFFFFFFE
FAT_SECTOR = 0xFFFFFFFD
NO_STREAM = 0xFFFFFFFF


def compound_file(*stream_names: str, directory_sector: int = 1) -> bytes:
    """A minimal OLE2 compound file (MS-CFB v3): header, one FAT sector, one directory
    sector holding the root and up to three empty streams."""
    assert len(stream_names) <= 3
    header = bytearray(512)
    header[0:8] = OLE_MAGIC
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<II", header, 0x2C, 1, directory_sector)  # FAT sectors, first directory sector
    struct.pack_into("<III", header, 0x38, 4096, END_OF_CHAIN, 0)  # mini stream cutoff, no mini FAT
    struct.pack_into("<II", header, 0x44, END_OF_CHAIN, 0)  # no extra DIFAT sectors
    struct.pack_into("<109I", header, 0x4C, 0, *([FREE_SECTOR] * 108))
    fat = struct.pack("<128I", FAT_SECTOR, END_OF_CHAIN, *([FREE_SECTOR] * 126))

    def entry(name: str, kind: int, *, right: int = NO_STREAM, child: int = NO_STREAM) -> bytes:
        encoded = (name + "\x00").encode("utf-16-le")
        return (
            encoded.ljust(64, b"\x00")
            + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<III", NO_STREAM, right, child)
            + bytes(16 + 4 + 8 + 8)
            + struct.pack("<IQ", END_OF_CHAIN, 0)
        )

    entries = [entry("Root Entry", 5, child=1 if stream_names else NO_STREAM)]
    for index, name in enumerate(stream_names, start=1):
        entries.append(entry(name, 2, right=index + 1 if index < len(stream_names) else NO_STREAM))
    directory = b"".join(entries).ljust(512, b"\x00")
    return bytes(header) + fat + directory


def prepare(data: bytes, filename: str, *, strip_location: bool = True, max_bytes: int = LIMIT) -> PreparedFile:
    return prepare_upload(data, filename, max_bytes=max_bytes, strip_location=strip_location)


def refused(data: bytes, filename: str, **options: bool | int) -> DomainError:
    with pytest.raises(DomainError) as caught:
        prepare_upload(
            data,
            filename,
            max_bytes=int(options.get("max_bytes", LIMIT)),
            strip_location=bool(options.get("strip_location", True)),
        )
    return caught.value


def opened(content: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(content))
    image.load()
    return image


# --- photos -------------------------------------------------------------------------


def test_location_is_stripped_from_a_customers_photo() -> None:
    original = jpeg()
    assert dict(opened(original).getexif().get_ifd(GPS_IFD)) == COPENHAGEN_CITY_HALL

    prepared = prepare(original, "IMG_0042.JPG", strip_location=True)

    stored = opened(prepared.content)
    assert stored.format == "JPEG"
    assert not stored.getexif().get_ifd(GPS_IFD)
    assert not stored.getexif()
    assert b"Apple" not in prepared.content
    assert prepared.content_type == "image/jpeg"
    assert prepared.filename == "IMG_0042.jpg"


def test_a_technicians_photo_is_kept_byte_for_byte_when_location_may_stay() -> None:
    original = jpeg()

    prepared = prepare(original, "meter.jpg", strip_location=False)

    assert prepared.content == original
    assert dict(opened(prepared.content).getexif().get_ifd(GPS_IFD)) == COPENHAGEN_CITY_HALL
    assert prepared.thumbnail is not None


def test_a_photo_taken_sideways_is_stored_upright() -> None:
    # orientation 6: the camera was turned; viewers rotate 90° clockwise
    prepared = prepare(jpeg((120, 80), orientation=6, gps=False), "sideways.jpg")

    stored = opened(prepared.content)
    assert stored.size == (80, 120)
    assert ORIENTATION not in stored.getexif()
    assert prepared.thumbnail is not None
    assert opened(prepared.thumbnail).size == (80, 120)


def test_an_iphone_heic_photo_is_converted_to_jpeg_without_location() -> None:
    original = heic()
    assert dict(opened(original).getexif().get_ifd(GPS_IFD)) == COPENHAGEN_CITY_HALL

    prepared = prepare(original, "IMG_1234.HEIC", strip_location=True)

    stored = opened(prepared.content)
    assert stored.format == "JPEG"
    assert stored.size == (120, 80)
    assert not stored.getexif().get_ifd(GPS_IFD)
    assert prepared.content_type == "image/jpeg"
    assert prepared.filename == "IMG_1234.jpg"


def test_a_heic_photo_is_converted_even_when_location_may_stay() -> None:
    prepared = prepare(heic(), "IMG_1234.heic", strip_location=False)

    stored = opened(prepared.content)
    assert stored.format == "JPEG"
    assert dict(stored.getexif().get_ifd(GPS_IFD)) == COPENHAGEN_CITY_HALL
    assert prepared.filename == "IMG_1234.jpg"


def test_a_png_stays_png_but_loses_its_metadata() -> None:
    original = png(mode="RGBA", gps=True)
    assert opened(original).getexif().get_ifd(GPS_IFD)

    prepared = prepare(original, "screenshot.png", strip_location=True)

    stored = opened(prepared.content)
    assert stored.format == "PNG"
    assert stored.mode == "RGBA"
    assert stored.getpixel((119, 79)) == (0, 0, 0, 0)
    assert not stored.getexif()
    assert "Comment" not in stored.info
    assert prepared.content_type == "image/png"


def test_a_png_is_kept_byte_for_byte_when_location_may_stay() -> None:
    original = png(gps=True)

    assert prepare(original, "plan.png", strip_location=False).content == original


@pytest.mark.parametrize(
    ("sample", "name"),
    [
        (jpeg((1600, 900)), "wide.jpg"),
        (png((300, 900), mode="RGBA"), "tall.png"),
        (png((50, 40), mode="P"), "palette.png"),
        (png((600, 600), mode="L"), "grey.png"),
        (heic((800, 600)), "photo.heic"),
    ],
)
def test_every_image_gets_a_small_rgb_jpeg_thumbnail(sample: bytes, name: str) -> None:
    prepared = prepare(sample, name)

    assert prepared.thumbnail is not None
    thumbnail = opened(prepared.thumbnail)
    assert thumbnail.format == "JPEG"
    assert thumbnail.mode == "RGB"
    assert thumbnail.width <= 400
    assert thumbnail.height <= 400
    assert max(thumbnail.size) == min(400, max(opened(sample).size))


def test_a_transparent_pngs_thumbnail_has_a_white_background() -> None:
    prepared = prepare(png((100, 100), mode="RGBA"), "logo.png")

    assert prepared.thumbnail is not None
    pixel = opened(prepared.thumbnail).getpixel((90, 90))
    assert isinstance(pixel, tuple)
    assert min(pixel) > 240


def test_a_16_bit_greyscale_png_gets_a_grey_thumbnail() -> None:
    buffer = io.BytesIO()
    Image.new("I;16", (40, 40), 32768).save(buffer, format="PNG")

    prepared = prepare(buffer.getvalue(), "scan.png")

    assert prepared.thumbnail is not None
    pixel = opened(prepared.thumbnail).getpixel((20, 20))
    assert isinstance(pixel, tuple)
    assert all(110 < value < 145 for value in pixel)


def test_a_truncated_jpeg_is_unreadable() -> None:
    whole = jpeg((400, 300), quality=95)

    error = refused(whole[: len(whole) // 2], "broken.jpg")

    assert error.code == ErrorCode.FILE_UNREADABLE
    assert "broken.jpg" in error.message


def test_a_corrupt_heic_is_unreadable() -> None:
    whole = heic((256, 256))

    error = refused(whole[:200], "IMG_9999.HEIC")

    assert error.code == ErrorCode.FILE_UNREADABLE


@pytest.mark.parametrize(
    ("width", "height"),
    [
        (20_000, 20_000),  # far beyond Pillow's own limit
        (10_000, 8_100),  # 81 megapixels: below Pillow's limit, above ours
    ],
)
def test_a_decompression_bomb_is_unreadable(width: int, height: int) -> None:
    error = refused(png_header(width, height), "bomb.png")

    assert error.code == ErrorCode.FILE_UNREADABLE


# --- documents ----------------------------------------------------------------------


def test_a_pdf_is_stored_as_is() -> None:
    prepared = prepare(PDF, "Tilbud VVS.pdf")

    assert prepared == PreparedFile(
        filename="Tilbud VVS.pdf",
        content=PDF,
        content_type="application/pdf",
        size=len(PDF),
        sha256=hashlib.sha256(PDF).hexdigest(),
        thumbnail=None,
    )


@pytest.mark.parametrize(
    ("folder", "name", "expected_type", "expected_name"),
    [
        ("word", "Referat.docx", DOCX, "Referat.docx"),
        ("xl", "Budget 2026.xlsx", XLSX, "Budget 2026.xlsx"),
        ("ppt", "Oplæg.pptx", PPTX, "Oplæg.pptx"),
        ("word", "renamed.zip", DOCX, "renamed.docx"),
    ],
)
def test_office_documents_are_recognised_by_their_content(
    folder: str, name: str, expected_type: str, expected_name: str
) -> None:
    prepared = prepare(office_open_xml(folder), name)

    assert prepared.content_type == expected_type
    assert prepared.filename == expected_name
    assert prepared.thumbnail is None


def test_a_zip_named_docx_without_office_entries_is_refused() -> None:
    error = refused(zip_of({"readme.txt": b"hello", "setup.exe": b"MZ"}), "contract.docx")

    assert error.code == ErrorCode.FILE_TYPE_NOT_ALLOWED
    assert "contract.docx" in error.message


def test_a_zip_with_a_word_folder_but_no_content_types_is_refused() -> None:
    error = refused(zip_of({"word/document.xml": b"<document/>"}), "contract.docx")

    assert error.code == ErrorCode.FILE_TYPE_NOT_ALLOWED


def test_a_macro_enabled_workbook_renamed_to_xlsx_is_refused() -> None:
    xlsm = office_open_xml(
        "xl",
        main_type="application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        extra={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0"},
    )

    error = refused(xlsm, "Budget.xlsx")

    assert error.code == ErrorCode.FILE_TYPE_NOT_ALLOWED


def test_a_truncated_docx_is_unreadable() -> None:
    whole = office_open_xml("word", extra={"word/media/image1.png": png((200, 200))})

    error = refused(whole[: len(whole) - 30], "Referat.docx")

    assert error.code == ErrorCode.FILE_UNREADABLE


@pytest.mark.parametrize(
    ("mimetype", "expected_type", "expected_name"),
    [(ODT, ODT, "Referat.odt"), (ODS, ODS, "Referat.ods")],
)
def test_opendocument_text_and_spreadsheets_are_accepted(mimetype: str, expected_type: str, expected_name: str) -> None:
    prepared = prepare(open_document(mimetype), "Referat.odt")

    assert prepared.content_type == expected_type
    assert prepared.filename == expected_name


def test_an_opendocument_presentation_is_refused() -> None:
    error = refused(open_document("application/vnd.oasis.opendocument.presentation"), "slides.odt")

    assert error.code == ErrorCode.FILE_TYPE_NOT_ALLOWED


@pytest.mark.parametrize(
    ("stream", "name", "expected_type", "expected_name"),
    [
        ("WordDocument", "Lejekontrakt.doc", "application/msword", "Lejekontrakt.doc"),
        ("Workbook", "Regnskab.xls", "application/vnd.ms-excel", "Regnskab.xls"),
        ("Book", "Gammelt regnskab.xls", "application/vnd.ms-excel", "Gammelt regnskab.xls"),
        ("PowerPoint Document", "Oplæg.ppt", "application/vnd.ms-powerpoint", "Oplæg.ppt"),
        ("Workbook", "Forkert navn.doc", "application/vnd.ms-excel", "Forkert navn.xls"),
    ],
)
def test_legacy_office_files_are_told_apart_by_their_main_stream(
    stream: str, name: str, expected_type: str, expected_name: str
) -> None:
    prepared = prepare(compound_file("\x05SummaryInformation", stream), name)

    assert prepared.content_type == expected_type
    assert prepared.filename == expected_name


def test_an_installer_renamed_to_doc_is_refused() -> None:
    # Windows Installer packages are compound files too, without a WordDocument stream
    error = refused(compound_file("\x05SummaryInformation", "\u4840\u3f3f\u4577\u446c"), "invoice.doc")

    assert error.code == ErrorCode.FILE_TYPE_NOT_ALLOWED


def test_a_damaged_compound_file_is_unreadable() -> None:
    error = refused(compound_file("WordDocument", directory_sector=7), "letter.doc")

    assert error.code == ErrorCode.FILE_UNREADABLE


# --- text ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name", "expected_type"),
    [
        ("Radiatoren i lokale 2.B er kold – kun 15 °C.\n".encode(), "note.txt", "text/plain"),
        ("adresse;postnummer\nAbsalonsgade 8;1658\n".encode("cp1252"), "måleraflæsning.csv", "text/csv"),
        ("Ærø\tØster\r\n".encode("utf-16"), "export.TXT", "text/plain"),
        ("\ufeffnavn,antal\nrude,2\n".encode(), "rudeliste.csv", "text/csv"),
    ],
)
def test_text_and_csv_files_are_accepted_by_their_extension(content: bytes, name: str, expected_type: str) -> None:
    prepared = prepare(content, name)

    assert prepared.content == content
    assert prepared.content_type == expected_type
    assert prepared.thumbnail is None


def test_text_with_another_extension_is_refused() -> None:
    error = refused(b"#!/bin/sh\nrm -rf /\n", "install.sh")

    assert error.code == ErrorCode.FILE_TYPE_NOT_ALLOWED


def test_binary_content_named_txt_is_refused() -> None:
    error = refused(b"hello\x00\x01\x02world", "notes.txt")

    assert error.code == ErrorCode.FILE_TYPE_NOT_ALLOWED


def test_a_web_page_named_txt_is_refused() -> None:
    error = refused(b"\n  <!DOCTYPE html><html><script>alert(1)</script></html>", "readme.txt")

    assert error.code == ErrorCode.FILE_TYPE_NOT_ALLOWED


# --- disguised and refused uploads --------------------------------------------------


def test_an_exe_renamed_to_jpg_is_refused() -> None:
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(48) + b"This program cannot be run in DOS mode."

    error = refused(exe, "photo.jpg")

    assert error.code == ErrorCode.FILE_TYPE_NOT_ALLOWED
    assert "photo.jpg" in error.message


def test_html_renamed_to_pdf_is_refused() -> None:
    error = refused(b"<html><body><script>document.location='//evil'</script></body></html>", "invoice.pdf")

    assert error.code == ErrorCode.FILE_TYPE_NOT_ALLOWED


def test_a_zip_renamed_to_jpg_is_refused() -> None:
    error = refused(zip_of({"photo.jpg.exe": b"MZ"}), "photo.jpg")

    assert error.code == ErrorCode.FILE_TYPE_NOT_ALLOWED


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "animation.gif"),
        (b"RIFF\x1a\x00\x00\x00WEBPVP8 ", "photo.webp"),
        (b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf", "photo.heic"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "drawing.png"),
    ],
)
def test_other_formats_are_refused(content: bytes, name: str) -> None:
    assert refused(content, name).code == ErrorCode.FILE_TYPE_NOT_ALLOWED


def test_the_type_comes_from_the_content_not_the_name() -> None:
    prepared = prepare(png(), "photo.jpg")

    assert prepared.content_type == "image/png"
    assert prepared.filename == "photo.png"


def test_the_browsers_content_type_is_ignored() -> None:
    upload = SimpleUploadedFile("IMG_0001.jpg", jpeg(), content_type="text/html")

    # Django's File is not typed as BinaryIO, but it is one
    prepared = prepare_upload(cast(BinaryIO, upload), "IMG_0001.jpg", max_bytes=LIMIT, strip_location=True)

    assert prepared.content_type == "image/jpeg"


def test_an_empty_file_is_unreadable() -> None:
    error = refused(b"", "empty.pdf")

    assert error.code == ErrorCode.FILE_UNREADABLE
    assert "empty.pdf" in error.message


# --- size ---------------------------------------------------------------------------


def test_a_file_over_the_limit_is_refused_naming_the_limit_in_mb() -> None:
    error = refused(PDF + b"%" * (2 * MB), "tegning.pdf", max_bytes=2 * MB)

    assert error.code == ErrorCode.FILE_TOO_LARGE
    assert "tegning.pdf" in error.message
    assert "2 MB" in error.message


def test_a_file_exactly_at_the_limit_is_accepted() -> None:
    content = PDF.ljust(4096, b"%")

    assert prepare(content, "exact.pdf", max_bytes=4096).size == 4096


class EndlessUpload(io.BytesIO):
    """A gigantic upload: it never ends and counts what was read from it."""

    def __init__(self) -> None:
        super().__init__()
        self.bytes_read = 0

    def read(self, size: int | None = -1, /) -> bytes:
        if size is None or size < 0:
            raise AssertionError("the whole upload must never be read")
        chunk = (b"%PDF-" + b"%" * size)[:size] if self.bytes_read == 0 else b"%" * size
        self.bytes_read += len(chunk)
        return chunk


def test_no_more_than_the_limit_is_read_from_a_gigantic_upload() -> None:
    upload = EndlessUpload()

    with pytest.raises(DomainError) as caught:
        prepare_upload(upload, "endless.pdf", max_bytes=3 * MB, strip_location=True)

    assert caught.value.code == ErrorCode.FILE_TOO_LARGE
    assert upload.bytes_read == 3 * MB + 1


def test_a_file_object_is_read_like_bytes() -> None:
    original = jpeg()

    from_file = prepare_upload(io.BytesIO(original), "a.jpg", max_bytes=LIMIT, strip_location=False)

    assert from_file == prepare(original, "a.jpg", strip_location=False)


def test_sha256_and_size_describe_the_stored_bytes() -> None:
    prepared = prepare(jpeg(), "IMG_0042.jpg", strip_location=True)

    assert prepared.size == len(prepared.content)
    assert prepared.sha256 == hashlib.sha256(prepared.content).hexdigest()


# --- file names ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("C:\\Users\\lise\\Desktop\\rude.pdf", "rude.pdf"),
        ("../../etc/passwd", "passwd.pdf"),
        ("tilbud\x00\x1b[31m.pdf", "tilbud[31m.pdf"),
        ("faktura\u202efdp.exe", "fakturafdp.pdf"),
        ("  .hidden.pdf  ", "hidden.pdf"),
        ("rapport.final.PDF", "rapport.final.pdf"),
        ("Tilbud v2.0 udkast", "Tilbud v2.0 udkast.pdf"),
        ("", "attachment.pdf"),
        ("...", "attachment.pdf"),
        ("bo\u0308rn.pdf", "b\u00f6rn.pdf"),  # decomposed (macOS) umlaut becomes one character
    ],
)
def test_the_filename_is_made_safe(name: str, expected: str) -> None:
    assert prepare(PDF, name).filename == expected


def test_a_long_filename_is_shortened_keeping_the_extension() -> None:
    prepared = prepare(heic(), "Vandskade i kælderen " * 20 + ".HEIC")

    assert len(prepared.filename) == MAX_FILENAME_LENGTH
    assert prepared.filename.startswith("Vandskade i kælderen Vandskade")
    assert prepared.filename.endswith("Vandska.jpg")


@hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=400))
def test_any_filename_becomes_a_short_plain_name(name: str) -> None:
    cleaned = clean_filename(name)

    assert 0 < len(cleaned) <= MAX_FILENAME_LENGTH
    assert "/" not in cleaned
    assert "\\" not in cleaned
    assert cleaned == cleaned.strip(" .")
    assert all(ch.isprintable() or ch == " " for ch in cleaned)


@hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    signature=st.sampled_from(
        [b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"\x00\x00\x00\x18ftypheic", b"PK\x03\x04", OLE_MAGIC, b""]
    ),
    rest=st.binary(max_size=600),
    name=st.sampled_from(["a.jpg", "a.png", "a.heic", "a.docx", "a.doc", "a.txt", "a.csv"]),
)
def test_garbage_behind_a_known_signature_is_refused_not_crashed_on(signature: bytes, rest: bytes, name: str) -> None:
    try:
        prepared = prepare(signature + rest, name)
    except DomainError as error:
        assert error.code in {ErrorCode.FILE_TYPE_NOT_ALLOWED, ErrorCode.FILE_UNREADABLE}
    else:
        assert prepared.content_type in ALLOWED_TYPES
