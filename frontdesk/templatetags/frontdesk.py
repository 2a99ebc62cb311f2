from django import template

from frontdesk.dashboard import dashboard_items

register = template.Library()


@register.simple_tag(takes_context=True)
def dashboard(context):
    """The admin index's items of what waits (frontdesk.dashboard)."""
    return dashboard_items(context["request"])
