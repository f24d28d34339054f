"""What `make run` prints: each log line once, and mail as people read it."""

from io import StringIO

import pytest
from django.core.mail import EmailMessage, get_connection

from tests.processes import run_python, settings_under

CONSOLE_BACKEND = "config.console_email.EmailBackend"
# Django's request warnings, runserver's request lines, and Parley's own.
LOGGERS = ["django.request", "django.server", "forum.services.notifications"]


def log_a_warning(logger: str, **variables: str):
    code = (
        f"import logging\nlogging.getLogger({logger!r}).warning('probe one-of-a-kind')"
    )
    result = run_python(code, **variables)
    assert result.returncode == 0, result.stderr
    return result


@pytest.mark.parametrize("logger", LOGGERS)
def test_a_log_line_prints_once_to_stdout_under_debug(logger):
    result = log_a_warning(logger, DJANGO_DEBUG="true")
    assert (result.stdout + result.stderr).count("probe one-of-a-kind") == 1
    assert f"WARNING {logger}: probe one-of-a-kind" in result.stdout


@pytest.mark.parametrize("logger", LOGGERS)
def test_a_log_line_prints_once_in_production(logger):
    result = log_a_warning(logger)
    assert (result.stdout + result.stderr).count("probe one-of-a-kind") == 1


def test_mail_goes_to_the_readable_console_without_an_smtp_host():
    assert settings_under("EMAIL_BACKEND") == {"EMAIL_BACKEND": CONSOLE_BACKEND}


def console_mail(**message) -> str:
    stream = StringIO()
    connection = get_connection(CONSOLE_BACKEND, stream=stream)
    EmailMessage(to=["ada@example.com"], connection=connection, **message).send()
    return stream.getvalue()


def test_console_mail_shows_a_non_ascii_subject_decoded():
    printed = console_mail(subject="Réponse à « Ada » — 1 new reply", body="Hi")
    assert "Subject: Réponse à « Ada » — 1 new reply\n" in printed
    assert "=?utf-8?" not in printed


def test_console_mail_shows_the_body_as_text_with_its_links_whole():
    link = "https://example.com/comment/12/?token=abc%3D%3D&page=2#comment-12"
    # A line past 998 characters makes Django send the body quoted-printable.
    body = f"Bonjour Ada,\n\n{link}\n\n{'é' * 1200}\n"
    printed = console_mail(subject="Hello", body=body)
    assert f"\n{link}\n" in printed
    assert "é" * 1200 in printed
    assert printed.endswith("-" * 79 + "\n")
