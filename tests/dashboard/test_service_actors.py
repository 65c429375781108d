"""The dashboard acts as the signed-in person, never as the system. Services take ``actor=None`` as the command
line (whoever runs it holds the database) and then check no role, so a page that leaves ``actor`` out, or passes
None, would let any signed-in role do what only some may: the page's own check would be the only guard. This reads
the dashboard's code and requires an actor on every call to such a service."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _system_capable_services() -> set[str]:
    """Names of the functions in tracker/ whose ``actor`` may be None (the command line, the system)."""
    names = set()
    for path in (ROOT / "tracker").rglob("*.py"):
        if path.name == "permissions.py":  # can() and require() are the checks themselves
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                params = [*node.args.args, *node.args.kwonlyargs]
                actor = next((a for a in params if a.arg == "actor"), None)
                if actor is not None and "None" in ast.unparse(actor.annotation or ast.Constant(None)):
                    names.add(node.name)
    return names


def test_every_dashboard_call_to_a_service_names_the_signed_in_actor() -> None:
    services = _system_capable_services()
    assert {"add_rule", "build_packet", "set_role", "subscribe", "retry_digest", "scorecard_file"} <= services
    bad, checked = [], 0
    for path in sorted((ROOT / "dashboard").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            if name not in services:
                continue
            checked += 1
            actor = next((k.value for k in node.keywords if k.arg == "actor"), None)
            if actor is None or (isinstance(actor, ast.Constant) and actor.value is None):
                bad.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}(...)")
    assert checked >= 15  # the pages do call them: the scan is looking at the right code
    assert bad == [], bad
