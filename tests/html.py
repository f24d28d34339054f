"""Reading HTML in tests: pages parsed as a browser reads them."""

from bs4 import BeautifulSoup


def soup(page) -> BeautifulSoup:
    """Parse a response (its content), or HTML given as text or bytes."""
    return BeautifulSoup(getattr(page, "content", page), "html.parser")


def tokens_blanked(element):
    """The element with its CSRF tokens blanked: they differ per reader (the vote
    forms in a thread carry one each), the rest is shared."""
    if element is not None:
        for token in element.select("input[name=csrfmiddlewaretoken]"):
            token["value"] = "token"
    return element
