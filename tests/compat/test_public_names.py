"""The README's list of ngc-learn names still missing from ngclab stays true.

tests/compat/data/ngclearn_public_names.json holds every public module of ngc-learn 3.2.3 and
ngcsimlib 3.1.1 with the public names it defines (written by
tests/reference/compat_reference.py --names under ngc-learn). Read with the porting rule
(``ngclearn`` / ``ngcsimlib`` -> ``ngclab``), each module and name either exists in ngclab or is
a row of the README's "Still missing" table; and every row there is really missing.
"""
import importlib
import json
import os
import re
import warnings

from tests.compat.compat_porting import HERE, port

README = os.path.join(os.path.dirname(os.path.dirname(HERE)), "README.md")
NAMES = os.path.join(HERE, "data", "ngclearn_public_names.json")


def ngclearn_names() -> dict:
    with open(NAMES, encoding="utf-8") as fh:
        return json.load(fh)


def missing_in_ngclab() -> set[str]:
    """Dotted ngc-learn names (modules, or module.name) that ngclab lacks under the rule."""
    missing = set()
    for module, names in ngclearn_names().items():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ours = importlib.import_module(port(module))
        except ModuleNotFoundError:
            missing.add(module)
            continue
        missing.update(f"{module}.{n}" for n in names if not hasattr(ours, n))
    return missing


def readme_missing() -> dict[str, str]:
    """{name: reason} from the rows of the README's "Still missing" table."""
    with open(README, encoding="utf-8") as fh:
        text = fh.read()
    start = text.index("**Still missing.**")
    end = text.find("\n## ", start)
    rows = {}
    for line in text[start:None if end < 0 else end].splitlines():
        m = re.match(r"\|\s*`([\w.]+)`\s*\|\s*(.+?)\s*\|\s*$", line)
        if m:
            rows[m.group(1)] = m.group(2)
    return rows


def test_the_committed_list_covers_ngclearns_packages():
    names = ngclearn_names()
    for module in ("ngclearn", "ngclearn.components", "ngclearn.utils",
                   "ngclearn.utils.metric_utils", "ngcsimlib.context", "ngcsimlib.operations"):
        assert module in names
    assert "RateCell" in names["ngclearn.components"]
    assert sum(len(v) for v in names.values()) > 300


def test_every_missing_name_is_in_the_readme_with_a_reason():
    rows = readme_missing()
    missing = missing_in_ngclab()
    assert sorted(missing - rows.keys()) == [], "missing in ngclab but not listed in the README"
    assert sorted(rows.keys() - missing) == [], "listed in the README but present in ngclab"
    for name, reason in rows.items():
        assert len(reason) > 10, f"{name}: no reason given"


def test_the_import_paths_a_port_uses_exist():
    # ngc-learn's own import lines, after the rule (present, so not in the README's table)
    import ngclab
    import ngclab.utils.optim as optim
    from ngclab.utils import JointProcess, MethodProcess
    from ngclab.utils.optim.optim_utils import get_opt_init_fn, get_opt_step_fn
    assert MethodProcess is ngclab.MethodProcess and JointProcess is ngclab.JointProcess
    assert get_opt_init_fn is optim.get_opt_init_fn and get_opt_step_fn is optim.get_opt_step_fn
