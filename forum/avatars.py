"""Avatars beside commenters' names: initials on a colour of their own.

Nothing is fetched and no address is used: the initials and a colour picked
by a hash of the name (one of HUES classes, .hue-0 to .hue-11 in
static/css/parley.css), so a writer looks the same on every page and server.
With AVATARS=gravatar a picture from gravatar.com covers them; Gravatar's
"blank" default is transparent, so the initials show where there is none.
The thread renderer makes one per author per page (forum.thread_html).
"""

import hashlib
import zlib
from html import escape

HUES = 12
_AVATAR = '<span class="avatar hue-{hue}" aria-hidden="true">{initials}{image}</span>'
_GRAVATAR = (
    '<img src="https://gravatar.com/avatar/{hash}?s=80&amp;d=blank" alt="" '
    'width="40" height="40" loading="lazy" decoding="async">'
)


def avatar_html(name: str, gravatar: str | None = None) -> str:
    """Return the avatar for a name; `gravatar`: the hash of their address."""
    image = _GRAVATAR.format(hash=gravatar) if gravatar else ""
    return _AVATAR.format(hue=hue(name), initials=initials(name), image=image)


def initials(name: str) -> str:
    """Return a name's initials, escaped: "Fourth and Long" is "FL", "borko" "B"."""
    words = ["".join(c for c in word if c.isalnum()) for word in name.split()]
    words = [word for word in words if word] or [name.strip() or "?"]
    letters = words[0][0] + (words[-1][0] if len(words) > 1 else "")
    return escape(letters.upper())


def hue(name: str) -> int:
    """Return a colour number for a name, the same on every page and server."""
    return zlib.crc32(name.casefold().encode()) % HUES


def gravatar_hash(email: str) -> str:
    """Return Gravatar's hash of an address (SHA-256 of it, trimmed, lower-case)."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()
