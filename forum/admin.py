from django.contrib import admin
from mptt.admin import MPTTModelAdmin

from forum import services
from forum.models import BlocklistEntry, Category, Comment, Post


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ("title", "status", "published_at", "comments_open", "author")
    list_filter = ("status", "comments_open", "categories")
    search_fields = ("title", "body")
    prepopulated_fields = {"slug": ("title",)}
    raw_id_fields = ("author",)
    filter_horizontal = ("categories",)
    date_hierarchy = "published_at"

    def get_changeform_initial_data(self, request):
        return {
            "author": request.user.pk,
            **super().get_changeform_initial_data(request),
        }


@admin.register(Comment)
class CommentAdmin(MPTTModelAdmin):
    list_display = (
        "excerpt",
        "author_name",
        "author_email",
        "ip_address",
        "post",
        "status",
        "created_at",
    )
    list_filter = ("status", "created_at")
    list_select_related = ("post",)
    search_fields = ("body", "author_name", "author_email", "ip_address")
    raw_id_fields = ("post", "parent", "user")
    readonly_fields = ("created_at", "ip_address", "user_agent")
    list_per_page = 100

    @admin.display(description="comment")
    def excerpt(self, obj):
        return obj.body[:80]

    def get_readonly_fields(self, request, obj=None):
        # Moving a comment to another post or parent is a tree write that must
        # go through the locked services; editing keeps its place.
        if obj is not None:
            return (*self.readonly_fields, "post", "parent")
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        created = services.comment_create(
            post=data["post"],
            parent=data.get("parent"),
            body=data["body"],
            author_name=data["author_name"],
            author_email=data.get("author_email", ""),
            author_url=data.get("author_url", ""),
            user=data.get("user"),
            status=data["status"],
        )
        obj.pk = created.pk
        obj.refresh_from_db()


@admin.register(BlocklistEntry)
class BlocklistEntryAdmin(admin.ModelAdmin):
    list_display = ("value", "kind", "note", "created_at")
    list_filter = ("kind",)
    search_fields = ("value", "note")
