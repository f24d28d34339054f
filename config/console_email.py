"""The console email backend for `make run`: mail as a person reads it.

Django's console backend prints the raw message, where a subject or name
outside ASCII reads `=?utf-8?q?R=C3=A9ponse?=` and a long body may be
quoted-printable. This one prints every header decoded and every text part as
its text, so the links in it can be copied from the terminal.
"""

from email.header import decode_header, make_header

from django.core.mail.backends import console


class EmailBackend(console.EmailBackend):
    def write_message(self, message):
        msg = message.message()
        for name, value in msg.items():
            self.stream.write(f"{name}: {_decoded(value)}\n")
        if not msg.is_multipart():
            self.stream.write(f"\n{_text(msg)}\n")
        for part in msg.walk() if msg.is_multipart() else ():
            if not part.is_multipart():
                self.stream.write(f"\n[{part.get_content_type()}]\n{_text(part)}\n")
        self.stream.write("-" * 79 + "\n")


def _decoded(value: str) -> str:
    """Return a header's value with its RFC 2047 encoded words decoded."""
    return str(make_header(decode_header(value)))


def _text(part) -> str:
    """Return a text part as text, whatever its transfer encoding; name others."""
    if part.get_content_maintype() != "text":
        return f"(attachment: {part.get_filename() or 'unnamed'})"
    payload = part.get_payload(decode=True)
    return payload.decode(part.get_content_charset() or "utf-8", errors="replace")
