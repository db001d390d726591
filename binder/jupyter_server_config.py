# Installed into ~/.jupyter by binder/postBuild: Binder opens JupyterLab on the course.
c = get_config()  # noqa: F821
c.ServerApp.default_url = "/lab/tree/notebooks/01_quickstart.ipynb"
c.LabApp.default_url = "/lab/tree/notebooks/01_quickstart.ipynb"
