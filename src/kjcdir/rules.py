"""What a valid value is: ids, e-mail addresses, URLs, lengths (SPEC 1.2 and 1.4).

One place for the rules that both readers of the directory apply: the YAML loader
(kjcdir.load, with positions for its messages) and the cache (kjcdir.records), which
trusts no record it reads more than a line of YAML.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# Length limits keep a pasted web page or a runaway value out of cards and caches.
MAX_ID = 100
MAX_SHORT_TEXT = 300
MAX_LONG_TEXT = 10_000
MAX_URL = 2000
MAX_PHONE = 60
MAX_LIST = 500
MAX_AFFILIATIONS = 50

ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
EMAIL_PATTERN = re.compile(
    r"[\w.!#$%&'*+/=?^`{|}~-]+@[^\W_](?:[\w-]*[^\W_])?(?:\.[^\W_](?:[\w-]*[^\W_])?)+\Z"
)
E164_PATTERN = re.compile(r"\+[1-9][0-9]{1,14}\Z")

_INVISIBLE = {"Cc", "Cf", "Zs", "Zl", "Zp"}


def is_id(value: object) -> bool:
    return isinstance(value, str) and len(value) <= MAX_ID and ID_PATTERN.match(value) is not None


def is_visible(text: str) -> bool:
    """Whether the text shows anything: not only control, format (zero-width, bidi) or space."""
    if text.isascii():
        return any("!" <= char <= "~" for char in text)
    import unicodedata  # not on the path of a lookup that reads plain ASCII from the cache

    return any(unicodedata.category(char) not in _INVISIBLE for char in text)


def is_web_url(value: str) -> bool:
    if any(char.isspace() or ord(char) < 32 for char in value):
        return False
    try:
        parts = urlsplit(value)
        host = parts.hostname or ""
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and "." in host and not host.startswith(".")


def is_email(value: str) -> bool:
    return EMAIL_PATTERN.match(value) is not None
