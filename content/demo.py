"""Demo pages for the content site."""

from wagtail.models import Page, Site

from .models import HomePage


def seed_home_page(people: dict) -> HomePage:
    """Put a home page at the root of the default site, replacing Wagtail's welcome page."""
    home = HomePage.objects.first()
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if home is None:
        root = Page.get_first_root_node()
        for welcome in root.get_children().filter(slug="home"):
            if welcome.specific_class is Page and not welcome.get_children().exists():
                if site and site.root_page_id == welcome.pk:
                    site.root_page = root
                    site.save()
                welcome.delete()
        home = root.add_child(
            instance=HomePage(
                title="Family support",
                slug="home",
                intro="Help for your family, in your own words, from people who have been there.",
                body=(
                    "<p>Work with your key worker on a plan your family writes. "
                    "Meet a peer mentor who has been through it. Join a group, "
                    "like our Saturday dads' group.</p>"
                ),
            )
        )
        home.save_revision().publish()
    if site is None:
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.save()
    people["home_page"] = home
    return home
