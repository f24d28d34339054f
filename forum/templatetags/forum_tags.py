from django import template
from django.db.models import Count, Q
from django.urls import reverse

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
        ("Pending", counts["pending"], f"{changelist}?status__exact=pending"),
        ("Spam", counts["spam"], f"{changelist}?status__exact=spam"),
    ]
    return {"queues": queues}
