"""Accessibility in a real browser: axe-core finds no serious or critical
violation on the public pages, in light and dark, and the basics axe can't
judge alone (landmarks, one h1, visible focus) hold.

axe-core comes from npm (package.json; `make test` runs `npm ci`). The browser
injects it (an init script), so the page's Content-Security-Policy still
applies to everything else.
"""

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.urls import reverse

from forum.models import Category, Comment, Post
from tests import browsing

browsing.require_chromium()

from playwright.sync_api import expect  # noqa: E402

AXE = Path(django_settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}

pytestmark = pytest.mark.django_db(transaction=True)

needs_axe = pytest.mark.skipif(
    not AXE.exists(),
    reason=f"{AXE} not found: run `npm ci` (or `make test`, which does) "
    "to install axe-core for the accessibility scan",
)


@pytest.fixture
def new_page(new_page):
    """Pages with axe-core loaded (when installed), for the scan."""
    scripts = [AXE] if AXE.exists() else []
    return lambda **options: new_page(init_scripts=scripts, **options)


@pytest.fixture
def demo(live_server, relaxed_posting):
    call_command("load_demo", stdout=StringIO())
    return live_server.url


def blocking_violations(page) -> list[str]:
    """Run axe on the page; describe each serious or critical violation."""
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['impact']} {v['id']}: {v['help']} at "
        + ", ".join(str(node["target"]) for node in v["nodes"][:5])
        for v in results["violations"]
        if v["impact"] in BLOCKING
    ]


def _page_urls(base) -> dict[str, str]:
    seed = Post.objects.get(slug=browsing.SEED_SLUG)
    deep = Comment.objects.filter(post=seed, level=2).first()
    category = Category.objects.order_by("name").first()
    return {
        "home": base + reverse("forum:post-list"),
        "thread": base + seed.get_absolute_url(),
        "open thread": base + reverse("forum:post-detail", args=["welcome-to-parley"]),
        "category": base + category.get_absolute_url(),
        "subthread": base + reverse("forum:comment-thread", args=[deep.pk]),
    }


@needs_axe
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(
    "name", ["home", "thread", "open thread", "category", "subthread"]
)
def test_axe_finds_no_serious_violation(new_page, demo, name, scheme):
    viewport = browsing.PHONE if scheme == "dark" else browsing.DESKTOP
    page = new_page(scheme=scheme, viewport=viewport)
    page.goto(_page_urls(demo)[name])

    assert blocking_violations(page) == []


@needs_axe
def test_axe_finds_no_serious_violation_while_replying(new_page, demo):
    page = new_page()
    page.goto(_page_urls(demo)["open thread"])
    ada = Comment.objects.get(author_name="Ada")
    page.locator(f"#div-comment-{ada.pk} .thread-toggle > summary").click()
    page.locator(f"#div-comment-{ada.pk} .thread-toggle > summary").click()
    page.locator(f"#div-comment-{ada.pk} .comment-reply-link").click()
    page.locator("#commentform textarea").fill(
        "A *draft* with a [link](https://a.example)."
    )
    page.locator("#commentform .preview-button").click()
    expect(page.locator("#comment-preview em")).to_have_text("draft")

    assert blocking_violations(page) == []


@needs_axe
def test_axe_finds_no_serious_violation_on_a_form_with_errors(new_page, demo):
    page = new_page()
    page.goto(_page_urls(demo)["open thread"])
    page.locator("#commentform textarea").fill("No name given.")
    page.locator("#commentform #submit").click()
    expect(page.locator(".comment-form-author .field-error")).to_be_visible()

    assert blocking_violations(page) == []


@pytest.mark.parametrize("name", ["home", "thread", "category"])
def test_page_has_landmarks_and_one_main_heading(new_page, demo, name):
    page = new_page()
    page.goto(_page_urls(demo)[name])

    for role in ("banner", "main", "contentinfo"):
        expect(page.get_by_role(role)).to_have_count(1)
    expect(page.locator("h1")).to_have_count(1)


def test_comments_are_a_region_named_by_their_heading(new_page, demo):
    page = new_page()
    page.goto(_page_urls(demo)["thread"])

    region = page.get_by_role("region", name="12 Responses to")
    expect(region).to_have_attribute("id", "comments")


def test_keyboard_focus_is_visible_on_the_fold_control(new_page, demo):
    page = new_page()
    page.goto(_page_urls(demo)["thread"])
    summary = page.locator(".thread-toggle > summary").first
    summary.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # focus arrives by keyboard: :focus-visible

    expect(summary).to_be_focused()
    outline = summary.evaluate(
        "el => [getComputedStyle(el).outlineStyle, getComputedStyle(el).outlineWidth]"
    )
    assert outline == ["solid", "3px"]


def test_skip_link_leads_to_the_content(new_page, demo):
    page = new_page()
    page.goto(_page_urls(demo)["thread"])

    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    expect(page.locator(".skip-link")).to_be_in_viewport()
    page.keyboard.press("Enter")

    expect(page).to_have_url(_page_urls(demo)["thread"] + "#main")


@needs_axe
def test_axe_scan_reports_a_violation_when_there_is_one(new_page, demo):
    page = new_page()
    page.goto(_page_urls(demo)["home"])
    page.evaluate(
        "document.querySelector('main').append(document.createElement('button'))"
    )

    assert [v.split(":")[0] for v in blocking_violations(page)] == [
        "critical button-name"
    ]


@needs_axe
@pytest.mark.parametrize("language", ["ar", "uk"])
@pytest.mark.parametrize("name", ["home", "thread", "open thread"])
def test_axe_finds_no_serious_violation_in_arabic_and_ukrainian(
    new_page, demo, name, language
):
    page = new_page(locale=language)  # the browser asks for the language
    page.goto(_page_urls(demo)[name])

    expect(page.locator("html")).to_have_attribute("lang", language)
    assert blocking_violations(page) == []
