"""What a browser would submit: the fields of a page's form, read from the rendered HTML."""

from html.parser import HTMLParser

UNSENT_INPUTS = {"submit", "button", "reset", "image", "file"}


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []  # (attrs, [(name, value)])
        self.fields = None
        self.select = None  # (name, multiple, [(value, selected)])
        self.option = None  # [value or None, text, selected]
        self.textarea = None  # [name, text]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.fields = []
            self.forms.append((attrs, self.fields))
        elif self.fields is None or "disabled" in attrs:
            return
        elif tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text").lower()
            if kind in UNSENT_INPUTS or (kind in ("checkbox", "radio") and "checked" not in attrs):
                return
            default = "on" if kind in ("checkbox", "radio") else ""
            self.fields.append((attrs["name"], attrs.get("value", default)))
        elif tag == "select" and attrs.get("name"):
            self.select = (attrs["name"], "multiple" in attrs, [])
        elif tag == "option" and self.select is not None:
            self.option = [attrs.get("value"), "", "selected" in attrs]
        elif tag == "textarea" and attrs.get("name"):
            self.textarea = [attrs["name"], ""]

    def handle_data(self, data):
        if self.option is not None:
            self.option[1] += data
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "option" and self.option is not None:
            value, text, selected = self.option
            self.select[2].append((text.strip() if value is None else value, selected))
            self.option = None
        elif tag == "select" and self.select is not None:
            name, multiple, options = self.select
            chosen = [v for v, selected in options if selected]
            if not multiple:
                # A single select always sends one option: the last selected, else the first.
                chosen = chosen[-1:] or [v for v, _ in options[:1]]
            self.fields.extend((name, v) for v in chosen)
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            name, text = self.textarea
            # Browsers drop the one newline that follows the opening tag.
            self.fields.append((name, text[1:] if text.startswith("\n") else text))
            self.textarea = None
        elif tag == "form":
            self.fields = None


def page_form(response):
    """The fields of the form that posts back to the page itself (not the logout or language
    form of the layout), as `{name: [values]}`, ready for `client.post(url, data)`."""
    assert response.status_code == 200, response.status_code
    parser = _FormParser()
    parser.feed(response.content.decode())
    own = [
        fields
        for attrs, fields in parser.forms
        if attrs.get("method", "get").lower() == "post" and not attrs.get("action")
    ]
    assert len(own) == 1, f"expected one form posting to the page, found {len(own)}"
    data = {}
    for name, value in own[0]:
        data.setdefault(name, []).append(value)
    return data
