"""Output stage: a plan written out or shown.

Owns the run directory export (``export``, with ``cells`` and the xlsx ``workbook``), its
``manifest``, the text ``report``, notebook and terminal display (``display``), the xarray view
(``xarray_view``) and the generated files (``generated``). May import every stage below
(``studies`` down to ``scenario``); not ``plots`` (a sibling) or ``cli``.
"""
