"""learning/'s capability packages import one way only, lowest first, and no app imports the project.

Read from the source with `ast` (imports inside functions count too): a package may import the
packages below it and learning's low root modules, never a package above it nor the app's wiring
(apps.py, admin.py, tasks.py, signals.py, wagtail_hooks.py), which is what imports the packages.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LEARNING = ROOT / "learning"

# Lowest first: each may import those before it.
PACKAGES = ["ledger", "practice", "journeys", "people", "team", "analytics", "demo"]
# Root modules below every package: the models, who is asking, the change notices and the cache
# of the learner's own views.
LOW_ROOT = {"models", "learners", "changes", "cached"}
APPS = ["cms", "learning", "nudges"]


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, dotted module) of every import in the file, `from x import y` giving x.y as well."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def learning_part(module: str) -> str | None:
    """`learning.journeys.states` → "journeys"; None for modules outside learning."""
    parts = module.split(".")
    if parts[0] != "learning" or len(parts) < 2:
        return None
    return parts[1]


def upward_imports(package: str) -> list[str]:
    allowed = set(PACKAGES[: PACKAGES.index(package) + 1]) | LOW_ROOT
    wrong = []
    for path in sorted((LEARNING / package).rglob("*.py")):
        for line, module in imported_modules(path):
            part = learning_part(module)
            if part is not None and part not in allowed:
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    return wrong


def test_every_package_of_learning_is_in_the_order():
    on_disk = {p.name for p in LEARNING.iterdir() if (p / "__init__.py").exists()}
    assert on_disk - {"migrations", "management"} == set(PACKAGES)


def test_no_package_imports_one_above_it():
    wrong = [line for package in PACKAGES for line in upward_imports(package)]
    assert wrong == []


def test_the_check_sees_the_arrows_that_exist():
    # journeys/today.py shows due cards: if this arrow were not seen, the check would see nothing.
    arrows = {
        learning_part(module)
        for path in (LEARNING / "journeys").rglob("*.py")
        for _, module in imported_modules(path)
    }
    assert {"practice", "ledger", "models"} <= arrows


def test_low_root_modules_import_no_package():
    wrong = [
        f"learning/{name}.py:{line} imports {module}"
        for name in sorted(LOW_ROOT)
        if (LEARNING / f"{name}.py").exists()
        for line, module in imported_modules(LEARNING / f"{name}.py")
        if learning_part(module) in PACKAGES
    ]
    assert wrong == []


def test_no_app_imports_the_project_package():
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for app in APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        for line, module in imported_modules(path)
        if module == "backend" or module.startswith("backend.")
    ]
    assert wrong == []
