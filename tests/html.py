"""Reading HTML in tests: pages parsed as a browser reads them."""

from bs4 import BeautifulSoup


def soup(page) -> BeautifulSoup:
    """Parse a response (its content), or HTML given as text or bytes."""
    return BeautifulSoup(getattr(page, "content", page), "html.parser")
