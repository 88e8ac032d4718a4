"""An embed finder for tests: answers from memory instead of asking YouTube."""

from wagtail.embeds.finders.base import EmbedFinder


class StaticEmbedFinder(EmbedFinder):
    def accept(self, url):
        return "youtube" in url

    def find_embed(self, url, max_width=None, max_height=None):
        return {
            "title": "Bedtime routines",
            "author_name": "Family support",
            "provider_name": "YouTube",
            "type": "video",
            "thumbnail_url": "",
            "width": 640,
            "height": 360,
            "html": (
                '<iframe src="https://www.youtube.com/embed/abc123" '
                'title="Bedtime routines" width="640" height="360" allowfullscreen></iframe>'
            ),
        }
