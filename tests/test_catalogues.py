"""The shipped catalogues (locale/): compiled, in step with their sources, and
the translators' merge tool (tools/catalogues.py)."""

import shutil

import polib
import pytest
from django.conf import settings

from tools import catalogues

SHIPPED = [code for code, _ in settings.LANGUAGES if code != "en"]


def directory(code: str) -> str:
    """pt-br is pt_BR on disk (gettext's locale names)."""
    language, _, region = code.partition("-")
    return f"{language}_{region.upper()}" if region else language


def translations(catalogue) -> dict:
    """What gettext reads from a catalogue: its entries' translations, by key.

    Fuzzy entries are left out, as msgfmt and polib leave them out of a .mo.
    """
    found = {}
    for entry in catalogue:
        if entry.obsolete or "fuzzy" in entry.flags:
            continue
        plural = {int(k): v for k, v in entry.msgstr_plural.items() if v}
        if entry.msgstr or plural:
            found[entry.msgctxt, entry.msgid] = plural or entry.msgstr
    return found


@pytest.mark.parametrize("code", SHIPPED)
def test_each_shipped_language_has_its_catalogue(code):
    assert catalogues.catalogues(directory(code)), f"no .po for {code}"


@pytest.mark.parametrize(
    "path", catalogues.catalogues(), ids=lambda p: p.parent.parent.name + "/" + p.name
)
def test_each_compiled_catalogue_is_in_step_with_its_source(path):
    compiled = path.with_suffix(".mo")
    assert compiled.exists(), f"{compiled} missing: run `make messages`"
    source = translations(polib.pofile(str(path)))
    assert translations(polib.mofile(str(compiled))) == source, (
        f"{compiled} is out of step with {path.name}: run "
        "`python -m tools.catalogues compile`"
    )


@pytest.fixture
def locale(tmp_path):
    """A copy of the German catalogue to merge into."""
    shutil.copytree(catalogues.LOCALE / "de", tmp_path / "de")
    return tmp_path


def test_merge_puts_translations_into_the_catalogue_and_compiles_it(locale):
    po = polib.pofile(str(locale / "de/LC_MESSAGES/django.po"))
    entry = next(e for e in po if not e.msgid_plural and "%" not in e.msgid)
    plural = next(e for e in po if e.msgid_plural)
    problems = catalogues.merge(
        "de",
        {entry.msgid: "Übersetzt", plural.msgid: ["eins %(count)d", "viele %(count)d"]},
        locale,
    )
    assert problems == []
    compiled = polib.mofile(str(locale / "de/LC_MESSAGES/django.mo"))
    assert compiled.find(entry.msgid).msgstr == "Übersetzt"
    assert catalogues.key_of(plural) not in catalogues.export("de", locale)


def test_merge_refuses_a_wrong_number_of_plural_forms_and_lost_placeholders(locale):
    po = polib.pofile(str(locale / "de/LC_MESSAGES/django.po"))
    plural = next(e for e in po if e.msgid_plural)
    named = next(e for e in po if "%(" in e.msgid and not e.msgid_plural)
    named.msgstr = ""  # untranslated, so a refused value leaves it missing
    po.save()
    problems = catalogues.merge(
        "de", {plural.msgid: ["nur eine"], named.msgid: "ohne Platzhalter"}, locale
    )
    assert len(problems) == 2
    kept = polib.pofile(str(locale / "de/LC_MESSAGES/django.po"))
    assert kept.find(named.msgid).msgstr == named.msgstr  # left as it was


def test_merge_keys_a_message_with_a_context_by_context_and_id(locale):
    po = polib.pofile(str(locale / "de/LC_MESSAGES/django.po"))
    entry = polib.POEntry(msgctxt="verb", msgid="Report", msgstr="")
    po.append(entry)
    po.save()
    problems = catalogues.merge("de", {"verb\x04Report": "Melden"}, locale)
    assert problems == []
    assert polib.pofile(str(po.fpath)).find("Report", msgctxt="verb").msgstr == "Melden"
