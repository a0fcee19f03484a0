"""Every input and output schema of the API has a name of its own: two apps' `StepOut`
would share one entry of the OpenAPI document, and one app's operations would be
documented with the other's fields. (Query schemas are flattened into parameters.)"""

import importlib
import inspect
import pkgutil
from collections import Counter

from ninja import Schema

import escalade


def test_schema_names_are_unique_across_apps():
    defined = []
    for app in pkgutil.iter_modules(escalade.__path__):
        for name in ("api", "stats_api", "schemas"):
            try:
                module = importlib.import_module(f"escalade.{app.name}.{name}")
            except ModuleNotFoundError:
                continue
            defined += [
                cls.__name__
                for _n, cls in inspect.getmembers(module, inspect.isclass)
                if issubclass(cls, Schema)
                and cls.__module__ == module.__name__
                and not cls.__name__.endswith("Query")
            ]
    assert len(defined) > 50
    assert [n for n, k in Counter(defined).items() if k > 1] == []
