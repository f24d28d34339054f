"""The comment form: WordPress's field names, validation only (no saving)."""

import secrets
import time
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.core import signing
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from forum import limits
from forum.validators import refuse_control_characters

TOKEN_SALT = "forum.comment-form"
TOKEN_MAX_AGE = 7 * 24 * 3600
# A token may be sent three times (a second try after a refusal, the back
# button); a bot replaying one runs out and must fetch the page again.
TOKEN_USES = limits.Rate("form-token", 3, TOKEN_MAX_AGE)
HONEYPOT = "contact_me_by_fax_only"
# Service errors are keyed by Comment field; the form shows them by its own.
SERVICE_FIELDS = {"body": "comment", "author_name": "author", "author_email": "email"}
# Fields the reader never sees or types: an error in one means a broken form.
UNSEEN_FIELDS = ("comment_parent", "comment_post_ID", "form_token", HONEYPOT)


@dataclass(frozen=True)
class FormToken:
    """When the form was shown, for which post, and which showing it was."""

    issued_at: float
    post_id: int | None  # None: a token from before tokens named their post
    nonce: str


def form_token(post_id: int, *, issued_at: float | None = None) -> str:
    """Return a signed token: how long the form was open, where, and which one."""
    issued_at = time.time() if issued_at is None else issued_at
    nonce = secrets.token_urlsafe(12)
    return signing.dumps([issued_at, post_id, nonce], salt=TOKEN_SALT)


def read_token(value: str) -> FormToken | None:
    """Return the token's contents, or None if it is missing or forged."""
    try:
        payload = signing.loads(value, salt=TOKEN_SALT)
        if isinstance(payload, int | float):
            return FormToken(float(payload), None, "")
        issued_at, post_id, nonce = payload
        return FormToken(float(issued_at), int(post_id), str(nonce))
    except (signing.BadSignature, TypeError, ValueError):
        return None


def comment_too_long(limit: int) -> str:
    """What a reader is told about a comment over COMMENT_MAX_LENGTH characters."""
    return ngettext(
        "Please shorten your comment to %(limit)s character or fewer.",
        "Please shorten your comment to %(limit)s characters or fewer.",
        limit,
    ) % {"limit": number_format(limit, force_grouping=True)}


def check_comment_length(text: str) -> None:
    """Refuse a comment's text over COMMENT_MAX_LENGTH (the form, the preview)."""
    limit = settings.COMMENT_MAX_LENGTH  # read on use: settings may change
    if len(text) > limit:
        raise forms.ValidationError(comment_too_long(limit), code="max_length")


class CommentTextField(forms.CharField):
    """A comment's text, as typed in a new comment, an edit or a preview."""

    default_validators = [check_comment_length]

    def __init__(self, *, attrs=None, **kwargs):
        kwargs.setdefault("label", _("Comment"))
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 8, **(attrs or {})}))
        kwargs.setdefault(
            "error_messages", {"required": _("Please type your comment.")}
        )
        super().__init__(**kwargs)


class CommentForm(forms.Form):
    comment = CommentTextField(attrs={"cols": 45})
    author = forms.CharField(
        label=_("Name"),
        max_length=100,
        validators=[refuse_control_characters],
        error_messages={
            "required": _("Please enter your name."),
            "max_length": _("Please shorten your name to 100 characters or fewer."),
        },
    )
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        help_text=_("Never shown on the site."),
        error_messages={
            "required": _("Please enter your email address."),
            "invalid": _("Please enter a valid email address, like name@example.com."),
        },
    )
    url = forms.URLField(
        label=_("Website"),
        required=False,
        max_length=200,
        assume_scheme="https",
        error_messages={
            "invalid": _("Please enter a valid web address, or leave it empty.")
        },
    )
    notify_replies = forms.BooleanField(
        label=_("Notify me of replies to my comment by email."), required=False
    )
    notify_post = forms.BooleanField(
        label=_("Notify me of all new comments on this post by email."), required=False
    )
    cookies_consent = forms.BooleanField(
        label=_(
            "Save my name, email, and website in this browser "
            "for the next time I comment."
        ),
        required=False,
    )
    comment_parent = forms.IntegerField(
        min_value=0, widget=forms.HiddenInput, initial=0
    )
    comment_post_ID = forms.IntegerField(widget=forms.HiddenInput)  # noqa: N815
    form_token = forms.CharField(widget=forms.HiddenInput, required=False)
    # The honeypot: hidden from people (CSS and aria-hidden), filled by bots.
    contact_me_by_fax_only = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, post, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.post_id = post.pk
        if user is not None and user.is_authenticated:
            for name in ("author", "email", "url", "cookies_consent"):
                del self.fields[name]
        elif not settings.COMMENT_REQUIRE_NAME_EMAIL:
            self.fields["author"].required = False
            self.fields["email"].required = False
        if not self.is_bound:
            self.fields["form_token"].initial = form_token(self.post_id)

    def clean_author(self):
        return self.cleaned_data["author"] or "Anonymous"

    def clean(self):
        token = self.token()
        if token is None or token.post_id not in {None, self.post_id}:
            return self.cleaned_data  # forged: bot_reason says so
        if time.time() - token.issued_at > TOKEN_MAX_AGE:
            raise self._resend(
                _(
                    "This page was open for more than a week. "
                    "Please check your comment and send it again."
                )
            )
        if token.post_id is None:
            raise self._resend(
                _(
                    "This form is out of date. "
                    "Please check your comment and send it again."
                )
            )
        # Counted only once the rest is valid: correcting a field costs nothing.
        if not self.errors and not limits.allow(TOKEN_USES, token.nonce):
            raise self._resend(
                _(
                    "This form has already been sent. "
                    "Please check your comment and send it again."
                )
            )
        return self.cleaned_data

    def _resend(self, message) -> forms.ValidationError:
        """Give the form a fresh token: a person sends it again, text kept."""
        self.data = self.data.copy()
        self.data["form_token"] = form_token(self.post_id)
        return forms.ValidationError(message, code="stale_token")

    def token(self) -> FormToken | None:
        """The form's signed token, or None if it is missing or forged."""
        return read_token(self.cleaned_data.get("form_token") or "")

    def is_garbled(self) -> bool:
        """Return True if a field the reader can't see or fix is invalid."""
        return any(name in self.errors for name in UNSEEN_FIELDS)

    def bot_reason(self) -> str:
        """Return why this looks like a bot's post ("" if it doesn't)."""
        if self.cleaned_data.get(HONEYPOT):
            return "honeypot field filled in"
        token = self.token()
        if token is None or token.post_id != self.post_id:
            return "missing or forged form token"
        elapsed = time.time() - token.issued_at
        minimum = settings.COMMENT_MIN_FILL_SECONDS
        if minimum and elapsed < minimum:
            return f"form filled in {elapsed:.1f} s (minimum {minimum} s)"
        return ""

    def add_service_errors(self, error) -> None:
        """Show a service's ValidationError beside the matching field."""
        for field, messages in error.message_dict.items():
            name = SERVICE_FIELDS.get(field)
            for message in messages:
                self.add_error(name if name in self.fields else None, message)


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=_("What is wrong with this comment?"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: spam, abuse, off-topic. A moderator will read it."),
        error_messages={
            "required": _("Please say briefly why this comment should be looked at."),
            "max_length": _("Please keep it under 200 characters."),
        },
    )


class CommentEditForm(forms.Form):
    """Its author's correction of a comment (the text only)."""

    comment = CommentTextField()


class EmailForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        error_messages={"invalid": _("Please enter a valid email address.")},
    )


class SignupForm(UserCreationForm):
    """A reader's account: a user name, an email for notifications, a password."""

    email = forms.EmailField(
        label=_("Email"),
        help_text=_("For reply notifications and password resets; never shown."),
    )

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _(
                    "An account already uses this address. "
                    "Log in, or reset its password."
                )
            )
        return email
