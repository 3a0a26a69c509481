"""What every template may show: the urgent notice (home/notice.py), read only by a
template that asks for it, at most once a request."""

from functools import partial

from home.notice import current_notice


def urgent_notice(request):
    return {"urgent_notice": partial(current_notice, request)}
