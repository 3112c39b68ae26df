"""Markdown from authors becomes HTML through one sanitiser, so user HTML never reaches a page raw.

Images from other sites are refused: a remote image is fetched by every reader's browser, so an
author could count and follow readers with a tracking pixel. Proxying them would make this server
fetch arbitrary URLs for anyone who can author (an SSRF risk and a cache to run); refusing is
simpler, and the image stays reachable as a plain link the reader may choose to open.
"""

from __future__ import annotations

import re
from html import escape, unescape
from urllib.parse import urlsplit

import markdown as md
import nh3
from django.conf import settings

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "code": {"class"},
    "th": {"align"},
    "td": {"align"},
    "abbr": {"title"},
}


LINK_REL = "noopener noreferrer nofollow"

# nh3 serialises every attribute value in double quotes with any '"' escaped, so these patterns
# read its output exactly (even an alt text holding '>'); they are not meant for arbitrary HTML.
_LINK_OR_IMAGE_TAG = re.compile(r'<(?P<closing>/?)(?P<name>a|img)\b(?P<attrs>(?:\s+[^\s"=/>]+(?:="[^"]*")?)*)\s*/?>')
_ATTRIBUTE = re.compile(r'([^\s"=/>]+)(?:="([^"]*)")?')
# Browsers drop tabs and newlines anywhere in a URL, trim leading controls and spaces, and read '\' as '/'.
_URL_IGNORED = re.compile(r"[\t\n\r]")


def render_markdown(text: str) -> str:
    html = md.markdown(text or "", extensions=["fenced_code", "tables", "sane_lists"], output_format="html")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel=LINK_REL,
    )
    return refuse_remote_images(clean, site_url=getattr(settings, "SITE_URL", ""))


def is_same_origin(url: str, *, site_url: str) -> bool:
    """Whether a browser would load `url`, written on one of our pages, from our own site."""
    normalised = _URL_IGNORED.sub("", url).lstrip("".join(map(chr, range(33)))).replace("\\", "/")
    parts = urlsplit(normalised)
    if not parts.scheme and not parts.netloc:
        return True
    site = urlsplit(site_url)
    return bool(site.netloc) and (parts.scheme.lower(), parts.netloc.lower()) == (
        site.scheme.lower(),
        site.netloc.lower(),
    )


def refuse_remote_images(html: str, *, site_url: str) -> str:
    """Turn each <img> loaded from another site into a link to it, in sanitised HTML from nh3."""
    links_open = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal links_open
        if match["name"] == "a":
            links_open = max(0, links_open + (-1 if match["closing"] else 1))
            return match[0]
        attributes = {name: unescape(value or "") for name, value in _ATTRIBUTE.findall(match["attrs"])}
        src = attributes.get("src", "")
        if not src or is_same_origin(src, site_url=site_url):
            return match[0]
        alt = attributes.get("alt", "").strip()
        label = escape(f"image: {alt} (external)" if alt else "image (external)")
        if links_open:  # a link cannot hold another link: the enclosing one already leads somewhere
            return label
        return f'<a href="{escape(src)}" rel="{LINK_REL}">{label}</a>'

    return _LINK_OR_IMAGE_TAG.sub(replace, html)
