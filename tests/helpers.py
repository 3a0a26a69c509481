from events.forms import started_token


def registration(**answers):
    """A registration as a person sends it: the answers, the consent, and the form's
    own start time."""
    return {"consent": "on", "started": started_token(), "website": "", **answers}
