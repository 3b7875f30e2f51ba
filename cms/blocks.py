"""StreamField blocks of a MicroModule: small classes, each validating itself and shaping its API form."""

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.images.blocks import ImageChooserBlock

MIN_CHOICES = 2
MAX_CHOICES = 6


class TextBlock(blocks.RichTextBlock):
    def __init__(self, **kwargs):
        kwargs.setdefault("features", ["bold", "italic", "link", "ol", "ul", "h3"])
        super().__init__(**kwargs)

    class Meta:
        icon = "pilcrow"
        label = "Text"
        template = "cms/blocks/text.html"


class RenditionImageBlock(blocks.StructBlock):
    """An image with alt text; the API sends renditions (URL, width, height), not an id."""

    image = ImageChooserBlock()
    alt_text = blocks.CharBlock(
        max_length=255, help_text="What the picture shows, for screen readers."
    )
    caption = blocks.CharBlock(required=False, max_length=255)

    RENDITIONS = {"small": "max-480x480|format-webp", "large": "max-1200x1200|format-webp"}

    def get_api_representation(self, value, context=None):
        image = value["image"]
        renditions = image.get_renditions(*self.RENDITIONS.values()) if image else {}
        request = (context or {}).get("request")
        absolute = request.build_absolute_uri if request is not None else (lambda url: url)
        return {
            "alt_text": value["alt_text"],
            "caption": value["caption"],
            "renditions": {
                name: {"url": absolute(r.url), "width": r.width, "height": r.height}
                for name, spec in self.RENDITIONS.items()
                if (r := renditions.get(spec)) is not None
            },
        }

    class Meta:
        icon = "image"
        label = "Image"
        template = "cms/blocks/image.html"


class VideoBlock(blocks.StructBlock):
    url = blocks.URLBlock(help_text="A link to the video (your video platform or an MP4).")
    title = blocks.CharBlock(max_length=255)
    duration_seconds = blocks.IntegerBlock(
        min_value=1,
        max_value=60 * 60,
        help_text="Length of the video; counts toward the module's minutes.",
    )
    transcript = blocks.TextBlock(required=False)

    FILE_SUFFIXES = (".mp4", ".webm", ".ogg", ".mov")

    def get_context(self, value, parent_context=None):
        # On the web: a player for a video file, a link for a platform's page (nothing embedded).
        context = super().get_context(value, parent_context)
        path = urlsplit(value["url"] or "").path.lower()
        context["is_file"] = path.endswith(self.FILE_SUFFIXES)
        minutes, seconds = divmod(int(value["duration_seconds"] or 0), 60)
        context["duration"] = f"{minutes}:{seconds:02d}"
        return context

    class Meta:
        icon = "media"
        label = "Video"
        template = "cms/blocks/video.html"


class KeyTakeawayBlock(blocks.StructBlock):
    text = blocks.TextBlock(help_text="The one thing to remember, in a sentence or two.")

    class Meta:
        icon = "pick"
        label = "Key takeaway"
        template = "cms/blocks/key_takeaway.html"


class ChecklistBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=255)
    items = blocks.ListBlock(blocks.CharBlock(max_length=255), min_num=1)

    class Meta:
        icon = "list-ul"
        label = "Checklist"
        template = "cms/blocks/checklist.html"


class ChoiceBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=255)
    correct = blocks.BooleanBlock(required=False, default=False)

    class Meta:
        icon = "radio-full"


class QuestionBlock(blocks.StructBlock):
    """A multiple-choice question; it becomes a spaced-practice card for each learner who meets it."""

    prompt = blocks.TextBlock()
    choices = blocks.ListBlock(
        ChoiceBlock(),
        min_num=MIN_CHOICES,
        max_num=MAX_CHOICES,
        help_text="2–6 choices; tick the correct one(s).",
    )
    explanation = blocks.TextBlock(
        help_text="Shown after answering: why the right answer is right."
    )

    def clean(self, value):
        value = super().clean(value)
        choices = list(value["choices"])
        if not MIN_CHOICES <= len(choices) <= MAX_CHOICES:
            raise StructBlockValidationError(
                block_errors={
                    "choices": ValidationError(
                        f"A question needs {MIN_CHOICES} to {MAX_CHOICES} choices; it has {len(choices)}."
                    )
                }
            )
        if not any(choice["correct"] for choice in choices):
            raise StructBlockValidationError(
                block_errors={"choices": ValidationError("Mark at least one choice as correct.")}
            )
        return value

    def get_api_representation(self, value, context=None):
        # The answer stays on the server: practice checks it there.
        choices = list(value["choices"])
        return {
            "prompt": value["prompt"],
            "choices": [choice["text"] for choice in choices],
            "multiple": sum(1 for choice in choices if choice["correct"]) > 1,
        }

    class Meta:
        icon = "help"
        label = "Question"
        template = "cms/blocks/question.html"


class TryOnTheJobBlock(blocks.StructBlock):
    """An experience prompt: something to do at work. Doing it counts toward the 70."""

    prompt = blocks.TextBlock(help_text="What to try at work, concretely.")
    reflection = blocks.TextBlock(required=False, help_text="A question to reflect on afterwards.")

    class Meta:
        icon = "tasks"
        label = "Try on the job"
        template = "cms/blocks/try_on_the_job.html"


class AskAPeerBlock(blocks.StructBlock):
    """A social prompt: a conversation with a colleague. It counts toward the 20."""

    prompt = blocks.TextBlock(help_text="What to ask, and whom.")
    who = blocks.CharBlock(
        required=False, max_length=255, help_text="e.g. 'your buddy', 'a team lead'."
    )

    class Meta:
        icon = "group"
        label = "Ask a peer"
        template = "cms/blocks/ask_a_peer.html"


class ModuleBodyBlock(blocks.StreamBlock):
    text = TextBlock()
    image = RenditionImageBlock()
    video = VideoBlock()
    key_takeaway = KeyTakeawayBlock()
    checklist = ChecklistBlock()
    question = QuestionBlock()
    try_on_the_job = TryOnTheJobBlock()
    ask_a_peer = AskAPeerBlock()
