"""Every environment variable Parley reads is documented where operators look."""

import re

from tests.processes import BASE_DIR

READERS = {
    "config/settings.py": r'env_(?:str|bool|int|signed_int|list)\(\s*"([A-Z0-9_]+)"',
    "config/gunicorn.conf.py": r'os\.environ\.get\(\s*"([A-Z0-9_]+)"',
}


def variables_read() -> set[str]:
    names = {"DATABASE_URL"}  # read by dj_database_url.config()
    for path, pattern in READERS.items():
        names |= set(re.findall(pattern, (BASE_DIR / path).read_text()))
    return names


def test_the_variables_found_include_the_known_ones():
    # Guards the patterns above: if they stop matching, the tests below pass
    # vacuously.
    assert {"DJANGO_SECRET_KEY", "DJANGO_HTTPS", "GUNICORN_WORKERS"} <= (
        variables_read()
    )


def test_every_variable_is_in_the_readme_configuration_table():
    readme = (BASE_DIR / "README.md").read_text()
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"`([A-Z0-9_]+)`", table))
    assert variables_read() - documented == set()


def test_every_variable_is_in_env_example():
    example = (BASE_DIR / ".env.example").read_text()
    listed = set(re.findall(r"^(?:# )?([A-Z0-9_]+)=", example, flags=re.M))
    assert variables_read() - listed == set()
