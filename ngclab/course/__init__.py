"""The course: lesson sources (``sources/NN_name.py``, percent format) and the builder that
writes them as notebooks into the checkout's ``notebooks/`` (``python -m ngclab.course.build``).

An installed wheel also carries the built notebooks as ``ngclab.course.notebooks``; ``ngclab lab``
copies them to ``./ngclab-course`` when it is not run from a source checkout.
"""
