"""docs/internals.md's tree of errors is the class tree of pulumi_voiceos.errors, no more and no less."""

from __future__ import annotations

import re

from pulumi_voiceos import errors

from .docs import one_block


def documented() -> dict[str, tuple[str | None, set[str]]]:
    """Each error of the doc's tree: its parent in the tree, and the built-in bases its line names
    ("also an ImportError")."""
    tree: dict[str, tuple[str | None, set[str]]] = {}
    parents: list[str] = []
    for line in one_block("docs-output", "error-tree", language="").splitlines():
        found = re.match(r"^([│├└─\s]*)(\w+)(.*)$", line)
        assert found is not None, line
        depth = len(found[1]) // 4
        del parents[depth:]
        assert len(parents) == depth, f"the tree skips a level at {line!r}"
        tree[found[2]] = (parents[-1] if parents else None, set(re.findall(r"also an? (\w+)", found[3])))
        parents.append(found[2])
    return tree


def in_the_module() -> dict[str, tuple[str | None, set[str]]]:
    tree: dict[str, tuple[str | None, set[str]]] = {}
    for name in errors.__all__:
        error = getattr(errors, name)
        if not (isinstance(error, type) and issubclass(error, errors.VoiceOSError)):
            continue
        ours = [b.__name__ for b in error.__bases__ if issubclass(b, errors.VoiceOSError)]
        builtins = {b.__name__ for b in error.__bases__ if not issubclass(b, errors.VoiceOSError)} - {"Exception"}
        assert len(ours) <= 1, f"{name} has two parents in the tree: {ours}"
        tree[name] = (ours[0] if ours else None, builtins)
    return tree


def test_the_architecture_docs_error_tree_is_the_class_tree_of_the_errors_module() -> None:
    assert documented() == in_the_module()
