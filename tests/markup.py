"""Reading rendered HTML in tests by what it means (elements and their attributes), not by
its literal text: whitespace and attribute order are the template pack's business."""

from html.parser import HTMLParser

VOID = {"input", "br", "hr", "img", "meta", "link", "source", "wbr", "area", "col"}


class Element:
    def __init__(self, tag: str, attrs: dict, parent: "Element | None"):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Element] = []
        self.parts: list[str] = []  # text and children, in order, for .text

    def get(self, name: str, default=None):
        return self.attrs.get(name, default)

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    @property
    def text(self) -> str:
        """The text inside, whitespace collapsed (as a screen reader would read it)."""
        return " ".join(
            "".join(part if isinstance(part, str) else part.text for part in self.parts).split()
        )

    def find_all(self, tag: str | None = None, **attrs) -> list["Element"]:
        found = []
        for child in self.children:
            if (tag is None or child.tag == tag) and all(
                child.attrs.get(name.rstrip("_").replace("_", "-")) == value
                for name, value in attrs.items()
            ):
                found.append(child)
            found.extend(child.find_all(tag, **attrs))
        return found

    def find(self, tag: str | None = None, **attrs) -> "Element":
        found = self.find_all(tag, **attrs)
        assert len(found) == 1, f"{len(found)} <{tag} {attrs}> found"
        return found[0]

    def by_id(self, id_: str) -> "Element":
        return self.find(id=id_)

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Element("#root", {}, None)

    def handle_starttag(self, tag, attrs):
        element = Element(
            tag, {name: ("" if value is None else value) for name, value in attrs}, self.current
        )
        self.current.children.append(element)
        self.current.parts.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.current = self.current.parent

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.parts.append(data)


def parse(html: str) -> Element:
    parser = _Parser()
    parser.feed(str(html))
    parser.close()
    return parser.root
