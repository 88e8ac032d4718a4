"""Accessible building blocks for pages, all around one base stream block.

Every block renders GOV.UK Frontend markup from its own template in
``content/templates/content/blocks/``.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "link", "ol", "ul", "document-link"]


class ImageBlock(blocks.StructBlock):
    """An image that always says what it shows, for people who cannot see it."""

    image = ImageChooserBlock(label=_("Image"))
    alt_text = blocks.CharBlock(
        label=_("Alt text"),
        max_length=250,
        help_text=_("Describe what the image shows, for people who cannot see it."),
    )
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=250)

    def clean(self, value):
        if not (value.get("alt_text") or "").strip():
            raise StructBlockValidationError(
                block_errors={
                    "alt_text": ValidationError(
                        _("Enter alt text that describes the image, for people who cannot see it.")
                    )
                }
            )
        return super().clean(value)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "content/blocks/image.html"


class VideoBlock(blocks.StructBlock):
    """A video from YouTube or Vimeo, with a written transcript for everyone."""

    title = blocks.CharBlock(label=_("What the video is about"), max_length=120)
    video = EmbedBlock(label=_("Video link"), help_text=_("A YouTube or Vimeo link."))
    transcript = blocks.TextBlock(
        label=_("Transcript"),
        help_text=_("Everything that is said or shown, written out."),
    )

    def clean(self, value):
        if not (value.get("transcript") or "").strip():
            raise StructBlockValidationError(
                block_errors={"transcript": ValidationError(_("Enter a transcript of the video."))}
            )
        return super().clean(value)

    class Meta:
        icon = "media"
        label = _("Video")
        template = "content/blocks/video.html"


class CalloutBlock(blocks.StructBlock):
    style = blocks.ChoiceBlock(
        label=_("Kind of call-out"),
        choices=[("inset", _("Something to notice")), ("warning", _("A warning"))],
        default="inset",
    )
    text = blocks.TextBlock(label=_("Text"))

    class Meta:
        icon = "warning"
        label = _("Call-out")
        template = "content/blocks/callout.html"


class StepBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Step"), max_length=120)
    detail = blocks.TextBlock(label=_("More detail"), required=False)


class NumberedStepsBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=120)
    steps = blocks.ListBlock(StepBlock(), label=_("Steps"), min_num=1)

    class Meta:
        icon = "list-ol"
        label = _("Numbered steps")
        template = "content/blocks/steps.html"


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(label=_("Quote"))
    attribution = blocks.CharBlock(
        label=_("Who said it"),
        required=False,
        max_length=120,
        help_text=_("Only use a real name if the person agreed."),
    )

    class Meta:
        icon = "openquote"
        label = _("Quote")
        template = "content/blocks/quote.html"


class DownloadBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("File"))
    link_text = blocks.CharBlock(
        label=_("Link text"),
        required=False,
        max_length=120,
        help_text=_("Leave blank for the file's title."),
    )
    description = blocks.CharBlock(label=_("What is in it"), required=False, max_length=250)

    class Meta:
        icon = "doc-full"
        label = _("Download a file")
        template = "content/blocks/download.html"


class TalkToUsBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), default=_("Talk to us"), max_length=80)
    text = blocks.TextBlock(
        label=_("Text"),
        required=False,
        default=_("If you are not sure what to do, we can help. It is free and we will not judge."),
    )
    phone = blocks.CharBlock(label=_("Phone number"), required=False, max_length=30)
    email = blocks.EmailBlock(label=_("Email address"), required=False)
    opening_times = blocks.CharBlock(label=_("When we answer"), required=False, max_length=120)

    class Meta:
        icon = "user"
        label = _("Talk to us")
        template = "content/blocks/talk_to_us.html"


class BaseStreamBlock(blocks.StreamBlock):
    """The blocks every page body may use."""

    text = blocks.RichTextBlock(
        label=_("Text"), features=RICH_TEXT_FEATURES, template="content/blocks/text.html"
    )
    image = ImageBlock()
    video = VideoBlock()
    callout = CalloutBlock()
    steps = NumberedStepsBlock()
    quote = QuoteBlock()
    download = DownloadBlock()
    talk_to_us = TalkToUsBlock()
