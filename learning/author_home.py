"""The moments of pain on the authors' home panel: cms draws the panel and knows no learners, so
learning adds this section to it through cms's `register_author_home_section` hook."""

from django.urls import reverse
from wagtail import hooks
from wagtail.admin.ui.components import Component

from cms.author_home import ROWS, SECTION_HOOK
from learning import module_analytics


class MomentsOfPainSection(Component):
    name = "moments_of_pain"
    template_name = "learning/author_home/pain.html"
    order = 10  # first: it is about modules already in learners' hands

    def get_context_data(self, parent_context):
        # The module-analytics report's own figures and thresholds: the panel and the report agree.
        pain = module_analytics.overview(
            thresholds=module_analytics.PainThresholds.from_settings()
        ).pain
        return {
            "pain": pain[:ROWS],
            "more": max(0, len(pain) - ROWS),
            "report_url": reverse("learning_module_analytics"),
        }


@hooks.register(SECTION_HOOK)
def moments_of_pain_section(request):
    return MomentsOfPainSection()
