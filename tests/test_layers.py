"""The import order of the project's modules (docs/architecture.md, «Layers»): each
module imports only from its own layer or the ones below, imports inside functions
included, and no set of modules imports itself round in a cycle. Read from the source
with `ast`, so a new module has to be given its layer here, and an import that points
up fails with the module, the line and both layers named."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("cms", "home", "events", "documents")

# Bottom to top. A module belongs to the layer of its longest matching prefix.
LAYERS = (
    (
        "infrastructure: settings, caches, middleware, logging, no app of ours",
        (
            "cms.settings",
            "cms.formats",
            "cms.cache",
            "cms.csp",
            "cms.errors",
            "cms.gunicorn",
            "cms.logging",
            "cms.middleware",
            "cms.search",
            "cms.sessions",
            "cms.wsgi",
            "cms",
        ),
    ),
    (
        "site-wide: the home page, site settings, dates, SEO tags, the cache purge, "
        "the spreadsheet rule, permissions, backup",
        ("home",),
    ),
    (
        "the edition's pages and what they are made of (events, documents)",
        (
            "events",
            "events.models",
            "events.api_fields",
            "events.attachments",
            "events.calendar",
            "events.changes",
            "events.exports",
            "events.factories",
            "events.filters",
            "events.forms",
            "events.indexing",
            "events.mail",
            "events.open_data",
            "events.ratelimit",
            "events.form_pipeline",
            "events.structured_data",
            "events.submission_views",
            "events.yeartext",
            "documents",
        ),
    ),
    (
        "the work on whole editions: checklist, rollover, publishing, admin views, "
        "hooks, template tags, commands",
        (
            "events.checklist",
            "events.rollover",
            "events.publishing",
            "events.edition_views",
            "events.review_views",
            "events.wagtail_hooks",
            "events.templatetags",
            "events.management",
        ),
    ),
    (
        "the whole project: URLs, the content API, the demo content",
        ("cms.urls", "cms.api", "home.demo", "home.management.commands.load_demo"),
    ),
)


def module_name(path):
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules():
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                modules[module_name(path)] = path
    return modules


def layer_of(module):
    """(index, description) of the module's layer: its longest matching prefix."""
    matches = [
        (len(prefix), index, description)
        for index, (description, prefixes) in enumerate(LAYERS)
        for prefix in prefixes
        if module == prefix or module.startswith(prefix + ".")
    ]
    return max(matches)[1:] if matches else None


def imported_modules(module, path, modules):
    """(line, module) of every project module that `module` imports, anywhere in it."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".")
                package = package[: len(package) - node.level + (1 if is_package else 0)]
                base = ".".join([*package, base] if base else package)
            names = [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name and name != module and not module.startswith(name + "."):
                yield node.lineno, name


def import_graph():
    modules = project_modules()
    return modules, {
        module: sorted(set(imported_modules(module, path, modules)))
        for module, path in modules.items()
    }


def test_every_module_has_a_layer():
    modules, _graph = import_graph()
    assert [module for module in sorted(modules) if layer_of(module) is None] == []


def test_imports_point_down_the_layers():
    modules, graph = import_graph()
    upward = []
    for module, imports in graph.items():
        own, own_layer = layer_of(module)
        for line, target in imports:
            index, layer = layer_of(target)
            if index > own:
                upward.append(
                    f"{modules[module].relative_to(ROOT)}:{line} {module} ({own_layer})"
                    f" imports {target} ({layer})"
                )
    assert upward == []


def test_the_import_graph_has_no_cycle():
    _modules, graph = import_graph()
    edges = {module: {target for _line, target in imports} for module, imports in graph.items()}
    # Depth-first search; a module met again while still on the path closes a cycle.
    state, cycles = {}, []

    def visit(module, path):
        state[module] = "open"
        for target in sorted(edges[module]):
            if state.get(target) == "open":
                cycles.append(" → ".join([*path[path.index(target) :], target]))
            elif target not in state:
                visit(target, [*path, target])
        state[module] = "done"

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_the_check_sees_imports_inside_functions(tmp_path):
    """The check reads an import in a function body as any other."""
    path = tmp_path / "sample.py"
    path.write_text("def later():\n    from events.models import EditionPage\n")
    modules = {"home.sample": path, "events.models": path}
    assert list(imported_modules("home.sample", path, modules)) == [(2, "events.models")]
