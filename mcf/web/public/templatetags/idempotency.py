"""``{% idempotency_key "space:route" %}``: the hidden key of a form (mcf/web/idempotency.py)."""

from django import template
from django.utils.html import format_html

from mcf.web.idempotency import FIELD, new_key

register = template.Library()


@register.simple_tag(takes_context=True)
def idempotency_key(context, action: str) -> str:
    return format_html(
        '<input type="hidden" name="{}" value="{}">', FIELD, new_key(context["request"], action)
    )
