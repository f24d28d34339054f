from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ORDER_VAR
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import DataError, models
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _
from mptt.admin import MPTTModelAdmin

from forum import markup, services
from forum.models import (
    BlocklistEntry,
    Category,
    Comment,
    CommentReport,
    CommentRevision,
    CommentStatusChange,
    Notification,
    Post,
    Subscription,
    TrustedAuthor,
)

Status = Comment.Status
# The comment list: characters of text per row, and the deepest indentation.
EXCERPT_CHARS = 300
EXCERPT_MAX_DEPTH = 6
# Depth-first: a post's comments read as its threads.
THREAD_ORDER = ("tree_id", "lft")
# What a status action does (the reason recorded, in English like the admin
# history) and says to the moderator, by the status it sets.
STATUS_SAID = {
    Status.APPROVED: (
        "approved",
        ngettext_lazy(
            "%(count)d comment approved.", "%(count)d comments approved.", "count"
        ),
    ),
    Status.PENDING: (
        "held for moderation",
        ngettext_lazy(
            "%(count)d comment held for moderation.",
            "%(count)d comments held for moderation.",
            "count",
        ),
    ),
    Status.SPAM: (
        "marked as spam",
        ngettext_lazy(
            "%(count)d comment marked as spam.",
            "%(count)d comments marked as spam.",
            "count",
        ),
    ),
    Status.REMOVED: (
        "removed",
        ngettext_lazy(
            "%(count)d comment removed.", "%(count)d comments removed.", "count"
        ),
    ),
}


class ForgivingChangeList:
    """A list page answers odd filter values with Django's invalid-lookup page.

    Django turns most bad values into IncorrectLookupParameters (a redirect
    to ?e=1) but not these: a year past datetime's range, an id too big for
    SQLite's integers (OverflowError), a NUL byte PostgreSQL refuses
    (DataError). Staff typed them; a 500 is still no answer.
    """

    def get_changelist_instance(self, request):
        try:
            return super().get_changelist_instance(request)
        except (OverflowError, DataError) as error:
            raise IncorrectLookupParameters(error) from error


@admin.register(Category)
class CategoryAdmin(ForgivingChangeList, admin.ModelAdmin):
    list_display = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


@admin.register(Post)
class PostAdmin(ForgivingChangeList, admin.ModelAdmin):
    list_display = (
        "title",
        "status",
        "published_at",
        "approved_comments",
        "pending_comments",
        "comments_open",
        "comments_link",
    )
    list_filter = ("status", "comments_open", "categories")
    search_fields = ("title", "body")
    prepopulated_fields = {"slug": ("title",)}
    raw_id_fields = ("author",)
    filter_horizontal = ("categories",)
    date_hierarchy = "published_at"
    actions = ("open_comments", "close_comments")

    def get_queryset(self, request):
        counts = {
            f"n_{status}": Count("comments", filter=Q(comments__status=status))
            for status in (Status.APPROVED, Status.PENDING)
        }
        return super().get_queryset(request).annotate(**counts)

    def get_changeform_initial_data(self, request):
        return {
            "author": request.user.pk,
            **super().get_changeform_initial_data(request),
        }

    def save_model(self, request, obj, form, change):
        # Through the services, categories too (so save_related leaves them):
        # an edit bumps the thread's version, so cached threads follow a new
        # slug or author.
        categories = form.cleaned_data["categories"]
        if change:
            fields = {
                f: getattr(obj, f) for f in form.changed_data if f != "categories"
            }
            changed = "categories" in form.changed_data
            services.post_update(
                post=obj, fields=fields, categories=categories if changed else None
            )
            return
        fields = {f: getattr(obj, f) for f in services.posts.EDITABLE_FIELDS}
        created = services.post_create(**fields, categories=categories)
        obj.pk, obj._state.adding = created.pk, False

    def save_related(self, request, form, formsets, change):
        for formset in formsets:  # form.save_m2m() would bypass the service
            self.save_formset(request, form, formset, change=change)

    @admin.display(description=_("approved"), ordering="n_approved")
    def approved_comments(self, obj):
        return obj.n_approved

    @admin.display(description=_("pending"), ordering="n_pending")
    def pending_comments(self, obj):
        return obj.n_pending

    @admin.display(description=_("comments"))
    def comments_link(self, obj):
        url = reverse("admin:forum_comment_changelist") + f"?post__id__exact={obj.pk}"
        return format_html('<a href="{}">Comments</a>', url)

    def has_moderate_permission(self, request):
        # Moderators may view posts only, yet open and close their comments.
        return request.user.has_perm("forum.change_comment")

    @admin.action(
        description=_("Open comments on the selected posts"),
        permissions=("change", "moderate"),
    )
    def open_comments(self, request, queryset):
        self._set_comments_open(request, queryset, True)

    @admin.action(
        description=_("Close comments on the selected posts"),
        permissions=("change", "moderate"),
    )
    def close_comments(self, request, queryset):
        self._set_comments_open(request, queryset, False)

    def _set_comments_open(self, request, queryset, is_open):
        changed = services.posts_set_comments_open(posts=queryset, is_open=is_open)
        _log(request, changed, f"Comments {'opened' if is_open else 'closed'}.")
        if is_open:
            said = ngettext(
                "Comments opened on %(count)d post.",
                "Comments opened on %(count)d posts.",
                len(changed),
            )
        else:
            said = ngettext(
                "Comments closed on %(count)d post.",
                "Comments closed on %(count)d posts.",
                len(changed),
            )
        self.message_user(request, said % {"count": len(changed)})


class HistoryInline(admin.TabularInline):
    """A comment's record (status changes, earlier texts, reports): read only."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class StatusChangeInline(HistoryInline):
    model = CommentStatusChange
    fields = ("created_at", "from_status", "to_status", "moderator", "reason")
    readonly_fields = fields
    verbose_name_plural = _("status history")


class RevisionInline(HistoryInline):
    model = CommentRevision
    fields = ("created_at", "body")
    readonly_fields = fields
    verbose_name_plural = _("earlier texts (edited by its author)")


class ReportInline(HistoryInline):
    model = CommentReport
    fields = ("created_at", "reason", "reporter")
    readonly_fields = fields


class HasRepliesFilter(admin.SimpleListFilter):
    title = _("replies")
    parameter_name = "has_replies"

    def lookups(self, request, model_admin):
        return (("yes", _("Has replies")), ("no", _("No replies")))

    def queryset(self, request, queryset):
        # Nested sets: a comment has replies when its interval holds more than itself.
        if self.value() == "yes":
            return queryset.filter(rght__gt=F("lft") + 1)
        if self.value() == "no":
            return queryset.filter(rght=F("lft") + 1)
        return queryset


class PostFilter(admin.SimpleListFilter):
    """Posts by title, without loading every post's body."""

    title = _("post")
    parameter_name = "post__id__exact"

    def lookups(self, request, model_admin):
        return Post.objects.order_by("-published_at").values_list("pk", "title")

    def queryset(self, request, queryset):
        try:
            # str.isdigit() takes "²", which int() refuses: parse, don't guess.
            post_id = int(self.value())
        except (TypeError, ValueError):
            return queryset  # no filter, or not a post id: the whole list
        if not 0 < post_id < 2**63:  # past the column's range: no such post
            return queryset.none()
        return queryset.filter(post_id=post_id)


class ReportedFilter(admin.SimpleListFilter):
    title = _("reports")
    parameter_name = "reported"

    def lookups(self, request, model_admin):
        return (("yes", _("Reported by readers")),)

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(reports__isnull=False).distinct()
        return queryset


def _branch_action(service, *, description, log_message, said):
    """An admin action running a branch service (remove, restore) on the selection.

    The two differ only in their service and words: one body serves both
    (CommentAdmin._on_branches).
    """

    @admin.action(description=description, permissions=("change",))
    def action(self, request, queryset):
        self._on_branches(request, queryset, service, log_message, said)

    return action


class CommentActionForm(ActionForm):
    """The action bar, with the minutes the slow mode action sets."""

    minutes = forms.IntegerField(
        label=_("Minutes"),
        required=False,
        min_value=0,
        max_value=7 * 24 * 60,
        help_text=_("For slow mode (0: off)."),
    )


def _status_action(status: str, description: str):
    """An action of CommentAdmin's that moves the selected comments to `status`."""

    @admin.action(description=description, permissions=("change",))
    def action(self, request, queryset):
        self._set_status(request, queryset, status)

    return action


@admin.register(Comment)
class CommentAdmin(ForgivingChangeList, MPTTModelAdmin):
    # Few columns, so the text has room at 1280 px (static/css/admin.css).
    list_display = ("excerpt", "author", "where", "status", "votes", "created_at")
    # The text may hold links of its own: the date opens the comment, as on
    # the site, where the date is the permalink.
    list_display_links = ("created_at",)
    list_filter = ("status", HasRepliesFilter, ReportedFilter, "created_at", PostFilter)
    # One COUNT instead of two at 10,000s of comments.
    show_full_result_count = False
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_select_related = ("post", "parent")
    search_fields = ("body", "author_name", "author_email", "ip_address")
    raw_id_fields = ("post", "parent", "user")
    list_per_page = 100
    # The text indents itself by depth, capped (see excerpt), so a deep reply
    # keeps room to be read; mptt's own indentation grows without a limit.
    mptt_indent_field = "excerpt"
    mptt_level_indent = 0
    change_list_template = "admin/forum/comment/change_list.html"
    fields = (
        "post",
        "parent",
        "ancestors",
        "status",
        "status_reason",
        "is_locked",
        "slow_mode_minutes",
        "is_pinned",
        "votes",
        "user",
        "author_name",
        "author_email",
        "author_url",
        "body",
        "created_at",
        "ip_address",
        "user_agent",
    )
    readonly_fields = (
        "ancestors",
        "status_reason",
        "is_locked",
        "slow_mode_minutes",
        "is_pinned",
        "votes",
        "created_at",
        "ip_address",
        "user_agent",
    )
    inlines = (StatusChangeInline, RevisionInline, ReportInline)
    action_form = CommentActionForm
    actions = (
        "approve_comments",
        "hold_comments",
        "mark_spam",
        "remove_comments",
        "restore_comments",
        "lock_branches",
        "unlock_branches",
        "slow_down_branches",
        "remove_branches",
        "restore_branches",
        "trust_authors",
        "block_authors",
        "pin_comments",
        "unpin_comments",
        "reset_votes",
    )

    def get_ordering(self, request):
        # The moderation queues read oldest first; a post's comments read as
        # its threads; otherwise the newest come first.
        if request.GET.get("status__exact") in {Status.PENDING, Status.SPAM}:
            return ("created_at", "pk")
        if "post__id__exact" in request.GET:
            return THREAD_ORDER
        return ("-created_at", "-pk")

    def changelist_view(self, request, extra_context=None):
        # Replies indent under their parents only where they follow them:
        # a post's comments, not re-sorted by a column.
        as_threads = (
            self.get_ordering(request) == THREAD_ORDER and ORDER_VAR not in request.GET
        )
        context = {"as_threads": as_threads, **(extra_context or {})}
        return super().changelist_view(request, extra_context=context)

    def get_readonly_fields(self, request, obj=None):
        fields = self.readonly_fields
        # Only superusers may give words to an account (its badge, its
        # edit rights): comment_edit refuses anyone else.
        if not request.user.is_superuser:
            fields = (*fields, "user")
        # Moving a comment to another post or parent is a tree write; a
        # comment keeps its place when edited.
        if obj is not None:
            return (*fields, "post", "parent")
        return fields

    def get_actions(self, request):
        actions = super().get_actions(request)
        # A bulk delete would take replies with it: removal keeps them readable.
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not obj.is_leaf_node():
            return False  # it has replies: remove it instead
        return super().has_delete_permission(request, obj)

    def has_trust_permission(self, request):
        return request.user.has_perm("forum.add_trustedauthor")

    def has_block_permission(self, request):
        return request.user.has_perm("forum.add_blocklistentry")

    @admin.display(description=_("comment"))
    def excerpt(self, obj):
        # As readers see it: the stored HTML, cut short and sanitized again.
        text = markup.excerpt_comment(obj.body_html, chars=EXCERPT_CHARS)
        return format_html(
            '<div class="comment-excerpt depth-{}">{}</div>',
            min(obj.level, EXCERPT_MAX_DEPTH),
            mark_safe(text),  # sanitized just now
        )

    @admin.display(description=_("author"), ordering="author_name")
    def author(self, obj):
        details = [d for d in (_breakable(obj.author_email), obj.ip_address) if d]
        return format_html(
            '<span class="comment-author">{}</span>{}',
            obj.author_name,
            format_html_join(
                "", '<span class="comment-detail">{}</span>', ((d,) for d in details)
            ),
        )

    @admin.display(description=_("votes"))
    def votes(self, obj):
        # Up and down apart: a score of 0 may be 0/0 or 40/40.
        return format_html(
            '<span class="comment-votes" title="{}">+{} / −{}</span>',
            _("up-votes / down-votes"),
            obj.votes_up,
            obj.votes_down,
        )

    @admin.display(description=_("post"))
    def where(self, obj):
        url = reverse("admin:forum_comment_changelist")
        query = f"?{PostFilter.parameter_name}={obj.post_id}"
        post = format_html('<a href="{}{}">{}</a>', url, query, obj.post.title)
        if obj.parent is None:
            return post
        reply = _("in reply to %(name)s") % {"name": obj.parent.author_name}
        return format_html('{}<span class="comment-detail">{}</span>', post, reply)

    @admin.display(description=_("replying to (oldest first)"))
    def ancestors(self, obj):
        if obj.pk is None or obj.parent_id is None:
            return "— (a top-level comment)"
        return format_html_join(
            mark_safe("<br>"),
            '<a href="{}">#{} {}</a>: {}',
            (
                (
                    reverse("admin:forum_comment_change", args=[a.pk]),
                    a.pk,
                    a.author_name,
                    Truncator(a.body).chars(80),
                )
                for a in obj.get_ancestors()
            ),
        )

    def save_model(self, request, obj, form, change):
        if not change:
            # The add form's fields are comment_create's (user: superusers only).
            created = services.comment_create(**form.cleaned_data)
            obj.pk, obj.tree_id, obj.lft = created.pk, created.tree_id, created.lft
            return
        fields = {name: getattr(obj, name) for name in form.changed_data}
        services.comment_moderator_edit(
            comment=obj, fields=fields, moderator=request.user
        )

    def delete_model(self, request, obj):
        try:
            services.comment_delete(comment=obj)
        except ValidationError as error:
            self.message_user(request, error.messages[0], messages.ERROR)

    approve_comments = _status_action(
        Status.APPROVED, _("Approve the selected comments")
    )
    hold_comments = _status_action(
        Status.PENDING, _("Hold the selected comments for moderation")
    )
    mark_spam = _status_action(Status.SPAM, _("Mark the selected comments as spam"))
    remove_comments = _status_action(Status.REMOVED, _("Remove the selected comments"))

    @admin.action(
        description=_("Restore the selected removed comments"), permissions=("change",)
    )
    def restore_comments(self, request, queryset):
        comments = list(queryset.filter(status=Status.REMOVED))
        count = services.comment_restore(comments=comments, moderator=request.user)
        said = ngettext(
            "%(count)d comment restored.", "%(count)d comments restored.", count
        )
        self._report(request, comments, "Restored.", said % {"count": count})

    def _set_status(self, request, queryset, status):
        done, said = STATUS_SAID[status]
        comments = list(queryset.exclude(status=status))
        count = services.comment_set_status(
            comments=comments, status=status, moderator=request.user, reason=done
        )
        self._report(
            request, comments, f"{done.capitalize()}.", said % {"count": count}
        )

    @admin.action(
        description=_("Lock the branches under the selected comments"),
        permissions=("change",),
    )
    def lock_branches(self, request, queryset):
        changed = [c for c in queryset if services.branch_lock(comment=c, locked=True)]
        said = ngettext(
            "%(count)d branch locked: no new replies below it.",
            "%(count)d branches locked: no new replies below them.",
            len(changed),
        )
        self._report(
            request,
            changed,
            "Locked (no new replies below).",
            said % {"count": len(changed)},
        )

    @admin.action(
        description=_("Unlock the branches under the selected comments"),
        permissions=("change",),
    )
    def unlock_branches(self, request, queryset):
        changed = [c for c in queryset if services.branch_lock(comment=c, locked=False)]
        said = ngettext(
            "%(count)d branch unlocked.", "%(count)d branches unlocked.", len(changed)
        )
        self._report(request, changed, "Unlocked.", said % {"count": len(changed)})

    @admin.action(
        description=_("Slow mode on this branch (N minutes)"), permissions=("change",)
    )
    def slow_down_branches(self, request, queryset):
        minutes = _slow_mode_minutes(request)
        if minutes is None:
            self.message_user(
                request,
                _("Give the minutes for slow mode: a whole number, 0 to end it."),
                messages.ERROR,
            )
            return
        changed = [
            c for c in queryset if services.branch_slow_mode(comment=c, minutes=minutes)
        ]
        said = ngettext(
            "Slow mode set on %(count)d branch: %(minutes)d minutes.",
            "Slow mode set on %(count)d branches: %(minutes)d minutes.",
            len(changed),
        )
        log = f"Slow mode below: {minutes} minutes."
        self._report(
            request, changed, log, said % {"count": len(changed), "minutes": minutes}
        )

    remove_branches = _branch_action(
        services.branch_remove,
        description=_("Remove the selected comments with all their replies"),
        log_message="Removed with their branches.",
        said=ngettext_lazy(
            "%(count)d branch removed", "%(count)d branches removed", "count"
        ),
    )
    restore_branches = _branch_action(
        services.branch_restore,
        description=_("Undo the branch removal of the selected comments"),
        log_message="Restored with their branches.",
        said=ngettext_lazy(
            "%(count)d branch restored", "%(count)d branches restored", "count"
        ),
    )

    @admin.action(
        description=_("Trust the authors (skip the first-comment hold)"),
        permissions=("trust",),
    )
    def trust_authors(self, request, queryset):
        trusted = [
            c
            for c in queryset.select_related("user")
            if services.author_trust(comment=c)
        ]
        said = ngettext(
            "%(count)d author trusted.", "%(count)d authors trusted.", len(trusted)
        )
        self._report(
            request, trusted, "Author trusted.", said % {"count": len(trusted)}
        )

    @admin.action(
        description=_("Block the authors (email and IP: future comments are spam)"),
        permissions=("block",),
    )
    def block_authors(self, request, queryset):
        entries = [
            entry
            for comment in queryset.select_related("user")
            for entry in services.author_block(comment=comment)
        ]
        said = ngettext(
            "%(count)d blocklist entry added.",
            "%(count)d blocklist entries added.",
            len(entries),
        )
        _log(request, entries, "Added to the blocklist from a comment.")
        self.message_user(request, said % {"count": len(entries)})

    @admin.action(
        description=_("Pin the selected top-level comments (first in every order)"),
        permissions=("change",),
    )
    def pin_comments(self, request, queryset):
        self._pin(request, queryset, pinned=True)

    @admin.action(description=_("Unpin the selected comments"), permissions=("change",))
    def unpin_comments(self, request, queryset):
        self._pin(request, queryset, pinned=False)

    def _pin(self, request, queryset, *, pinned):
        comments = list(queryset)
        count = services.comment_pin(comments=comments, pinned=pinned)
        said = (
            ngettext("%(count)d comment pinned.", "%(count)d comments pinned.", count)
            if pinned
            else ngettext(
                "%(count)d comment unpinned.", "%(count)d comments unpinned.", count
            )
        )
        if pinned and count < len(comments):
            said += " " + gettext("Only top-level comments can be pinned.")
        changed = [c for c in comments if c.parent_id is None]
        self._report(
            request,
            changed,
            "Pinned." if pinned else "Unpinned.",
            said % {"count": count},
        )

    @admin.action(
        description=_("Reset the selected comments' votes"), permissions=("change",)
    )
    def reset_votes(self, request, queryset):
        comments = list(queryset)
        count = services.votes_reset(comments=comments)
        said = ngettext(
            "Votes reset on %(count)d comment.",
            "Votes reset on %(count)d comments.",
            count,
        )
        self._report(request, comments, "Votes reset.", said % {"count": count})

    def _report(self, request, changed, log_message, message):
        _log(request, changed, log_message)
        self.message_user(request, message)

    def _on_branches(self, request, queryset, action, log_message, branches_said):
        """Run a branch action on each selected comment and say what it did.

        Tree order: a reply selected with its branch is taken in it, and is
        not counted as a branch of its own. Branches (the comments selected)
        and the comments they held are counted apart: "1 branch removed (4
        comments)".
        """
        counts = [
            (c, action(comment=c, moderator=request.user))
            for c in queryset.order_by(*THREAD_ORDER)
        ]
        changed = [comment for comment, count in counts if count]
        total = sum(count for comment, count in counts)
        comments = ngettext("%(count)d comment", "%(count)d comments", total)
        message = _("%(branches)s (%(comments)s).") % {
            "branches": branches_said % {"count": len(changed)},
            "comments": comments % {"count": total},
        }
        self._report(request, changed, log_message, message)


def _slow_mode_minutes(request) -> int | None:
    """The minutes typed in the action bar, or None if missing or not allowed."""
    try:
        return CommentActionForm.base_fields["minutes"].clean(
            request.POST.get("minutes")
        )
    except ValidationError:
        return None


def _breakable(email: str) -> str:
    """An email address that may wrap after its @, not mid-word."""
    if "@" not in email:
        return email
    return format_html("{}@<wbr>{}", *email.rsplit("@", 1))


def _log(request, objects, message) -> None:
    """Write the admin history (LogEntry) for an action on these objects."""
    if objects:
        LogEntry.objects.log_actions(
            user_id=request.user.pk,
            queryset=objects,
            action_flag=CHANGE,
            change_message=message,
        )


@admin.register(BlocklistEntry)
class BlocklistEntryAdmin(ForgivingChangeList, admin.ModelAdmin):
    list_display = ("value", "kind", "note", "created_at", "expires_at")
    list_filter = ("kind",)
    search_fields = ("value", "note")


@admin.register(TrustedAuthor)
class TrustedAuthorAdmin(ForgivingChangeList, admin.ModelAdmin):
    list_display = ("email", "note", "created_at")
    search_fields = ("email", "note")


@admin.register(CommentReport)
class CommentReportAdmin(ForgivingChangeList, admin.ModelAdmin):
    list_display = ("comment", "reason", "reporter", "created_at")
    list_select_related = ("comment__post",)
    raw_id_fields = ("comment",)
    search_fields = ("reason", "reporter")


@admin.register(Subscription)
class SubscriptionAdmin(ForgivingChangeList, admin.ModelAdmin):
    list_display = ("email", "kind", "post", "comment", "created_at", "confirmed_at")
    list_filter = ("kind", ("confirmed_at", admin.EmptyFieldListFilter))
    list_select_related = ("post", "comment__post")
    raw_id_fields = ("post", "comment", "user", "requested_with")
    search_fields = ("email",)


@admin.register(Notification)
class NotificationAdmin(ForgivingChangeList, admin.ModelAdmin):
    """The outbox: what was sent, and what waits for send_notifications."""

    list_display = (
        "to",
        "kind",
        "subject",
        "created_at",
        "sent_at",
        "attempts",
        "last_error",
    )
    list_filter = ("kind", "sent_at", "attempts")
    search_fields = ("to", "subject")
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False


# Django's own lists of users and groups get the same forgiveness.
admin.site.unregister(get_user_model())
admin.site.unregister(Group)


@admin.register(get_user_model())
class UserAdmin(ForgivingChangeList, auth_admin.UserAdmin):
    pass


@admin.register(Group)
class GroupAdmin(ForgivingChangeList, auth_admin.GroupAdmin):
    pass
