"""CI for code: the tests workflow, the nox sessions and .ci/run run the README's test command, on the latest
and on the lowest dependency versions pyproject.toml allows; the lowest ones come from its bounds alone."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import re
import tomllib

import pytest

from libyadata.resources import repository_root

ROOT = repository_root()
pytestmark = pytest.mark.skipif(ROOT is None, reason="needs a source checkout")


def lowest_module():
    spec = importlib.util.spec_from_file_location("lowest", ROOT / ".ci" / "lowest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_requirement_has_a_lower_bound_and_the_constraints_pin_it():
    lowest = lowest_module()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = project["dependencies"] + project["optional-dependencies"]["test"]
    bounds = lowest.lower_bounds()
    for req in declared:
        name = re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9._-]+", req).group(0)).lower()
        assert re.search(rf">=\s*{re.escape(bounds[name])}(,|$|\s)", req), (req, bounds[name])
    assert lowest.constraints() == "".join(f"{n}=={v}\n" for n, v in sorted(bounds.items()))
    # every other extra asks for no less than what the lowest session tests
    for extra, reqs in project["optional-dependencies"].items():
        for req in reqs:
            name = re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9._-]+", req).group(0)).lower()
            if name in bounds:
                assert re.search(rf">=\s*{re.escape(bounds[name])}", req), (extra, req)


@pytest.mark.skipif(not os.environ.get("LIBYADATA_LOWEST"), reason="only in the lowest-versions session")
def test_the_lowest_session_runs_on_exactly_the_declared_lower_bounds():
    from packaging.version import Version

    for name, bound in lowest_module().lower_bounds().items():
        assert Version(importlib.metadata.version(name)) == Version(bound), name


def test_ci_run_runs_the_readme_command_and_the_lowest_session():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "python3 -m pip install -e '.[test]' && python3 -m pytest\npython3 -m pytest -m slow\n" in ci
    assert "python3 .ci/lowest.py >" in ci and "-c \"$lowest/constraints.txt\" -e '.[test]'" in ci
    assert 'LIBYADATA_LOWEST=1 "$lowest/venv/bin/python" -m pytest -q -m "not slow"' in ci
    # the lowest session runs the whole suite (less the slow tests): nothing deselected or ignored
    assert "--deselect" not in ci and "--ignore" not in ci
    nox = (ROOT / "noxfile.py").read_text(encoding="utf-8")
    assert "from lowest import constraints as lowest_constraints" in nox
    assert re.search(r"def tests\(session.*?session\.install\(\"-e\", \"\.\[test\]\"\)", nox, re.S)
    assert '"python", "-m", "pytest", "-m", "slow"' in nox  # the release-path tier
    assert '"-m", "not slow"' in nox and '{"LIBYADATA_LOWEST": "1"}' in nox
    assert "--deselect" not in nox and "--ignore" not in nox
    assert 'PYTHONS = ["3.10", "3.11", "3.12", "3.13"]' in nox


def test_tests_workflow_runs_both_sessions_on_every_python_safely():
    yaml = pytest.importorskip("yaml")
    text = (ROOT / ".github" / "workflows" / "tests.yml").read_text(encoding="utf-8")
    doc = yaml.safe_load(text)
    assert set(doc[True]) == {"push", "pull_request"}  # YAML 1.1 reads the key "on" as True
    assert doc["permissions"] == {"contents": "read"}
    job = doc["jobs"]["tests"]
    assert job["strategy"]["matrix"]["python-version"] == ["3.10", "3.11", "3.12", "3.13"]
    assert job["strategy"]["matrix"]["resolution"] == ["latest", "lowest"]
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert requires == ">=3.10"
    runs = [s["run"] for s in job["steps"] if "run" in s]
    assert any("nox -s tests" in r for r in runs) and any("nox -s lowest" in r for r in runs)
    for name in ("tests.yml", "release.yml", "validate.yml", "version.yml"):
        wf = (ROOT / ".github" / "workflows" / name).read_text(encoding="utf-8")
        for step in yaml.safe_load(wf)["jobs"][next(iter(yaml.safe_load(wf)["jobs"]))]["steps"]:
            if "run" in step:
                assert "${{ github.event" not in step["run"], (name, step["run"])
    for uses in re.findall(r"uses: (\S+)", text):
        assert re.fullmatch(r"[\w-]+/[\w-]+@[0-9a-f]{40}", uses), uses
