# Installed into ~/.jupyter by binder/postBuild: Binder opens JupyterLab on the course.
c = get_config()  # noqa: F821
c.ServerApp.default_url = "/lab/tree/notebooks/01_quickstart.ipynb"
c.LabApp.default_url = "/lab/tree/notebooks/01_quickstart.ipynb"
# Voila apps (the lessons' lab demos) are served by the same server under /voila/: voila enables
# its server extension when installed; this says so explicitly, keeping the other extensions.
c.ServerApp.jpserver_extensions.update({"voila.server_extension": True})
