from django import template
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from forum import dates, models
from forum.cockpit import queries
from forum.models import Comment

register = template.Library()


@register.inclusion_tag(
    "admin/forum/includes/_moderation_queue.html", takes_context=True
)
def moderation_queue(context) -> dict:
    """The admin index's queue: pending and spam counts, linked to their lists."""
    request = context["request"]
    if not request.user.has_perm("forum.view_comment"):
        return {"queues": []}
    counts = Comment.objects.aggregate(
        pending=Count("pk", filter=Q(status=Comment.Status.PENDING)),
        spam=Count("pk", filter=Q(status=Comment.Status.SPAM)),
    )
    changelist = reverse("admin:forum_comment_changelist")
    queues = [
        (
            "pending",
            _("Pending comments"),
            counts["pending"],
            f"{changelist}?status__exact=pending",
        ),
        (
            "spam",
            _("Spam comments"),
            counts["spam"],
            f"{changelist}?status__exact=spam",
        ),
    ]
    return {"queues": queues, "cockpit": _cockpit_counts()}


def _cockpit_counts() -> dict:
    """The moderation queue's tabs and counts, for its link on the admin index."""
    counts = queries.counts()
    tabs = [(label, counts[key]) for key, label in queries.TABS.items()]
    return {"url": reverse("cockpit:queue"), "tabs": tabs}


@register.filter
def category_links(categories) -> str:
    """The categories as links, comma-separated, for a sentence that names them."""
    return format_html_join(
        ", ",
        '<a href="{}" rel="category tag">{}</a>',
        ((category.get_absolute_url(), category.name) for category in categories),
    )


@register.filter
def display_name(user) -> str:
    """The name a user goes by on pages: their full name, else their login."""
    return models.display_name(user) if user else ""


@register.filter
def when(value) -> str:
    """A date and time as the thread writes them, in the page's language."""
    return dates.formats().when(timezone.localtime(value)) if value else ""


@register.filter
def day(value) -> str:
    """A date as the thread writes it: "December 28, 2022"."""
    return dates.formats().day(timezone.localtime(value)) if value else ""


@register.filter
def clock(value) -> str:
    """A time as the thread writes it: "9:52 am"."""
    return dates.formats().clock(timezone.localtime(value)) if value else ""


@register.filter
def error_summary(form) -> list[dict]:
    """The form's errors for its summary: each message, and the field it links to.

    Errors about the whole form link to its first field.
    """
    if form is None or not form.is_bound:
        return []
    visible = [field for field in form.visible_fields() if field.errors]
    first = next(iter(form.visible_fields()), None)
    errors = [
        {"field": None, "target": first.id_for_label if first else "", "message": m}
        for m in form.non_field_errors()
    ]
    for field in visible:
        for message in field.errors:
            errors.append(
                {"field": field.name, "target": field.id_for_label, "message": message}
            )
    return errors
