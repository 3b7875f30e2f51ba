"""The "Send invitation" bulk action on the Wagtail admin's users listing (/cms/users/)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin import messages
from wagtail.users.views.bulk_actions.user_bulk_action import UserBulkAction
from wagtail.users.views.users import change_user_perm

from learning.people import invitations


@hooks.register("register_bulk_action")
class SendInvitationBulkAction(UserBulkAction):
    display_name = _("Send invitation")
    action_type = "send_invitation"
    aria_label = _("Send the selected users an invitation to set their password")
    template_name = "learning/people/confirm_bulk_send_invitation.html"
    action_priority = 30

    def check_perm(self, obj):
        return self.request.user.has_perm(change_user_perm)

    def get_execution_context(self):
        return {"view": self}

    @classmethod
    def execute_action(cls, objects, view=None, **kwargs):
        report = invitations.send_invitations(objects, now=timezone.now())
        if view is not None:
            view.report = report
        return len(report.sent), len(report.skipped)

    def get_success_message(self, num_parent_objects, num_child_objects):
        report = self.report
        if (skipped := report.skipped_message()) is not None:
            messages.warning(self.request, skipped)
        return report.sent_message()
