"""The import rules of docs/ARCHITECTURE.md, checked on every module's imports (at any depth).

Reads the source with ``ast``: what a module imports inside a function counts as much as what it
imports at the top. A rule that fails names the module, the line and the import.
"""

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DIRECTORY = "members"
CORE = "decisions"
MEETINGS = ("hearings", "coordination", "evaluations", "deliberation")
# Residents' requests decide nothing by vote: they sit on the directory, beside the core, and only the
# evaluation (its dashboard's and sheet's figures) and the open data API read them, through their selectors.
CASEWORK = "casework"
CASEWORK_READERS = {"evaluations": {"casework.selectors"}, "api": {"casework.selectors"}}
# The open data API sits on top: it may read every app (never its views); nothing but config.urls imports it.
TOP = "api"
APPS = (DIRECTORY, CORE, *MEETINGS, CASEWORK, TOP)
# config's modules that sit above the apps: the root URLconf mounts every app's URLs.
CONFIG_TOP = {"config.urls"}
# What one app may take from another: never its views (a page belongs to its own app).
NOT_SHARED = ("views",)


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, dotted
    line: int
    target: str  # the imported module, dotted

    def __str__(self) -> str:
        return f"{self.module}:{self.line} imports {self.target}"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _sources() -> list[Path]:
    found = []
    for top in ("config", *APPS):
        for path in sorted((ROOT / top).rglob("*.py")):
            if "migrations" not in path.parts:
                found.append(path)
    return found


def _imports_of(path: Path) -> list[Import]:
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [Import(module, node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the package
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            # "from decisions import services" imports decisions.services: count the submodule.
            found += [Import(module, node.lineno, f"{target}.{alias.name}") for alias in node.names]
    return found


ALL_IMPORTS = [imp for path in _sources() for imp in _imports_of(path)]


def _app(dotted: str) -> str | None:
    head = dotted.split(".")[0]
    return head if head in (*APPS, "config") else None


def _crossing() -> list[Import]:
    return [imp for imp in ALL_IMPORTS if _app(imp.target) and _app(imp.target) != _app(imp.module)]


def test_the_rules_see_every_app_and_its_imports():
    # Guards the test itself: it reads real modules and finds the imports we know exist.
    names = {imp.module for imp in ALL_IMPORTS}
    assert {"decisions.services.casting", "members.models", "deliberation.services.party"} <= names
    assert any(imp.module.startswith("hearings") and imp.target.startswith("decisions") for imp in ALL_IMPORTS)


def test_the_directory_imports_no_app_above_it():
    wrong = [imp for imp in _crossing() if _app(imp.module) == DIRECTORY and _app(imp.target) != "config"]
    assert not wrong, "\n".join(map(str, wrong))


def test_the_core_imports_no_meeting_app():
    wrong = [imp for imp in _crossing() if _app(imp.module) == CORE and _app(imp.target) in MEETINGS]
    assert not wrong, "\n".join(map(str, wrong))


def test_meeting_apps_do_not_import_each_other():
    wrong = [imp for imp in _crossing() if _app(imp.module) in MEETINGS and _app(imp.target) in MEETINGS]
    assert not wrong, "\n".join(map(str, wrong))


def test_casework_imports_only_the_directory_and_config():
    wrong = [imp for imp in _crossing()
             if _app(imp.module) == CASEWORK and _app(imp.target) not in (DIRECTORY, "config")]
    assert not wrong, "\n".join(map(str, wrong))


def test_only_the_evaluation_reads_casework_and_only_its_selectors():
    wrong = [imp for imp in _crossing()
             if _app(imp.target) == CASEWORK and imp.module not in CONFIG_TOP
             and not any(imp.target == allowed or imp.target.startswith(allowed + ".")
                         for allowed in CASEWORK_READERS.get(_app(imp.module), ()))]
    assert not wrong, "\n".join(map(str, wrong))


def test_config_imports_no_app_but_from_the_root_urlconf():
    wrong = [imp for imp in _crossing() if _app(imp.module) == "config" and imp.module not in CONFIG_TOP]
    assert not wrong, "\n".join(map(str, wrong))


def test_no_app_imports_another_apps_views():
    wrong = [imp for imp in _crossing()
             if imp.module not in CONFIG_TOP and imp.target.split(".")[1:2] == list(NOT_SHARED)]
    assert not wrong, "\n".join(map(str, wrong))


def test_nothing_imports_the_api_but_the_root_urlconf():
    wrong = [imp for imp in _crossing() if _app(imp.target) == TOP and imp.module not in CONFIG_TOP]
    assert not wrong, "\n".join(map(str, wrong))


def test_no_cycle_between_apps():
    edges: dict[str, set[str]] = {}
    for imp in _crossing():
        if imp.module not in CONFIG_TOP:
            edges.setdefault(_app(imp.module), set()).add(_app(imp.target))

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt}))
                   for nxt in edges.get(start, ()))

    cycles = sorted(app for app in edges if reaches(app, app, set()))
    assert not cycles, f"apps on an import cycle: {cycles}"


@pytest.mark.parametrize("app", ["members", "decisions", "deliberation", "hearings", "coordination", "evaluations",
                                 "casework", "api"])
def test_migrations_import_no_application_code(app):
    wrong = []
    for path in sorted((ROOT / app / "migrations").glob("*.py")):
        for imp in _imports_of(path):
            head = imp.target.split(".")[0]
            # A migration package's own frozen helpers (names starting with "_") are part of it, and
            # Django writes a FileField's ``upload_to`` callable as ``import <app>.models``.
            own_helper = imp.target.startswith(f"{app}.migrations._")
            field_callable = imp.target == f"{head}.models"
            if head in (*APPS, "config") and not (own_helper or field_callable):
                wrong.append(imp)
    assert not wrong, "\n".join(map(str, wrong))


def test_the_verifier_imports_the_standard_library_and_itself_only():
    """verifier/ is the program anyone runs on a bulletin without trusting the server: it must not lean
    on the server's code (its checks would share the server's mistakes) nor on a package to install."""
    sources = sorted((ROOT / "verifier").rglob("*.py"))
    assert len(sources) >= 5
    wrong = []
    for path in sources:
        for imp in _imports_of(path):
            head = imp.target.split(".")[0]
            if head != "verifier" and head not in sys.stdlib_module_names:
                wrong.append(imp)
    assert not wrong, "\n".join(map(str, wrong))
