"""Every block renders GOV.UK Frontend markup, and a page of them passes an axe check."""

import pytest
from django.core.files.base import ContentFile
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file

from content.blocks import BaseStreamBlock
from tests.helpers import content as builders
from tests.helpers.content import every_block


@pytest.fixture(autouse=True)
def _no_network_embeds(settings):
    settings.WAGTAILEMBEDS_FINDERS = [{"class": "tests.helpers.embeds.StaticEmbedFinder"}]


@pytest.fixture
def media(db):
    image = Image.objects.create(title="Dad and child", file=get_test_image_file())
    document = Document.objects.create(
        title="Bedtime chart", file=ContentFile(b"%PDF-1.4 chart", name="chart.pdf")
    )
    return image, document


def _render(blocks):
    stream_block = BaseStreamBlock()
    value = stream_block.to_python([{"type": kind, "value": value} for kind, value in blocks])
    return stream_block.render(value)


def test_every_block_renders_govuk_markup(media):
    html = str(_render(every_block(*media)))
    expected = [
        '<h2 class="govuk-heading-m">Before bed</h2>',
        '<p class="govuk-body">',
        '<ul class="govuk-list govuk-list--bullet">',
        'alt="A dad reading to his daughter"',
        '<details class="govuk-details">',
        "We start with a bath.",
        'src="https://www.youtube-nocookie.com/embed/abc123"',  # the CSP allows only this
        '<div class="govuk-inset-text">Little and often works best.</div>',
        '<div class="govuk-warning-text">',
        '<ol class="govuk-list govuk-list--number govuk-list--spaced">',
        '<blockquote class="govuk-body-l govuk-!-margin-0">It changed our evenings.</blockquote>',
        ">Bedtime chart</a>",
        "(PDF",
        'href="tel:02476833003"',
        'href="mailto:help@example.org"',
    ]
    for fragment in expected:
        assert fragment in html, fragment


def test_blocks_render_on_a_resource_page(client, help_index, media):
    page = builders.resource(
        help_index, title="Bedtime", body=builders.stream(*every_block(*media))
    )
    response = client.get(page.url)
    assert response.status_code == 200
    assert 'alt="A dad reading to his daughter"' in response.content.decode()
