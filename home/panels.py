"""Wagtail's InlinePanel with its add button's own words.

Wagtail 8 writes the button as «Add {label}» from the label that also heads each row
(«Подія 1»). Ukrainian puts the object of «Додати» in the accusative and in lower
case («Додати подію»), which no catalogue entry can do to an inserted word, so each
panel gives the whole phrase as one translatable string (`add_label`)."""

from wagtail.admin import panels


class InlinePanel(panels.InlinePanel):
    def __init__(self, *args, add_label="", **kwargs):
        super().__init__(*args, **kwargs)
        self.add_label = add_label

    def clone_kwargs(self):
        return {**super().clone_kwargs(), "add_label": self.add_label}

    class BoundPanel(panels.InlinePanel.BoundPanel):
        template_name = "home/panels/inline_panel.html"
