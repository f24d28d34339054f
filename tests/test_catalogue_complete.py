"""Every shipped catalogue holds every message of the current source,
translated (issue 18): a missing, empty or fuzzy message fails here.
"""

import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

from tools import catalogues

SHIPPED = sorted(
    code.split("-")[0] + ("_" + code.split("-")[1].upper() if "-" in code else "")
    for code, _ in settings.LANGUAGES
    if code != "en"
)
# What `make messages` leaves out (the Makefile's MESSAGES_IGNORE).
IGNORE = [
    ".venv",
    "node_modules",
    "benchmarks",
    "tests",
    "tools",
    "staticfiles",
    "docs",
    "locale",
]


# Where the marked strings are.
SOURCES = ["config", "forum", "templates", "static/js"]


def keys(path: Path) -> set[str]:
    return {catalogues.key_of(e) for e in polib.pofile(str(path)) if not e.obsolete}


@pytest.mark.parametrize("language", SHIPPED)
def test_every_message_is_translated(language):
    missing = catalogues.export(language)
    assert not missing, f"{language} misses {len(missing)}: {sorted(missing)[:10]}"


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """The catalogues makemessages writes today from the source (German's)."""
    if shutil.which("xgettext") is None:
        pytest.skip("GNU gettext (xgettext) is not installed")
    # A copy of the source, so makemessages sees no locale/ but its own.
    root = tmp_path_factory.mktemp("source")
    for part in SOURCES:
        shutil.copytree(Path(settings.BASE_DIR) / part, root / part)
    folder = root / "locale"
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        patch.setattr(settings, "LOCALE_PATHS", [folder])
        for domain in catalogues.DOMAINS:
            call_command(
                "makemessages",
                locale=["de"],
                domain=domain,
                ignore_patterns=IGNORE,
                no_obsolete=True,
                verbosity=0,
            )
    return folder / "de" / "LC_MESSAGES"


@pytest.mark.parametrize("domain", catalogues.DOMAINS)
def test_the_catalogues_hold_every_message_of_the_source(fresh, domain):
    source = keys(fresh / f"{domain}.po")
    for path in catalogues.catalogues():
        if path.stem == domain:
            shipped = keys(path)
            assert source - shipped == set(), f"run `make messages`: {path}"
            assert shipped - source == set(), f"stale messages in {path}"
