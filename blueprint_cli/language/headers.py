"""What may go into a header line of an e-mail or an HTTP request: used by
delivery (which writes the headers) and by lint rule BP310 (which warns about
what delivery would have to change), without the linter importing delivery."""

from __future__ import annotations

import re

#: A header name: an HTTP token (RFC 9110).
HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_BREAKS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f\x85\u2028\u2029]+")


def one_line(text: str) -> str:
    """A value that can go into one header line: line breaks and other control
    characters (a record value with CRLF would start a forged header) become a
    space, leading and trailing spaces go."""
    return _BREAKS.sub(" ", text).strip()
