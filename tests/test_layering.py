"""Layers point one way: the data layer, the pure logic, the chart builders and the deck never
import Streamlit, so they run (and are tested) without a Streamlit runtime.

Inside `components/` and `data_access/` every module lives in a sub-package, one per feature
plus the shared ones, and a feature package imports only the shared packages of its layer
(never another feature), so each feature can be read and changed on its own."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PURE_PACKAGES = ["data_access", "domain", "charts", "deck", "api", "worker"]

# What each shared package may import from its own layer: the shared floors point one way too.
SHARED = {
    "components": {"common": {"common"}, "access": {"common", "access"}},
    "data_access": {"core": {"core"}},
}
# A feature package may import the shared packages of its layer and itself, and nothing else
# there; a cross-feature import that has to stay is listed here with its reason.
CROSS_FEATURE_ALLOWED: dict[tuple[str, str], str] = {
    ("schedules", "updates"): "a schedule import writes the project and its milestones through "
    "the same staged writes as a project manager's update (validation, permission, history, "
    "audit), so that a re-import reads as if the PM had reported it",
    ("schedules", "resources"): "a schedule's assignments become allocations through the same "
    "staged write as the allocation editor (validation, overlaps, permission, audit)",
    ("schedules", "admin"): "a schedule import adds the new people the user confirmed through "
    "the same staged write as the administration page (unique e-mail, admin only, audit)",
    ("core", "stakeholders"): "the backup must see every table, so it imports every models module",
    ("demo", "stakeholders"): "the demo portfolio has stakeholders, subscriptions and an inbox",
    ("stakeholders", "meeting"): "a read-only link shows the report's slides as the meeting does",
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def _subpackages_imported(path: Path, top: str) -> set[str]:
    """The sub-packages of `top` that the module at `path` imports."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module == top:
            modules = [f"{top}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules = [node.module]
        else:
            continue
        found |= {m.split(".")[1] for m in modules if m.startswith(f"{top}.")}
    return found


def _packages(top: str) -> list[str]:
    return sorted(p.name for p in (ROOT / top).iterdir() if (p / "__init__.py").exists())


@pytest.mark.parametrize("package", PURE_PACKAGES)
def test_pure_layers_do_not_import_streamlit_or_upper_layers(package):
    forbidden = {"streamlit", "components", "pages"}
    if package == "data_access":
        forbidden |= {"domain", "charts"}
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imports(path) & forbidden)
        for path in (ROOT / package).rglob("*.py")
        if _imports(path) & forbidden
    }
    assert offenders == {}


@pytest.mark.parametrize("top", sorted(SHARED))
def test_every_module_lives_in_a_feature_or_shared_package(top):
    loose = sorted(p.name for p in (ROOT / top).glob("*.py") if p.name != "__init__.py")
    assert loose == []


@pytest.mark.parametrize("top", sorted(SHARED))
def test_feature_packages_import_only_shared_packages(top):
    shared = SHARED[top]
    offenders = {}
    for package in _packages(top):
        may = shared.get(package, set(shared) | {package})
        for path in (ROOT / top / package).rglob("*.py"):
            wrong = {
                other
                for other in _subpackages_imported(path, top) - may
                if (package, other) not in CROSS_FEATURE_ALLOWED
            }
            if wrong:
                offenders[str(path.relative_to(ROOT))] = sorted(wrong)
    assert offenders == {}


def test_the_layering_check_sees_every_import_spelling(tmp_path):
    module = tmp_path / "module.py"
    module.write_text(
        "import components.portfolio.data\n"
        "from components import risks as r, common\n"
        "from components.meeting.forms import review_forms\n"
        "from components import data_loader\n"  # a module, not a package: still reported
        "from data_access.core import db\n"
    )
    assert _subpackages_imported(module, "components") == {
        "portfolio",
        "risks",
        "common",
        "meeting",
        "data_loader",
    }
    assert _subpackages_imported(module, "data_access") == {"core"}
