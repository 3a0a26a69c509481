"""`{% embed_code as code %}`: the «Вбудувати» code of the programme page for its
current filters (ProgrammePage.embed_code, events/models/embed.py), from the page's
context."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def embed_code(context):
    return context["page"].embed_code(context["request"], context["filter_form"])
