"""Template helpers shared by every page."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def page_institution(context):
    """The institution whose data the page shows (its `institution`, the incident's, the
    session's), else the one the user works in now: what the header names."""
    for name in ("institution", "incident", "session"):
        value = context.get(name)
        if value is None:
            continue
        found = value if name == "institution" else getattr(value, "institution", None)
        if found is not None and hasattr(found, "code"):
            return found
    return context.get("header_institution")
