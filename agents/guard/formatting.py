"""Stage 6: length and format of a reply.

Format: control characters (other than line breaks and tabs) and invisible
ones go; ``<script>``/``<style>`` blocks go whole and other HTML tags lose
their markup; Markdown images and links, and bare URLs, to domains outside
``allowed_link_domains`` go (a link keeps its text); a character other than an ASCII letter
or digit repeated more than ``max_repeat`` times is cut down to ``max_repeat``
(ids such as ASINs keep their letters).

Length: a text longer than the cap is cut after the last sentence that fits;
when no sentence end falls in the last half of the allowance, it is cut at
the cap with an ellipsis.
"""

from __future__ import annotations

import re
import urllib.parse

from agents.guard.sentences import sentence_ends

# C0 and C1 controls except tab, line feed and carriage return; ZWJ stays for emoji.
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_INVISIBLE_KEEP_ZWJ_RE = re.compile(
    "[\u00ad\u180e\u200b\u200c\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
SCRIPT_RE = re.compile(
    r"<\s*(script|style|iframe|object|embed)\b[^>]*>.*?(?:<\s*/\s*\1\s*>|\Z)",
    re.IGNORECASE | re.DOTALL,
)
_TAG_RE = re.compile(r"</?[a-zA-Z][a-zA-Z0-9-]*(?:\s+[^<>]*)?/?\s*>|<!--.*?(?:-->|\Z)", re.DOTALL)
_MD_IMAGE_RE = re.compile(r"!\[([^\]\n]{0,200})\]\(\s*([^)\s]+)(?:\s+\"[^\"]*\")?\s*\)")
_MD_LINK_RE = re.compile(r"(?<!!)\[([^\]\n]{0,200})\]\(\s*([^)\s]+)(?:\s+\"[^\"]*\")?\s*\)")
_URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>()\[\]「」、。]+", re.IGNORECASE)


def _allowed(url: str, domains: tuple[str, ...]) -> bool:
    target = url if "://" in url else f"http://{url}"
    try:
        host = (urllib.parse.urlsplit(target).hostname or "").lower()
    except ValueError:
        return False
    if not host and url.startswith("/"):
        return True  # a path on the store's own site
    return any(host == domain or host.endswith("." + domain) for domain in domains)


def clean_format(
    text: str, allowed_domains: tuple[str, ...], max_repeat: int
) -> tuple[str, tuple[str, ...]]:
    """``text`` with its format cleaned, and what was removed ("html", "link", …)."""
    removed: list[str] = []
    cleaned = _CONTROL_RE.sub("", text)
    cleaned = _INVISIBLE_KEEP_ZWJ_RE.sub("", cleaned)
    if cleaned != text:
        removed.append("control characters")
    if "<" in cleaned:
        stripped = _TAG_RE.sub("", SCRIPT_RE.sub("", cleaned))
        if stripped != cleaned:
            removed.append("html")
            cleaned = stripped
    if "](" in cleaned:

        def image(match: re.Match[str]) -> str:
            return match.group() if _allowed(match.group(2), allowed_domains) else ""

        def link(match: re.Match[str]) -> str:
            return match.group() if _allowed(match.group(2), allowed_domains) else match.group(1)

        relinked = _MD_LINK_RE.sub(link, _MD_IMAGE_RE.sub(image, cleaned))
        if relinked != cleaned:
            removed.append("links")
            cleaned = relinked
    if "http" in cleaned.lower() or "www." in cleaned.lower():
        unlinked = _URL_RE.sub(
            lambda match: match.group() if _allowed(match.group(), allowed_domains) else "", cleaned
        )
        if unlinked != cleaned:
            removed.append("links")
            cleaned = unlinked
    repeat_re = re.compile(rf"([^0-9A-Za-z])\1{{{max_repeat},}}")
    shortened = repeat_re.sub(lambda match: match.group(1) * max_repeat, cleaned)
    if shortened != cleaned:
        removed.append("repeated characters")
        cleaned = shortened
    return cleaned, tuple(dict.fromkeys(removed))


def cap_length(text: str, max_chars: int) -> str:
    """``text`` cut to at most ``max_chars`` characters, at a sentence end when one is near."""
    if len(text) <= max_chars:
        return text
    ends = [end for end in sentence_ends(text[: max_chars + 1]) if end <= max_chars]
    if ends and ends[-1] >= max_chars // 2:
        return text[: ends[-1]].rstrip()
    return text[: max_chars - 1] + "…"
