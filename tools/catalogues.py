"""The translation catalogues in locale/: compile, export what is missing, merge.

Developer tooling (polib, from the test extras), run by `make messages` and by
translators:

    python -m tools.catalogues compile             # every .po to its .mo
    python -m tools.catalogues export uk todo.json # uk's untranslated messages
    python -m tools.catalogues merge uk uk.json    # translations into uk's .po

The .mo files are committed, so a fresh checkout serves every language
without GNU gettext; tests/test_catalogues.py fails when one is out of step
with its .po. Compiling here (polib) rather than with Django's
compilemessages keeps `make messages` working where msgfmt is missing.

The JSON that `merge` reads and `export` writes maps a message's key to its
translation. The key is the msgid, or the msgctxt, the character U+0004 and
the msgid when the message has a context (gettext's own convention). A
plural message's key is its singular msgid and its value a list with one
string per plural form of the language (the .po header's nplurals).
"""

import json
import re
import sys
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "locale"
DOMAINS = ("django", "djangojs")
CONTEXT = "\x04"
# Placeholders a translation must keep: %(name)s, %s, %d and {name}.
PLACEHOLDER = re.compile(r"%\(\w+\)[sdr]|%[sd]|\{\w*\}")


def catalogues(language: str | None = None, locale: Path = LOCALE) -> list[Path]:
    """Return the .po files, of one language (its directory name) or all."""
    pattern = f"{language or '*'}/LC_MESSAGES/*.po"
    return sorted(path for path in locale.glob(pattern) if path.stem in DOMAINS)


def key_of(entry: polib.POEntry) -> str:
    """Return the entry's key in the JSON files."""
    return f"{entry.msgctxt}{CONTEXT}{entry.msgid}" if entry.msgctxt else entry.msgid


def plural_forms(po: polib.POFile) -> int:
    """Return how many plural forms the catalogue's language has (nplurals)."""
    match = re.search(r"nplurals\s*=\s*(\d+)", po.metadata.get("Plural-Forms", ""))
    return int(match[1]) if match else 2


def missing(entry: polib.POEntry) -> bool:
    """True when the entry is not (fully) translated: empty, or fuzzy."""
    if entry.obsolete:
        return False
    return not entry.translated() or "fuzzy" in entry.flags


def compile_all(locale: Path = LOCALE) -> list[Path]:
    """Write each .po's .mo next to it (fuzzy entries left out, as msgfmt does).

    The header is tidied first: its language named, its fuzzy mark (which
    makemessages leaves on a new catalogue) taken off.
    """
    written = []
    for path in catalogues(locale=locale):
        po = polib.pofile(str(path))
        if po.metadata.get("Language") != path.parent.parent.name or (
            po.metadata_is_fuzzy
        ):
            po.metadata["Language"] = path.parent.parent.name
            po.metadata_is_fuzzy = []
            po.save(str(path))
        po.save_as_mofile(str(path.with_suffix(".mo")))
        written.append(path.with_suffix(".mo"))
    return written


def export(language: str, locale: Path = LOCALE) -> dict:
    """Return the untranslated messages of a language, keyed as `merge` reads them."""
    todo = {}
    for path in catalogues(language, locale):
        po = polib.pofile(str(path))
        forms = plural_forms(po)
        for entry in po:
            if missing(entry):
                todo[key_of(entry)] = [""] * forms if entry.msgid_plural else ""
    return todo


def merge(language: str, translations: dict, locale: Path = LOCALE) -> list[str]:
    """Put the translations into the language's .po files and compile them.

    Return the problems found (unknown keys, wrong plural forms, placeholders
    not kept); entries with a problem are left as they were.
    """
    problems = []
    found = set()
    for path in catalogues(language, locale):
        po = polib.pofile(str(path))
        forms = plural_forms(po)
        for entry in po:
            key = key_of(entry)
            if entry.obsolete or key not in translations:
                continue
            found.add(key)
            problem = _apply(entry, translations[key], forms)
            if problem:
                problems.append(f"{path.stem}: {key!r}: {problem}")
        po.save(str(path))
    problems += [f"not in any catalogue: {key!r}" for key in set(translations) - found]
    compile_all(locale)
    return problems


def _apply(entry: polib.POEntry, value, forms: int) -> str | None:
    """Set one entry's translation; return what is wrong with it instead, if so."""
    if entry.msgid_plural:
        if not isinstance(value, list) or len(value) != forms:
            return f"needs a list of {forms} plural forms"
        texts = value
    elif isinstance(value, str):
        texts = [value]
    else:
        return "needs a string"
    wanted = _placeholders(entry.msgid) | _placeholders(entry.msgid_plural or "")
    for text in texts:
        if not text.strip():
            return "empty"
        if _placeholders(text) - wanted or (
            not entry.msgid_plural and _placeholders(text) != wanted
        ):
            return f"placeholders differ: {sorted(wanted)}"
    if entry.msgid_plural:
        entry.msgstr_plural = dict(enumerate(texts))
    else:
        entry.msgstr = texts[0]
    if "fuzzy" in entry.flags:
        entry.flags.remove("fuzzy")
    entry.previous_msgid = entry.previous_msgid_plural = None
    entry.previous_msgctxt = None
    return None


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def main(argv: list[str]) -> int:
    command, *args = argv or ["help"]
    if command == "compile" and not args:
        for path in compile_all():
            print(path.relative_to(LOCALE.parent))
        return 0
    if command == "export" and len(args) == 2:
        todo = export(args[0])
        Path(args[1]).write_text(json.dumps(todo, ensure_ascii=False, indent=1))
        print(f"{len(todo)} messages to translate in {args[1]}")
        return 0
    if command == "merge" and len(args) == 2:
        problems = merge(args[0], json.loads(Path(args[1]).read_text()))
        print("\n".join(problems) or "merged")
        left = len(export(args[0]))
        print(f"{left} messages of {args[0]} still untranslated")
        return 1 if problems else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
