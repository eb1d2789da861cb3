"""Sphinx configuration: Markdown pages (MyST), built in CI with warnings as errors.

Build: python -m sphinx -W --keep-going -b html docs docs/_build/html
"""

project = "workforce"
author = "workforce contributors"
copyright = "the workforce contributors, MIT licence"

extensions = ["myst_parser"]
myst_enable_extensions = ["dollarmath"]   # the formulation's $...$ and $$...$$ render with MathJax
myst_heading_anchors = 3

source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build"]

html_theme = "alabaster"
html_title = "workforce"
html_theme_options = {"description": "Plan the training of England's SEND workforce", "page_width": "1100px"}
