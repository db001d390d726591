"""What Binder builds: ``repo2docker --no-build --debug`` on a copy of the repository prints the
Dockerfile that Binder would build, without a container engine (repo2docker only writes the
build context; nothing is built or run; the test points DOCKER_HOST at a socket that does not
exist to show that no engine is contacted). The Dockerfile must use binder/ (not setup.py or
pyproject.toml at the top), the Python of binder/runtime.txt, pip on binder/requirements.txt,
then binder/postBuild on the copied repository, and start through binder/start.
"""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BINDER = ROOT / "binder"
# an engine address where nothing listens: --no-build must not need one
NO_ENGINE = "unix:///nonexistent/ngclab-no-container-engine.sock"
IGNORE = shutil.ignore_patterns(".git", ".venv*", "__pycache__", ".hypothesis", ".pytest_cache",
                                "build", "*.egg-info", ".benchmarks", "node_modules", "artifacts")


def generate_dockerfile(tmp_path: Path) -> tuple[str, str]:
    repo = tmp_path / "repo"
    shutil.copytree(ROOT, repo, ignore=IGNORE)
    proc = subprocess.run([sys.executable, "-m", "repo2docker", "--no-build", "--debug",
                           "--user-name", "jovyan", "--user-id", "1000", str(repo)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "DOCKER_HOST": NO_ENGINE})
    assert proc.returncode == 0, f"repo2docker failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc.stdout, proc.stderr


def test_repo2docker_generates_the_binder_build(tmp_path):
    dockerfile, log = generate_dockerfile(tmp_path)
    assert dockerfile.lstrip().startswith("FROM "), dockerfile[:500]

    # the Python of runtime.txt, through repo2docker's conda base environment for that version
    python = (BINDER / "runtime.txt").read_text().strip().removeprefix("python-")
    assert re.fullmatch(r"3\.\d+", python), python
    assert f"Building conda environment for python={python}" in log, log
    # build scripts are copied under escaped names ("-2e" is ".", "-2d" is "-")
    copied = [re.sub(r"-([0-9a-f]{2})", lambda m: chr(int(m.group(1), 16)), name)
              for name in re.findall(r"COPY --chown=\S+ build_script_files/(\S+)", dockerfile)]
    locks = [name for name in copied if re.search(r"environment\.py-[\d.]+-linux-\w+\.lock", name)]
    assert len(locks) == 1 and re.search(rf"environment\.py-{re.escape(python)}-linux-", locks[0]), copied

    # binder/requirements.txt with pip into the kernel's environment, before the repository
    install = 'RUN ${KERNEL_PYTHON_PREFIX}/bin/pip install --no-cache-dir -r "binder/requirements.txt"'
    assert install in dockerfile
    assert re.search(r"COPY --chown=\S+ src/binder/requirements.txt \$\{REPO_DIR\}/binder/requirements.txt",
                     dockerfile)
    copy_repo = re.search(r"COPY --chown=\S+ src/ \$\{REPO_DIR\}/", dockerfile).start()
    post_build = dockerfile.index("RUN ./binder/postBuild")
    assert dockerfile.index(install) < copy_repo < post_build
    # the top-level setup.py / pyproject.toml are not used: binder/ takes precedence
    assert "setup.py" not in dockerfile and "pip install -e" not in dockerfile
    assert 'ENV R2D_ENTRYPOINT="${REPO_DIR}/binder/start"' in dockerfile
    assert dockerfile.index("chmod +x binder/postBuild") < post_build


def test_binder_files_hold_what_the_course_needs():
    pins = {}
    for line in (BINDER / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"binder/requirements.txt: pin {line!r} exactly (name==version)"
            pins[name.lower()] = version
    # the package's own dependencies, the kernel, and voila for the lessons' demos as apps
    for needed in ("jax", "jaxlib", "numpy", "ipywidgets", "anywidget", "matplotlib", "ipympl",
                   "jupyterlab", "ipykernel", "papermill", "scikit-learn", "voila"):
        assert needed in pins, f"binder/requirements.txt lacks {needed}"
    config = (BINDER / "jupyter_server_config.py").read_text()
    assert 'jpserver_extensions.update({"voila.server_extension": True})' in config
    post_build = (BINDER / "postBuild").read_text()
    assert "pip install --no-deps ." in post_build
    assert "binder/jupyter_server_config.py" in post_build
    assert (BINDER / "postBuild").stat().st_mode & 0o111 and (BINDER / "start").stat().st_mode & 0o111
    start = (BINDER / "start").read_text()
    assert start.rstrip().endswith('exec "$@"')
