"""RSS 2.0 and Atom feeds: the latest posts, all recent comments, a post's comments.

Only published posts and approved comments on them appear. No feed ever
names an email address: Django's feeds write one only when asked for
(`author_email`, `item_author_email`), and none is defined here. Every feed
defines `item_pubdate`, so Django sends Last-Modified; `conditional_page`
(in forum.urls) answers 304 to a reader whose copy is current.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext

from forum.context_processors import tagline
from forum.models import Comment, Post, display_name

POSTS_IN_FEED = 10
COMMENTS_IN_FEED = 30


class LatestPostsFeed(Feed):
    def title(self):
        return settings.SITE_NAME

    def description(self):
        return tagline()

    def link(self):
        return reverse("forum:post-list")

    def items(self):
        posts = Post.objects.published().select_related("author")
        return posts.prefetch_related("categories")[:POSTS_IN_FEED]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.body_html

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return display_name(item.author)

    def item_categories(self, item):
        return [category.name for category in item.categories.all()]


class LatestPostsAtomFeed(LatestPostsFeed):
    feed_type = Atom1Feed
    subtitle = LatestPostsFeed.description


class RecentCommentsFeed(Feed):
    def title(self):
        return gettext("Comments for %(site)s") % {"site": settings.SITE_NAME}

    def description(self):
        return gettext("The latest comments on %(site)s.") % {
            "site": settings.SITE_NAME
        }

    def link(self):
        return reverse("forum:post-list")

    def items(self):
        return _public_comments().order_by("-created_at", "-pk")[:COMMENTS_IN_FEED]

    def item_title(self, item):
        return gettext("Comment on %(title)s by %(name)s") % {
            "title": item.post.title,
            "name": item.author_name,
        }

    def item_description(self, item):
        return item.body_html

    def item_link(self, item):
        return item.get_absolute_url()

    def item_pubdate(self, item):
        return item.created_at

    def item_author_name(self, item):
        return item.author_name


class RecentCommentsAtomFeed(RecentCommentsFeed):
    feed_type = Atom1Feed
    subtitle = RecentCommentsFeed.description


class PostCommentsFeed(RecentCommentsFeed):
    """One post's approved comments, newest first."""

    def get_object(self, request, slug):
        return get_object_or_404(Post.objects.published(), slug=slug)

    def title(self, obj):
        return gettext("Comments on: %(title)s") % {"title": obj.title}

    def description(self, obj):
        return gettext("Comments on “%(title)s”, on %(site)s.") % {
            "title": obj.title,
            "site": settings.SITE_NAME,
        }

    def link(self, obj):
        return obj.get_absolute_url()

    def items(self, obj):
        return (
            _public_comments()
            .filter(post=obj)
            .order_by("-created_at", "-pk")[:COMMENTS_IN_FEED]
        )

    def item_title(self, item):
        return gettext("By: %(name)s") % {"name": item.author_name}


class PostCommentsAtomFeed(PostCommentsFeed):
    feed_type = Atom1Feed
    subtitle = PostCommentsFeed.description


def _public_comments():
    return (
        Comment.objects.approved()
        .filter(post__in=Post.objects.published())
        .select_related("post")
        .only("pk", "post__title", "author_name", "body_html", "created_at")
    )
