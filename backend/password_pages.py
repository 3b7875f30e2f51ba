"""The web page a password link opens where the app is not installed: /set-password/?uid=&token=.

The same domain function as POST /auth/password/set sets the password; the page adds only a
confirmation field and a link into the app. A spent or expired link gets a page that says so.
"""

from django import forms
from django.contrib.auth import password_validation
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from cms.errors import Invalid
from learning.people.invitations import link_user, links_for, set_password_from_link


class SetPasswordForm(forms.Form):
    new_password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        max_length=1024,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "autofocus": True}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    new_password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        max_length=1024,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean() or {}
        first, second = cleaned.get("new_password1"), cleaned.get("new_password2")
        if first and second and first != second:
            self.add_error("new_password2", _("The two passwords differ."))
        return cleaned


@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
@csrf_protect
@require_http_methods(["GET", "POST"])
def set_password_page(request: HttpRequest) -> HttpResponse:
    uid = request.GET.get("uid", "")
    token = request.GET.get("token", "")
    try:
        user = link_user(uid, token)
    except Invalid:
        return render(request, "passwords/link_spent.html", status=410)
    form = SetPasswordForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            user = set_password_from_link(
                uid, token, form.cleaned_data["new_password1"], now=timezone.now()
            )
        except Invalid as error:
            if not any(e.field == "password" for e in error.errors):
                # Spent between the page and the press (another tab, the app).
                return render(request, "passwords/link_spent.html", status=410)
            for e in error.errors:
                form.add_error("new_password1", e.message)
        else:
            return render(request, "passwords/password_set.html", {"username": user.get_username()})
    context = {
        "form": form,
        "username": user.get_username(),
        # The link's own token: a fresh one would let a page view extend the link's life.
        "app_link": links_for(uid, token).app,
    }
    return render(request, "passwords/set_password.html", context)
