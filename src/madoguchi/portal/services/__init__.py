"""Website structure: the one place that creates and changes the page tree's skeleton."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.models import Permission as DjangoPermission
from django.db import transaction
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Locale, Page, Site

from madoguchi.accounts import permissions
from madoguchi.accounts.models import StaffProfile
from madoguchi.core.models import Municipality

from ..models import DeploymentRootPage, MunicipalityHomePage


def ensure_locales() -> dict[str, Locale]:
    return {code: Locale.objects.get_or_create(language_code=code)[0] for code, _name in settings.LANGUAGES}


@transaction.atomic
def ensure_site_structure() -> DeploymentRootPage:
    """Make sure the tree has its deployment root, translated into every language, and
    that the default Wagtail site points at it. Safe to run any number of times."""
    locales = ensure_locales()
    root_ja = DeploymentRootPage.objects.filter(locale=locales["ja"]).first()
    if root_ja is None:
        tree_root = Page.get_first_root_node()
        if tree_root is None:
            # An emptied database (flush in tests) has lost Wagtail's own root node too.
            tree_root = Page.add_root(instance=Page(title="Root", slug="root", locale=locales["ja"], live=True))
        root_ja = DeploymentRootPage(title="madoguchi", slug="madoguchi", locale=locales["ja"])
        tree_root.add_child(instance=root_ja)
        # Wagtail's stock welcome page is not part of a madoguchi deployment.
        for page in tree_root.get_children().exclude(pk=root_ja.pk).type(Page).exact_type(Page):
            Site.objects.filter(root_page=page).update(root_page=root_ja)
            page.delete()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost", port=80, root_page=root_ja, is_default_site=True, site_name="madoguchi"
        )
    elif site.root_page_id != root_ja.pk:
        site.root_page = root_ja
        site.save()
    for code, locale in locales.items():
        if code != "ja" and not root_ja.has_translation(locale):
            root_ja.copy_for_translation(locale).save_revision().publish()
    return root_ja


@transaction.atomic
def create_home_page(municipality: Municipality, *, lead_ja: str = "", lead_en: str = "") -> MunicipalityHomePage:
    """The municipality's home page in Japanese and its English translation."""
    root_ja = ensure_site_structure()
    locales = ensure_locales()
    existing = MunicipalityHomePage.objects.filter(municipality=municipality, locale=locales["ja"]).first()
    if existing is not None:
        return existing
    home = MunicipalityHomePage(
        title=municipality.name_ja,
        slug=municipality.slug,
        municipality=municipality,
        lead=lead_ja,
        locale=locales["ja"],
    )
    root_ja.add_child(instance=home)
    home.save_revision().publish()
    for code, locale in locales.items():
        if code == "ja":
            continue
        translated = home.copy_for_translation(locale, copy_parents=True)
        translated.title = municipality.name_en
        translated.lead = lead_en
        translated.save_revision().publish()
    ensure_website_permissions(municipality)
    return home


# What the municipality's website editors may do on its page tree and in its collection.
PAGE_PERMISSION_TYPES = ("add", "change", "publish", "lock", "unlock")
COLLECTION_PERMISSIONS = (
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"),
    ("wagtailimages", "delete_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
    ("wagtaildocs", "delete_document"),
)


def website_group_name(municipality: Municipality) -> str:
    return f"{municipality.code} ウェブサイト編集"


def municipality_collection(municipality: Municipality) -> Collection:
    """The municipality's own collection of images and documents (by code, so a renamed
    municipality keeps it)."""
    # An emptied database (flush in tests) has lost Wagtail's root collection too.
    root = Collection.get_first_root_node() or Collection.add_root(name="Root")
    name = f"{municipality.code} {municipality.name_ja}"
    for child in root.get_children():
        if child.name.split(" ", 1)[0] == municipality.code:
            return child
    return root.add_child(name=name)


@transaction.atomic
def ensure_website_permissions(municipality: Municipality) -> Group:
    """The Wagtail group whose members edit this municipality's pages (every language's
    tree below its home page) and its collection; nothing of another municipality.
    Safe to run any number of times."""
    group, _created = Group.objects.get_or_create(name=website_group_name(municipality))
    page_perms = {
        p.codename: p
        for p in DjangoPermission.objects.filter(content_type__app_label="wagtailcore", codename__endswith="_page")
    }
    for home in MunicipalityHomePage.objects.filter(municipality=municipality):
        for kind in PAGE_PERMISSION_TYPES:
            GroupPagePermission.objects.get_or_create(group=group, page=home, permission=page_perms[f"{kind}_page"])
    collection = municipality_collection(municipality)
    for app_label, codename in COLLECTION_PERMISSIONS:
        perm = DjangoPermission.objects.get(content_type__app_label=app_label, codename=codename)
        GroupCollectionPermission.objects.get_or_create(group=group, collection=collection, permission=perm)
    return group


def sync_website_access(profile: StaffProfile) -> None:
    """Put the staff member in their municipality's website group exactly when their
    roles grant `portal.edit_website` and the account is active."""
    from ..permissions import EDIT_WEBSITE

    user = profile.user
    group = ensure_website_permissions(profile.municipality)
    # Roles are cached on the user object for a request; read them afresh here.
    user.__dict__.pop("_madoguchi_roles", None)
    if user.is_active and permissions.has_permission(user, EDIT_WEBSITE, profile.municipality):
        user.groups.add(group)
    else:
        user.groups.remove(group)


def home_page_for(municipality: Municipality, language: str = "ja") -> MunicipalityHomePage | None:
    return MunicipalityHomePage.objects.live().filter(municipality=municipality, locale__language_code=language).first()
