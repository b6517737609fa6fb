"""Every registered model has its declarative view tests and every API list its API tests
(ARCHITECTURE.md, Tests; QUALITY.md Security line 6).

These tests only check: a model or viewset added without its tests makes them fail, on purpose."""

import importlib
import importlib.util
import pkgutil

import pytest
from django.urls import URLResolver, get_resolver, reverse

import waishi
from waishi.core.generic import REGISTRY
from waishi.core.testing.views import API_TESTS, VIEW_TESTS, ApiTests, ModelViewTests


def import_test_modules() -> list[str]:
    """Import what registers: every app's views (ModelViews subclasses register themselves on import,
    which otherwise happens only when the URLconf is first loaded) and every
    ``waishi.<app>.tests.test_views`` and ``test_api`` (ModelViewTests and ApiTests subclasses)."""
    get_resolver().url_patterns  # noqa: B018  (loads the URLconf, hence every routed views module)
    imported = []
    for app in pkgutil.iter_modules(waishi.__path__):
        if not app.ispkg:
            continue
        if importlib.util.find_spec(f"waishi.{app.name}.views") is not None:
            importlib.import_module(f"waishi.{app.name}.views")
        if importlib.util.find_spec(f"waishi.{app.name}.tests") is None:
            continue
        for name in ("test_views", "test_api"):
            module = f"waishi.{app.name}.tests.{name}"
            if importlib.util.find_spec(module) is not None:
                importlib.import_module(module)
                imported.append(module)
    return imported


def url_names(patterns, namespace="") -> set[str]:
    names = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            names |= url_names(pattern.url_patterns, inner)
        elif pattern.name:
            names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return names


def api_basenames() -> set[str]:
    return {
        name.removeprefix("api:").removesuffix("-list")
        for name in url_names(get_resolver().url_patterns)
        if name.startswith("api:") and name.endswith("-list")
    }


def collected_by_pytest(cls) -> bool:
    return cls.__name__.startswith("Test") and cls.__module__.rsplit(".", 1)[-1].startswith("test_")


@pytest.fixture(scope="module", autouse=True)
def imported_modules():
    return import_test_modules()


def test_test_modules_are_found(imported_modules):
    assert "waishi.directory.tests.test_views" in imported_modules
    assert "waishi.directory.tests.test_api" in imported_modules


def test_every_registered_model_has_view_tests():
    assert REGISTRY, "no ModelViews registered: the registry itself is broken"
    covered = {
        t.views for t in VIEW_TESTS if issubclass(t, ModelViewTests) and collected_by_pytest(t) and t.views
    }
    missing = sorted(
        f"{views.__module__}.{views.__qualname__} ({views.model._meta.label})"
        for views in REGISTRY
        if views not in covered
    )
    assert not missing, (
        "registered models without a ModelViewTests subclass in a test_views.py module: " + ", ".join(missing)
    )


def test_every_view_test_declares_a_registered_model_and_a_factory():
    for cls in VIEW_TESTS:
        if not collected_by_pytest(cls):
            continue
        assert cls.views in REGISTRY, cls
        assert callable(getattr(cls, "make", None)), f"{cls.__qualname__} does not declare make()"


def test_every_api_list_has_api_tests():
    basenames = api_basenames()
    assert "person" in basenames, "the URL walk found no API lists: the walk itself is broken"
    for basename in basenames:
        assert reverse(f"api:{basename}-list").startswith("/api/v1/")
    covered = {t.basename for t in API_TESTS if issubclass(t, ApiTests) and collected_by_pytest(t)}
    missing = sorted(basenames - covered)
    assert not missing, "API viewsets without an ApiTests subclass in a test_api.py module: " + ", ".join(
        missing
    )


def test_every_api_test_names_an_existing_viewset():
    basenames = api_basenames()
    for cls in API_TESTS:
        if collected_by_pytest(cls):
            assert cls.basename in basenames, cls
            assert callable(getattr(cls, "make", None)), f"{cls.__qualname__} does not declare make()"
