"""Content types by file extension, one table for the feed, `serve` and `publish`: never
`mimetypes`, whose answers depend on the machine."""

from __future__ import annotations

from pathlib import PurePath

ENCLOSURE_TYPES: dict[str, str] = {
    ".mp3": "audio/mpeg",
    ".m4a": "audio/x-m4a",
    ".mp4": "video/mp4",
    ".m4v": "video/x-m4v",
    ".mov": "video/quicktime",
}
"""Apple's enclosure types (SPEC 2.3)."""

TRANSCRIPT_TYPES: dict[str, str] = {
    ".vtt": "text/vtt",
    ".srt": "application/x-subrip",
    ".json": "application/json",
    ".html": "text/html",
    ".txt": "text/plain",
}
"""`podcast:transcript type` by extension (SPEC 4.2; SRT is application/x-subrip)."""

IMAGE_TYPES: dict[str, str] = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}
"""The artwork Apple accepts (SPEC 2.2), and chapter images."""

FEED_TYPE = "application/rss+xml; charset=utf-8"
JSON_CHAPTERS_TYPE = "application/json+chapters"
SITEMAP_TYPE = "application/xml; charset=utf-8"

CONTENT_TYPES: dict[str, str] = {
    **ENCLOSURE_TYPES,
    **TRANSCRIPT_TYPES,
    **IMAGE_TYPES,
    ".xml": FEED_TYPE,
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
}
"""What a web server (ours, or object storage) should answer for each kind of file."""


def content_type(path: PurePath | str, in_chapters_folder: bool = False) -> str:
    """The Content-Type a file is served with.

    >>> content_type("media/Episode 1.M4A"), content_type("chapters/1.json", True)
    ('audio/x-m4a', 'application/json+chapters')
    >>> content_type("feed.xml"), content_type("sitemap.xml")
    ('application/rss+xml; charset=utf-8', 'application/xml; charset=utf-8')
    """
    if PurePath(path).name == "sitemap.xml":
        return SITEMAP_TYPE
    suffix = PurePath(path).suffix.lower()
    if in_chapters_folder and suffix == ".json":
        return JSON_CHAPTERS_TYPE
    return CONTENT_TYPES.get(suffix, "application/octet-stream")
