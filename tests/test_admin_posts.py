"""The post admin: comment counts, opening and closing comments, finding posts.

Logged in as a moderator (a staff user in the migration's "Moderators"
group), who may only view posts but opens and closes their comments; the
post form itself is an editor's, checked as a superuser.
"""

import json

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from forum.models import Comment, Post
from tests.admin_client import act, form_data, listed, row
from tests.factories import make_category, make_comment, make_post, make_user
from tests.html import soup

pytestmark = pytest.mark.django_db

POSTS = reverse("admin:forum_post_changelist")
Status = Comment.Status


def comments_open(post) -> bool:
    return Post.objects.get(pk=post.pk).comments_open


def test_post_list_shows_status_date_and_comment_counts(mod):
    post = make_post(title="Counted")
    for status in (Status.APPROVED, Status.APPROVED, Status.PENDING, Status.SPAM):
        make_comment(post=post, status=status)
    cells = row(mod.get(POSTS), post)
    assert cells.select_one(".field-status").get_text() == "Published"
    assert str(post.published_at.year) in cells.select_one(".field-published_at").text
    assert cells.select_one(".field-approved_comments").get_text() == "2"
    assert cells.select_one(".field-pending_comments").get_text() == "1"


def test_post_list_links_to_the_posts_comments(mod):
    post = make_post()
    root = make_comment(post=post)
    reply = make_comment(post=post, parent=root)
    make_comment(post=make_post())
    link = row(mod.get(POSTS), post).select_one(".field-comments_link a")
    assert listed(mod.get(link["href"])) == [root.pk, reply.pk]


def test_close_comments_action_closes_them_on_the_site(mod, moderator):
    post = make_post()
    response = act(mod, "close_comments", [post], changelist=POSTS)
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Comments closed on 1 post."
    ]
    assert not comments_open(post)
    page = soup(Client().get(post.get_absolute_url()))
    assert page.select_one("#commentform") is None
    entry = LogEntry.objects.get(object_id=str(post.pk))
    assert (entry.user, entry.action_flag) == (moderator, CHANGE)


def test_open_comments_action_opens_them_again(mod):
    post = make_post(comments_open=False)
    act(mod, "open_comments", [post], changelist=POSTS)
    assert comments_open(post)
    assert soup(Client().get(post.get_absolute_url())).select_one("#commentform")


def test_staff_who_can_only_view_posts_cannot_close_comments(client):
    reader = make_user(is_staff=True)
    reader.user_permissions.add(Permission.objects.get(codename="view_post"))
    client.force_login(reader)
    post = make_post()
    act(client, "close_comments", [post], changelist=POSTS)
    assert comments_open(post)


def test_post_list_filters_by_category(mod):
    russia = make_category(name="Russia")
    inside = make_post(categories=[russia])
    make_post()
    links = soup(mod.get(POSTS)).select("#changelist-filter a")
    (href,) = [a["href"] for a in links if a.get_text(strip=True) == "Russia"]
    assert listed(mod.get(POSTS + href)) == [inside.pk]


@pytest.mark.parametrize("query", ["Bakhmut", "shelling"])
def test_post_list_search_covers_title_and_body(mod, query):
    found = make_post(title="Bakhmut update", body="Heavy shelling overnight.")
    make_post(title="Other news", body="Quiet day.")
    assert listed(mod.get(POSTS, {"q": query})) == [found.pk]


def test_post_form_prepopulates_the_slug_from_the_title(client):
    # Writing posts is an editor's task, not a moderator's.
    client.force_login(make_user(is_staff=True, is_superuser=True))
    page = soup(client.get(reverse("admin:forum_post_add")))
    script = page.select_one("#django-admin-prepopulated-fields-constants")
    fields = json.loads(script["data-prepopulated-fields"])
    assert [(f["name"], f["dependency_list"]) for f in fields] == [("slug", ["title"])]


def test_adding_a_post_in_the_admin_saves_it_with_its_categories(client):
    editor = make_user(is_staff=True, is_superuser=True)
    client.force_login(editor)
    category = make_category(name="Kherson")
    url = reverse("admin:forum_post_add")
    data = form_data(client.get(url), "#post_form")
    data.update(
        title="Added here",
        slug="added-here",
        body="*Markdown*",
        author=str(editor.pk),
        status="published",
        categories=[str(category.pk)],
    )
    assert client.post(url, data).status_code == 302
    post = Post.objects.get(slug="added-here")
    assert post.body_html == "<p><em>Markdown</em></p>"
    assert list(post.categories.all()) == [category]
    assert Client().get(post.get_absolute_url()).status_code == 200


def test_changing_a_posts_language_in_the_admin_moves_its_comments_too(client):
    """The form offers the shipped languages; the comments follow (search)."""
    client.force_login(make_user(is_staff=True, is_superuser=True))
    post = make_post(title="Häuser")
    comment = make_comment(post=post, status=Status.APPROVED)
    url = reverse("admin:forum_post_change", args=[post.pk])
    page = client.get(url)
    options = soup(page).select("#id_language option")
    assert [o["value"] for o in options] == [
        "en",
        "ar",
        "de",
        "es",
        "fr",
        "pt-br",
        "uk",
    ]
    assert soup(page).select_one("#id_language option[selected]")["value"] == "en"
    data = form_data(page, "#post_form")
    data["language"] = "de"
    assert client.post(url, data).status_code == 302
    assert Post.objects.get(pk=post.pk).language == "de"
    assert Comment.objects.get(pk=comment.pk).language == "de"
